"""Shared-phone mode (issue 13 item 4): the clearing sign-out, the private pages kept out of every cache,
no autofill of another person's phone, and the "this is a shared phone" choice that remembers nothing.

The browser half (Back and reload after the clearing sign-out, in Chromium) is
tests/browser/test_shared_phone.py.
"""

from __future__ import annotations

import re

import pytest

from portal import shared_phone
from tests.support.clients import sign_in
from tests.support.dossiers import PROCEDURE
from tests.support.feedback import CODE, form_data

CLEAR = '"cache", "cookies", "storage"'  # W3C Clear Site Data: everything this origin keeps in the browser


def _cookie_headers(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_clearing_sign_out_of_a_citizen_ends_the_session_and_clears_the_site(client, create_account):
    citizen = create_account("citizen")
    sign_in(client, citizen)
    assert client.get("/feedback/mine").status_code == 200
    version = citizen.session_version
    response = client.post("/clear")
    assert (
        response.status_code == 200
    )  # a page: a redirect's flashed message would be cleared with the cookies
    assert response.headers["Clear-Site-Data"] == CLEAR
    assert response.headers["Cache-Control"] == "no-store"
    assert citizen.session_version == version + 1  # a replayed cookie is dead too (SECURITY.md A4)
    assert client.get("/feedback/mine").status_code == 302  # to the sign-in page


def test_clearing_sign_out_without_an_account_forgets_the_items_opened(client, create_feedback):
    item = create_feedback()
    with client.session_transaction() as session:
        session["feedback_access"] = [item.id]
    assert client.get(f"/feedback/{item.code}/status").status_code == 200
    response = client.post("/clear")
    assert response.headers["Clear-Site-Data"] == CLEAR
    assert client.get(f"/feedback/{item.code}/status").status_code == 404


def test_plain_sign_out_still_redirects_with_a_message(client, create_account):
    sign_in(client, create_account("citizen"))
    response = client.post("/logout")
    assert response.status_code == 302 and "Clear-Site-Data" not in response.headers


def test_private_pages_are_never_stored(client, create_account, create_feedback, create_dossier):
    """Every page that shows a person's data says no-store, so a shared phone's Back or cache keeps none."""
    feedback, dossier = create_feedback(), create_dossier()
    client.post("/feedback/new", data=form_data(), content_type="multipart/form-data")
    with client.session_transaction() as session:
        session["feedback_access"] = [*session.get("feedback_access", []), feedback.id]
        session["dossier_access"] = [dossier.id]
    anonymous = [
        "/feedback/receipt",
        f"/feedback/{feedback.code}/status",
        f"/dossiers/{dossier.code}",
        f"/dossiers/{dossier.code}/receipt",
    ]
    for path in anonymous:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers["Cache-Control"], path
    sign_in(client, create_account("citizen"))
    for path in ["/my-data", "/feedback/mine", "/dossiers/mine"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers["Cache-Control"], path


@pytest.mark.parametrize("path", ["/feedback/new", "/track", "/my-data/correct"])
def test_no_phone_field_offers_an_earlier_visitors_number(client, create_account, path):
    if path.startswith("/my-data"):
        sign_in(client, create_account("citizen"))
    page = client.get(path).get_data(as_text=True)
    fields = re.findall(r"<input[^>]*\bname=\"(?:phone|phone_digits|code|id_number)\"[^>]*>", page)
    assert fields, path
    for field in fields:
        assert 'autocomplete="off"' in field, field


def test_dossier_form_offers_no_phone_or_identity_number(client):
    page = client.get(f"/dossiers/apply/{PROCEDURE}").get_data(as_text=True)
    fields = re.findall(r"<input[^>]*\bname=\"(?:phone|id_number)\"[^>]*>", page)
    assert len(fields) == 2, fields
    for field in fields:
        assert 'autocomplete="off"' in field, field


def test_tracking_in_shared_phone_mode_forgets_the_earlier_visitor(client, create_feedback):
    earlier, mine = create_feedback(), create_feedback(phone="+84977123456")
    with client.session_transaction() as session:
        session["feedback_access"] = [earlier.id]
        session["feedback_receipt"] = {"code": earlier.code, "token": "x", "mailed": False}
    response = client.post("/track", data={"code": mine.code, "phone_digits": "3456", "shared_phone": "y"})
    assert response.status_code == 302
    # No lasting cookie: the session cookie has no expiry (it ends with the browser), and no other is set.
    cookies = _cookie_headers(response)
    assert cookies and all("expires" not in c.lower() and "max-age" not in c.lower() for c in cookies)
    status = client.get(f"/feedback/{mine.code}/status")
    assert status.status_code == 200
    page = status.get_data(as_text=True)
    assert 'action="/clear"' in page  # the one button that signs out and clears
    assert client.get(f"/feedback/{earlier.code}/status").status_code == 404
    assert client.get("/feedback/receipt").status_code == 404


def test_tracking_without_the_choice_keeps_the_earlier_items(client, create_feedback):
    earlier, mine = create_feedback(), create_feedback(phone="+84977123456")
    with client.session_transaction() as session:
        session["feedback_access"] = [earlier.id]
    client.post("/track", data={"code": mine.code, "phone_digits": "3456"})
    assert client.get(f"/feedback/{earlier.code}/status").status_code == 200
    assert 'action="/clear"' not in client.get(f"/feedback/{mine.code}/status").get_data(as_text=True)


def test_reporting_in_shared_phone_mode_offers_the_clearing_sign_out(client, create_feedback):
    earlier = create_feedback()
    with client.session_transaction() as session:
        session["feedback_access"] = [earlier.id]
    data = form_data() | {"shared_phone": "y"}
    response = client.post("/feedback/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    receipt = client.get("/feedback/receipt").get_data(as_text=True)
    assert CODE.search(receipt) and 'action="/clear"' in receipt
    assert client.get(f"/feedback/{earlier.code}/status").status_code == 404
    with client.session_transaction() as session:
        assert session[shared_phone.FLAG] is True and not session.permanent


def _form_nonce(client) -> str:
    page = client.get("/feedback/new").get_data(as_text=True)
    return re.search(r'name="nonce"[^>]*value="([^"]+)"', page)[1]


def test_an_earlier_visitors_form_sent_again_in_shared_phone_mode_shows_no_receipt(client):
    """Visitor A reports and walks away without the clearing sign-out; visitor B reports in shared-phone
    mode, then presses Back to A's form and sends it again: the neutral "already sent" page, not A's
    receipt and link (the nonces A was given stopped being this browser's when B's shared-phone mode
    began). B's own double tap still lands on B's receipt."""
    earlier = _form_nonce(client)
    client.post("/feedback/new", data=form_data() | {"nonce": earlier}, content_type="multipart/form-data")
    earlier_code = CODE.search(client.get("/feedback/receipt").get_data(as_text=True))[0]

    mine = _form_nonce(client)
    data = form_data(phone="0977 123 456") | {"nonce": mine, "shared_phone": "y"}
    assert client.post("/feedback/new", data=data, content_type="multipart/form-data").status_code == 302
    my_code = CODE.search(client.get("/feedback/receipt").get_data(as_text=True))[0]
    again = client.post("/feedback/new", data=data, content_type="multipart/form-data")  # a double tap
    assert again.status_code == 302 and again.headers["Location"].endswith("/feedback/receipt")
    assert CODE.search(client.get("/feedback/receipt").get_data(as_text=True))[0] == my_code

    back = client.post(
        "/feedback/new", data=form_data() | {"nonce": earlier}, content_type="multipart/form-data"
    )
    assert back.status_code == 409 and earlier_code not in back.get_data(as_text=True)
    assert client.get(f"/feedback/{earlier_code}/status").status_code == 404
    assert earlier_code not in client.get("/feedback/receipt").get_data(as_text=True)
