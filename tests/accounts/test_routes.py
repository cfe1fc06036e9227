"""Sign-in and sign-out through the web (SECURITY.md A1, A4)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlencode, urlsplit

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import func, select

from portal.accounts import passwords
from portal.accounts.operations import create_account, find_by_email
from portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from portal.events.models import Event
from portal.extensions import db
from tests.conftest import html_lang

CITIZEN = "congdan@demo.sonla.vn"
PROCESSOR = "xuly@demo.sonla.vn"


def translated(app, lang: str, msgid: str) -> str:
    with app.app_context(), app.test_request_context(), force_locale(lang):
        text = gettext(msgid)
    if lang == "vi":
        assert text != msgid, f"no Vietnamese translation yet for {msgid!r}"
    return str(escape(text))


def sign_in(client, email: str, password: str = DEMO_PASSWORD, query: str = ""):
    return client.post(f"/login{query}", data={"email": email, "password": password})


def signed_in(client) -> bool:
    body = client.get("/").get_data(as_text=True)
    return 'action="/logout"' in body


def login_events(account_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Event)
        .where(Event.subject_type == "account", Event.subject_id == account_id, Event.action == "login")
    )


def location_path(response) -> str:
    parts = urlsplit(response.headers["Location"])
    assert parts.netloc in ("", "localhost"), response.headers["Location"]
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- signing in -----------------------------------------------------------------------------------


@pytest.mark.parametrize("demo", DEMO_ACCOUNTS, ids=lambda demo: demo.role)
def test_every_demo_account_can_sign_in(client, demo):
    account = find_by_email(demo.email)
    before = login_events(account.id)
    response = sign_in(client, demo.email, demo.password)
    assert response.status_code == 302
    # Staff land on their work (issue 16 item 8): the queue; finance, the fee account's payments.
    landing = {"citizen": "/", "finance": "/staff/payments"}.get(demo.role, "/staff/queue")
    assert location_path(response) == landing
    assert signed_in(client)
    assert login_events(account.id) == before + 1
    db.session.refresh(account)
    assert account.last_login_at is not None


def test_login_page_renders_the_form(client):
    response = client.get("/login")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'autocomplete="username"' in body
    assert 'autocomplete="current-password"' in body
    assert 'type="password"' in body


def test_e_mail_is_case_and_space_insensitive(client):
    assert sign_in(client, "  CongDan@Demo.SonLa.VN ").status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_wrong_password_and_unknown_e_mail_look_the_same(app, client, lang):
    wrong_password = sign_in(client, CITIZEN, "Sai-mat-khau-2026", f"?lang={lang}")
    unknown = sign_in(client, "khongco@demo.sonla.vn", "Sai-mat-khau-2026", f"?lang={lang}")
    assert wrong_password.status_code == unknown.status_code == 401
    message = translated(app, lang, "Wrong e-mail, phone number or password.")
    first = wrong_password.get_data(as_text=True)
    second = unknown.get_data(as_text=True)
    assert message in first and message in second
    assert html_lang(first) == html_lang(second) == lang

    def without_variable_parts(body: str) -> str:
        body = body.replace(CITIZEN, "EMAIL").replace("khongco@demo.sonla.vn", "EMAIL")
        return re.sub(r'name="csrf_token"[^>]*>', "", body)

    assert without_variable_parts(first) == without_variable_parts(second)
    assert not signed_in(client)


def test_disabled_account_cannot_sign_in(app, client):
    account = find_by_email(CITIZEN)
    account.is_enabled = False
    db.session.flush()
    response = sign_in(client, CITIZEN)
    assert response.status_code == 401
    assert translated(app, "vi", "Wrong e-mail, phone number or password.") in response.get_data(as_text=True)
    assert not signed_in(client)


def test_empty_form_is_a_400_with_field_errors(app, client):
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert translated(app, "vi", "Enter your e-mail address or mobile phone number.") in body
    assert translated(app, "vi", "Enter your password.") in body
    assert not signed_in(client)


def test_huge_password_is_refused_without_hashing(client, monkeypatch):
    calls = []

    class SpyHasher:
        def __getattr__(self, name):
            calls.append(name)
            raise AssertionError(f"hasher.{name} called for an over-long password")

    monkeypatch.setattr(passwords, "_hasher", SpyHasher())
    response = sign_in(client, CITIZEN, "a" * 300)
    assert response.status_code in (400, 401)
    assert calls == []
    assert not signed_in(client)


def test_vietnamese_password_typed_as_nfd_signs_in(client):
    password = "Mường Chiềng ường 2026"
    create_account(email="nfd@example.vn", password=unicodedata.normalize("NFC", password), full_name="NFD")
    db.session.flush()
    assert sign_in(client, "nfd@example.vn", unicodedata.normalize("NFD", password)).status_code == 302
    assert signed_in(client)


def test_long_vietnamese_password_typed_as_nfd_signs_in(client):
    password = unicodedata.normalize("NFC", "Mường Chiềng ường " * 20)[:200]
    assert len(unicodedata.normalize("NFD", password)) > passwords.MAX_LENGTH
    create_account(email="nfd@example.vn", password=password, full_name="NFD")
    db.session.flush()
    assert sign_in(client, "nfd@example.vn", unicodedata.normalize("NFD", password)).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("email", ["cong\x00dan@demo.sonla.vn", "\x00"])
def test_control_characters_in_the_e_mail_are_not_a_500(client, email):
    response = sign_in(client, email, "Sai-mat-khau-2026")
    assert response.status_code in (400, 401)
    assert not signed_in(client)


def test_signed_in_user_opening_login_goes_home(client):
    sign_in(client, CITIZEN)
    response = client.get("/login")
    assert response.status_code == 302
    assert location_path(response) == "/"


# --- where to go after signing in -----------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "evil.example",
    ],
)
def test_next_never_leaves_the_site(client, target):
    response = sign_in(client, CITIZEN, query="?" + urlencode({"next": target}))
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/procedures", "/procedures?q=khai+sinh", "/procedures/1.001193"])
def test_next_inside_the_site_is_followed(client, target):
    response = sign_in(client, CITIZEN, query="?" + urlencode({"next": target}))
    assert response.status_code == 302
    assert location_path(response) == target


# --- throttling -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_sixth_attempt_for_one_account_is_throttled(app, client, lang):
    for _ in range(5):
        assert sign_in(client, CITIZEN, "Sai-mat-khau-2026").status_code == 401
    response = sign_in(client, CITIZEN, query=f"?lang={lang}")  # even the right password
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert html_lang(body) == lang
    assert translated(app, lang, "Too many attempts. Please wait a minute and try again.") in body
    assert not signed_in(client)
    # Throttling is per account, not global: another account still signs in from the same address.
    other = app.test_client()
    assert sign_in(other, PROCESSOR).status_code == 302
    assert signed_in(other)


def test_throttle_ignores_the_case_of_the_e_mail(client):
    for variant in (
        "congdan@demo.sonla.vn",
        "CONGDAN@demo.sonla.vn",
        "CongDan@Demo.Sonla.vn",
        " congdan@demo.sonla.vn",
        "congdan@DEMO.SONLA.VN",
    ):
        assert sign_in(client, variant, "Sai-mat-khau-2026").status_code == 401
    assert sign_in(client, CITIZEN).status_code == 429


def test_one_address_gets_at_most_20_attempts_a_minute(app, client):
    for number in range(20):
        assert sign_in(client, f"khongco{number}@demo.sonla.vn", "Sai-mat-khau-2026").status_code == 401
    assert sign_in(client, PROCESSOR).status_code == 429
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert elsewhere.post("/login", data={"email": PROCESSOR, "password": DEMO_PASSWORD}).status_code == 302


def test_throttled_login_says_when_to_retry(client):
    for _ in range(5):
        sign_in(client, CITIZEN, "Sai-mat-khau-2026")
    response = sign_in(client, CITIZEN)
    assert response.status_code == 429
    assert int(response.headers.get("Retry-After", "0")) > 0


# --- signing out and ending sessions --------------------------------------------------------------


def test_logout_signs_out(app, client):
    sign_in(client, CITIZEN)
    response = client.post("/logout")
    assert response.status_code == 302
    assert location_path(response) == "/"
    home = client.get("/")
    assert translated(app, "vi", "You have signed out.") in home.get_data(as_text=True)
    assert not signed_in(client)


def test_logout_when_signed_out_changes_nothing(client):
    response = client.post("/logout")  # e.g. a "Sign out" click after the session expired
    assert response.status_code == 302
    assert not signed_in(client)


def test_a_late_logout_click_never_leads_to_a_405(client):
    """Sending the user to /login?next=/logout would, after signing in, GET /logout: a 405 page."""
    response = client.post("/logout")
    target = location_path(response)
    assert "logout" not in target.lower()
    if target.startswith("/login"):
        response = client.post(target, data={"email": CITIZEN, "password": DEMO_PASSWORD})
        target = location_path(response)
    assert client.get(target).status_code == 200


def test_bumping_session_version_ends_existing_sessions(client):
    sign_in(client, CITIZEN)
    assert signed_in(client)
    account = find_by_email(CITIZEN)
    account.session_version += 1  # what a password change or "end all sessions" does
    db.session.flush()
    response = client.get("/")
    assert "no-store" not in response.headers.get("Cache-Control", "")  # treated as anonymous
    assert 'action="/logout"' not in response.get_data(as_text=True)
    # Signing in again works and uses the new version.
    assert sign_in(client, CITIZEN).status_code == 302
    assert signed_in(client)


def test_disabling_an_account_ends_its_sessions(client):
    sign_in(client, CITIZEN)
    assert signed_in(client)
    account = find_by_email(CITIZEN)
    account.is_enabled = False
    db.session.flush()
    assert not signed_in(client)


def test_cookie_replayed_after_logout_is_rejected(app, client):
    """Flask's signed cookie session would accept a copy taken before logout (SECURITY.md A4)."""
    sign_in(client, CITIZEN)
    name = app.config["SESSION_COOKIE_NAME"]
    captured = client.get_cookie(name).value
    assert client.post("/logout").status_code == 302
    assert not signed_in(client)
    client.set_cookie(name, captured)
    assert not signed_in(client)
    assert "no-store" not in client.get("/procedures").headers.get("Cache-Control", "")


def test_logout_ends_the_sessions_on_other_devices(app, client):
    phone = app.test_client()
    sign_in(client, CITIZEN)
    sign_in(phone, CITIZEN)
    assert signed_in(phone)
    client.post("/logout")
    assert not signed_in(phone)
