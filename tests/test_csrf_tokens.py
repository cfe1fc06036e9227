"""CSRF tokens and signed cookies made cheaper without changing a byte (portal/security.py): Flask-WTF's token
from a serializer kept per secret key, signed once per session and second; itsdangerous' derived keys kept
(`KeyKeepingSigner`); the session cookie's payload decoded once per verified cookie."""

from __future__ import annotations

import re
import time

import flask_wtf.csrf
import pytest
from flask import g, session
from itsdangerous import BadPayload, TimestampSigner, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode

from portal import security
from tests.support.clients import fresh_client
from tests.tracking.test_page_cache import TOKEN, browser, csrf_on  # noqa: F401 (csrf_on: a fixture)

ORIGINAL = getattr(security, "_flask_wtf_generate_csrf", flask_wtf.csrf.generate_csrf)  # Flask-WTF's own


@pytest.fixture
def frozen(monkeypatch):
    """time.time() at a whole second, moved by hand (itsdangerous and portal.security read it)."""
    now = [1_790_000_000.25]
    monkeypatch.setattr(time, "time", lambda: now[0])
    monkeypatch.setattr(
        security, "_csrf_signed", {}, raising=False
    )  # nothing signed in this second by an earlier test
    return now


def _token(app, make, raw: object = "a" * 40) -> str:
    with app.test_request_context("/"):
        g.pop("csrf_token", None)  # g is the test's application context's: each call is a new request
        session["csrf_token"] = raw
        return make()


def test_the_token_is_flask_wtfs_own(app, frozen):
    assert _token(app, security.generate_csrf) == _token(app, ORIGINAL)
    frozen[0] += 1
    later = _token(app, security.generate_csrf)
    assert later == _token(app, ORIGINAL)  # a new second: stamped anew, as Flask-WTF does
    assert _token(app, security.generate_csrf, "b" * 40) == _token(app, ORIGINAL, "b" * 40)


def test_the_configured_secret_and_field_and_the_arguments_as_flask_wtf(app, frozen, monkeypatch):
    """The look-ups made once per call follow Flask-WTF's `_get_config` rule: an argument, else the setting,
    else the default (the app's secret key, "csrf_token")."""

    def both(**kwargs) -> tuple[tuple[str, object], tuple[str, object]]:
        made = []
        for make in (security.generate_csrf, ORIGINAL):
            with app.test_request_context("/"):
                g.pop("csrf_token", None)
                g.pop("other_field", None)
                session["csrf_token"] = session["other_field"] = "c" * 40
                made.append((make(**kwargs), dict(session)))
        return made[0], made[1]

    mine, theirs = both()
    assert mine == theirs
    with monkeypatch.context() as settings:  # the app is shared with later tests: its settings put back
        settings.setitem(app.config, "WTF_CSRF_SECRET_KEY", "another secret")
        settings.setitem(app.config, "WTF_CSRF_FIELD_NAME", "other_field")
        mine, theirs = both()
        assert mine == theirs
        given = both(secret_key="third", token_key="csrf_token")
        assert given[0] == given[1]
        assert given[0][0] != mine[0]
    with monkeypatch.context() as settings:
        settings.setattr(app, "secret_key", None)
        for make in (security.generate_csrf, ORIGINAL):
            with app.test_request_context("/"), pytest.raises(RuntimeError, match="A secret key is required"):
                make()


def test_the_token_validates_and_stays_one_per_request(app, frozen):
    with app.test_request_context("/"):
        g.pop("csrf_token", None)
        first = security.generate_csrf()
        assert security.generate_csrf() == first == g.csrf_token
        raw = session["csrf_token"]  # made in the session as Flask-WTF makes it: 40 hex digits
        assert re.fullmatch(r"[0-9a-f]{40}", raw)
        flask_wtf.csrf.validate_csrf(first)  # raises when not valid


def test_a_token_is_signed_once_per_session_and_second(app, frozen, monkeypatch):
    """Fails on the old code: each request of the same browser signed its token again."""
    signed: list[object] = []
    dumps = URLSafeTimedSerializer.dumps

    def counted(self, obj, *args, **kwargs):
        signed.append(obj)
        return dumps(self, obj, *args, **kwargs)

    monkeypatch.setattr(URLSafeTimedSerializer, "dumps", counted)
    tokens = [_token(app, flask_wtf.csrf.generate_csrf) for _ in range(3)]
    assert len(set(tokens)) == 1 and signed == ["a" * 40]
    frozen[0] += 1
    assert _token(app, flask_wtf.csrf.generate_csrf) != tokens[0]  # the next second: signed again
    assert len(signed) == 2


def test_flask_wtf_and_the_templates_use_it(app):
    assert flask_wtf.csrf.generate_csrf is security.generate_csrf
    assert app.jinja_env.globals["csrf_token"] is security.generate_csrf


def test_a_raw_value_that_is_not_text_is_handled_as_flask_wtf_does(app, frozen):
    with app.test_request_context("/"):
        g.pop("csrf_token", None)
        session["csrf_token"] = b"bytes: not JSON"  # Flask-WTF replaces what it cannot sign
        token = security.generate_csrf()
        assert isinstance(session["csrf_token"], str)
        flask_wtf.csrf.validate_csrf(token)
    ours = _token(app, security.generate_csrf, {"a": "dict"})
    assert ours == _token(app, ORIGINAL, {"a": "dict"})


def test_kept_derived_keys_are_itsdangerous_own():
    for secret in ("first-secret", b"second-secret"):
        for derivation in ("concat", "django-concat", "hmac", "none"):
            ours = security.KeyKeepingSigner(secret, salt="s", key_derivation=derivation)
            theirs = TimestampSigner(secret, salt="s", key_derivation=derivation)
            assert ours.derive_key() == theirs.derive_key() == ours.derive_key()
            assert ours.derive_key("other") == theirs.derive_key("other")
            value = ours.sign("payload")
            assert theirs.unsign(value) == b"payload"


@pytest.mark.usefixtures("csrf_on")
def test_a_form_posted_with_the_pages_token_is_accepted_and_a_forged_one_refused(app, create_dossier):
    dossier = create_dossier(received=True)
    citizen = browser(app, "dossier", dossier.id, "198.51.100.91")
    page = citizen.get(f"/dossiers/{dossier.code}")
    token = TOKEN.search(page.get_data(as_text=True))
    assert page.status_code == 200 and token is not None
    with citizen.application.test_request_context("/"):
        with citizen.session_transaction() as stored:
            raw = stored["csrf_token"]
        session["csrf_token"] = raw
        flask_wtf.csrf.validate_csrf(token[1])
        with pytest.raises(Exception, match="token"):
            flask_wtf.csrf.validate_csrf(token[1][:-2] + ("AA" if token[1][-2:] != "AA" else "BB"))


def test_a_session_cookie_is_read_the_same_compressed_or_not(app):
    """Flask compresses a payload when that makes it shorter; both kinds load as Flask loads them."""
    interface = app.session_interface
    serializer = interface.get_signing_serializer(app)
    plain = serializer.dumps({"feedback_access": [1]})
    packed = serializer.dumps({"feedback_access": list(range(200))})
    assert not plain.startswith(".") and packed.startswith(".")
    for value, expected in ((plain, [1]), (packed, list(range(200)))):
        for _ in range(2):  # verified, then from the kept check
            client = fresh_client(app, "198.51.100.92")
            client.set_cookie("portal_session", value)
            with client.session_transaction() as loaded:
                assert loaded["feedback_access"] == expected


def test_a_signed_payload_that_does_not_decompress_fails_as_in_itsdangerous(app):
    serializer = app.session_interface.get_signing_serializer(app)
    signer = serializer.make_signer()
    forged = signer.sign(b"." + base64_encode(b"not zlib")).decode()
    context = app.test_request_context("/", headers={"Cookie": f"portal_session={forged}"})  # not pushed
    with pytest.raises(BadPayload):
        app.session_interface.open_session(app, context.request)
