"""The form nonce is recognised by the session it was given to without the session remembering each one
(portal/form_nonce.py): serving the form again does not re-sign the session cookie (issue 17, the
submission row; bench/notes/submit2.md)."""

from __future__ import annotations

import re

from flask import session as current_session

from portal import form_nonce
from tests.support.clients import fresh_client


def nonce_of(response) -> str:
    found = re.search(r'name="nonce"[^>]*value="([^"]+)"', response.get_data(as_text=True))
    assert found
    return found[1]


def test_serving_the_form_again_writes_no_session_cookie(app):
    client = fresh_client(app, "198.51.100.80")
    first = client.get("/feedback/new")
    assert "Set-Cookie" in first.headers  # the CSRF token and the nonces' key, once
    for _ in range(3):
        again = client.get("/feedback/new")
        assert again.status_code == 200 and "Set-Cookie" not in again.headers
        assert form_nonce.well_formed(nonce_of(again)) and nonce_of(again) != nonce_of(first)


def test_a_nonce_is_recognised_by_its_own_session_only(app):
    mine, theirs = fresh_client(app, "198.51.100.81"), fresh_client(app, "198.51.100.82")
    given = [nonce_of(mine.get("/feedback/new")) for _ in range(12)]  # more than the old list held
    theirs.get("/feedback/new")
    tampered = given[0][:-1] + ("A" if given[0][-1] != "A" else "B")
    with mine.session_transaction() as session:
        with app.test_request_context():
            current_session.update(session)
            assert all(form_nonce.issued_here(nonce) for nonce in given)
            assert not form_nonce.issued_here(tampered)
            assert not form_nonce.issued_here(form_nonce.new())  # made up by the client
    with theirs.session_transaction() as session:
        with app.test_request_context():
            current_session.update(session)
            assert not any(form_nonce.issued_here(nonce) for nonce in given)


def test_a_session_holding_the_former_list_keeps_its_nonces(app):
    old = form_nonce.new()
    with app.test_request_context():
        current_session[form_nonce.SESSION_KEY] = [old]
        assert form_nonce.issued_here(old)
        assert not form_nonce.issued_here(form_nonce.new())


def test_a_nonce_given_before_the_secret_key_was_rotated_still_checks(app):
    with app.test_request_context():
        given = form_nonce.issue()
        old_key, old_fallbacks = app.config["SECRET_KEY"], app.config.get("SECRET_KEY_FALLBACKS")
        app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = "a new key " * 5, [old_key]
        try:
            assert form_nonce.issued_here(given)
            app.config["SECRET_KEY_FALLBACKS"] = []
            assert not form_nonce.issued_here(given)
        finally:
            app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = old_key, old_fallbacks
