"""Staff two-factor sign-in (issue 9 item 10, SECURITY.md A3): no session before the second factor, a wrong
or reused code refused, recovery codes once each, the half-signed state short-lived and bound to the
session, enrolment by QR code, enforcement by the administrator's policy."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from sqlalchemy import func, select

from portal.accounts import sessions, totp, two_factor
from portal.accounts.models import RecoveryCode, SecondFactor
from portal.db_types import utcnow
from portal.events.models import Event
from portal.extensions import db
from tests.accounts.conftest import (
    CITIZEN,
    LEADER,
    PROCESSOR,
    WRONG,
    code_at,
    email_of,
    password_step,
    signed_in,
)
from tests.accounts.test_routes import translated
from tests.conftest import html_lang
from tests.support.clients import fresh_client
from tests.support.factories import account as account_of


def second_step(client, code: str = "", recovery: str = "", query: str = ""):
    return client.post(f"/login/two-factor{query}", data={"code": code, "recovery_code": recovery})


def events(who: str, action: str) -> int:
    account = account_of(who)
    return db.session.scalar(
        select(func.count())
        .select_from(Event)
        .where(Event.subject_type == "account", Event.subject_id == account.id, Event.action == action)
    )


# --- the second step ------------------------------------------------------------------------------


def test_the_password_alone_signs_nobody_in(app, enrol):
    enrol(LEADER)
    client = fresh_client(app)
    logins = events(LEADER, "login")
    response = password_step(client, LEADER)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login/two-factor"
    assert not signed_in(client)
    staff = client.get("/staff/")
    assert staff.status_code == 302 and "/login" in staff.headers["Location"]
    assert client.get("/staff/admin").status_code == 302
    assert events(LEADER, "login") == logins  # not a sign-in yet


def test_the_right_code_signs_in_and_returns_to_the_page(app, enrol):
    secret = enrol(LEADER)
    client = fresh_client(app)
    password_step(client, LEADER, query="?next=/staff/feedback")
    logins = events(LEADER, "login")
    response = second_step(client, code_at(secret))
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/staff/feedback"
    assert signed_in(client)
    assert events(LEADER, "login") == logins + 1


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_wrong_code_is_refused(app, enrol, lang):
    secret = enrol(LEADER)
    client = fresh_client(app)
    password_step(client, LEADER)
    wrong = f"{(int(code_at(secret)) + 1) % 1_000_000:06d}"
    response = second_step(client, wrong, query=f"?lang={lang}")
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert html_lang(body) == lang
    message = "This code is not valid, or it has already been used. Wait for the next code and try again."
    assert translated(app, lang, message) in body
    assert not signed_in(client)
    assert events(LEADER, "two_factor_failed") >= 1


def test_a_code_from_long_ago_or_the_far_future_is_refused(app, enrol):
    secret = enrol(LEADER)
    client = fresh_client(app)
    password_step(client, LEADER)
    for offset in (-3, 3, -20):
        assert second_step(client, code_at(secret, offset)).status_code == 401
    assert not signed_in(client)


def test_a_reused_code_is_refused_even_inside_its_window(app, enrol):
    """The same code again within its 30 s (or from another process): the accepted step is in the database."""
    secret = enrol(LEADER)
    code = code_at(secret)
    first = fresh_client(app)
    password_step(first, LEADER)
    assert second_step(first, code).status_code == 302
    # Somebody who saw the code (over the shoulder, a phishing page) replays it from elsewhere.
    other = fresh_client(app, "198.51.100.7")
    password_step(other, LEADER)
    assert second_step(other, code).status_code == 401
    assert not signed_in(other)
    # An older code is refused too, once a newer one was accepted.
    assert second_step(other, code_at(secret, -1)).status_code == 401
    # The next code works.
    assert second_step(other, code_at(secret, 1)).status_code == 302


def test_a_reused_code_is_refused_by_another_instance_of_the_portal(app, enrol, tmp_path):
    """The check is a conditional UPDATE on the stored step, not a memory of this process."""
    secret = enrol(LEADER)
    account = account_of(LEADER)
    code = code_at(secret)
    assert two_factor.verify(account, code) is True
    db.session.expire_all()
    assert two_factor.verify(account, code) is False
    row = db.session.get(SecondFactor, account.id)
    assert row.last_step == totp.matching_step(secret, code)


def test_recovery_codes_work_once_each(app, enrol):
    enrol(LEADER)
    account = account_of(LEADER)
    codes = two_factor._replace_recovery_codes(account)
    assert len(codes) == 10 and len(set(codes)) == 10
    client = fresh_client(app)
    password_step(client, LEADER)
    response = second_step(client, recovery=codes[3].lower().replace("-", " "))
    assert response.status_code == 302
    assert signed_in(client)
    assert two_factor.remaining_recovery_codes(account) == 9
    assert events(LEADER, "recovery_code_used") == 1
    client.post("/logout")
    password_step(client, LEADER)
    assert second_step(client, recovery=codes[3]).status_code == 401
    assert not signed_in(client)
    assert two_factor.remaining_recovery_codes(account) == 9


def test_recovery_codes_are_stored_hashed(app, enrol):
    enrol(LEADER)
    account = account_of(LEADER)
    codes = two_factor._replace_recovery_codes(account)
    stored = db.session.scalars(
        select(RecoveryCode.code_hash).where(RecoveryCode.account_id == account.id)
    ).all()
    assert len(stored) == 10
    assert not set(codes) & set(stored)
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in stored)


def test_the_secret_is_stored_encrypted(app, enrol):
    secret = enrol(LEADER)
    row = db.session.get(SecondFactor, account_of(LEADER).id)
    assert secret.encode() not in bytes(row.secret_encrypted)
    assert totp.decrypt(row.secret_encrypted, app.config["SECRET_KEY"]) == secret
    assert totp.decrypt(row.secret_encrypted, "another-secret-key-" + "y" * 30) is None


def test_the_half_signed_state_expires_after_five_minutes(app, enrol, clock):
    secret = enrol(LEADER)
    client = fresh_client(app)
    password_step(client, LEADER)
    clock.advance(sessions.PENDING_SECONDS + 1)
    response = second_step(client, code_at(secret))
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert (
        translated(
            app, "vi", "Your sign-in took too long or was interrupted. Please enter your password again."
        )
        in page
    )
    assert not signed_in(client)


def test_the_half_signed_state_belongs_to_its_session(app, enrol):
    secret = enrol(LEADER)
    client = fresh_client(app)
    password_step(client, LEADER)
    stranger = fresh_client(app)  # no session cookie of the password step
    response = second_step(stranger, code_at(secret))
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert not signed_in(stranger)


def test_a_password_change_ends_the_half_signed_state(app, enrol):
    secret = enrol(LEADER)
    client = fresh_client(app)
    password_step(client, LEADER)
    account_of(LEADER).session_version += 1
    db.session.flush()
    assert urlsplit(second_step(client, code_at(secret)).headers["Location"]).path == "/login"
    assert not signed_in(client)


def test_second_factor_attempts_are_limited(app, enrol):
    secret = enrol(LEADER)
    client = fresh_client(app)
    password_step(client, LEADER)
    wrong = f"{(int(code_at(secret)) + 5) % 1_000_000:06d}"
    for _ in range(5):
        assert second_step(client, wrong).status_code == 401
    response = second_step(client, code_at(secret))  # even the right code
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert translated(
        app, "vi", "Too many attempts. Please wait a minute and try again."
    ) in response.get_data(as_text=True)
    assert not signed_in(client)


def test_an_account_without_two_factor_signs_in_with_the_password(app):
    client = fresh_client(app)
    assert urlsplit(password_step(client, PROCESSOR).headers["Location"]).path == "/staff/queue"
    assert signed_in(client)


# --- enforcement and enrolment --------------------------------------------------------------------


def test_policy_sends_unenrolled_staff_to_enrolment_and_nowhere_else(app, require_two_factor):
    require_two_factor()
    client = fresh_client(app)
    response = password_step(client, PROCESSOR, query="?next=/staff/dossiers")
    assert urlsplit(response.headers["Location"]).path == "/login/two-factor/setup"
    assert not signed_in(client)
    for path in ("/staff/", "/staff/dossiers", "/staff/feedback"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and "/login" in blocked.headers["Location"], path


def test_enrolment_page_shows_the_qr_code_and_the_key(app, require_two_factor):
    require_two_factor()
    client = fresh_client(app)
    password_step(client, PROCESSOR)
    page = client.get("/login/two-factor/setup")
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"]
    body = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in body
    uri = unquote(re.search(r'href="(otpauth://[^"]+)"', body)[1].replace("&amp;", "&"))
    parts = urlsplit(uri)
    assert parts.netloc == "totp"
    assert parts.path == f"/Sơn La portal:{email_of(PROCESSOR)}"
    query = parse_qs(parts.query)
    assert query["issuer"] == ["Sơn La portal"]
    secret = query["secret"][0]
    assert totp.grouped(secret) in body
    # The same secret on a reload (the person may already have scanned it), nothing in the database yet.
    assert totp.grouped(secret) in client.get("/login/two-factor/setup").get_data(as_text=True)
    assert db.session.get(SecondFactor, account_of(PROCESSOR).id) is None


def enrolment_secret(client) -> str:
    body = client.get("/login/two-factor/setup").get_data(as_text=True)
    return parse_qs(urlsplit(re.search(r'href="(otpauth://[^"]+)"', body)[1].replace("&amp;", "&")).query)[
        "secret"
    ][0]


def test_enrolment_is_confirmed_by_a_first_code_and_shows_the_recovery_codes_once(app, require_two_factor):
    require_two_factor()
    client = fresh_client(app)
    password_step(client, PROCESSOR, query="?next=/staff/dossiers")
    secret = enrolment_secret(client)
    wrong_code = "000000" if code_at(secret) != "000000" else "111111"
    wrong = client.post("/login/two-factor/setup", data={"code": wrong_code})
    assert wrong.status_code in (400, 401)
    assert not signed_in(client)
    done = client.post("/login/two-factor/setup", data={"code": code_at(secret)})
    assert done.status_code == 200
    assert "no-store" in done.headers["Cache-Control"]
    codes = re.findall(r"<li>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</li>", done.get_data(as_text=True))
    assert len(codes) == 10
    assert 'href="/staff/dossiers"' in done.get_data(as_text=True)
    assert signed_in(client)
    assert events(PROCESSOR, "two_factor_enabled") == 1
    # Never shown again: the setup page now only says it is on.
    again = client.get("/login/two-factor/setup")
    assert again.status_code == 302
    assert secret not in client.get("/").get_data(as_text=True)
    # The next sign-in asks for a code, and the enrolment code cannot be replayed.
    client.post("/logout")
    assert urlsplit(password_step(client, PROCESSOR).headers["Location"]).path == "/login/two-factor"
    assert second_step(client, code_at(secret)).status_code == 401
    assert second_step(client, recovery=codes[0]).status_code == 302


def test_the_policy_leaves_citizens_alone(app, require_two_factor):
    require_two_factor()
    client = fresh_client(app)
    assert urlsplit(password_step(client, CITIZEN).headers["Location"]).path == "/"
    assert signed_in(client)


def test_citizens_cannot_enrol(app):
    client = fresh_client(app)
    password_step(client, CITIZEN)
    assert client.get("/login/two-factor/setup").status_code == 404


def test_signed_in_staff_may_enrol_without_the_policy(app):
    client = fresh_client(app)
    password_step(client, PROCESSOR)
    secret = enrolment_secret(client)
    assert client.post("/login/two-factor/setup", data={"code": code_at(secret)}).status_code == 200
    assert two_factor.is_enrolled(account_of(PROCESSOR))


def test_the_default_follows_the_environment(app, settings):
    assert two_factor.staff_two_factor_required() == (False, "environment")  # tests run as development
    settings(environment="production")
    assert two_factor.staff_two_factor_required() == (True, "environment")


def test_the_enrolment_page_needs_the_password_step(app):
    response = fresh_client(app).get("/login/two-factor/setup")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def test_wrong_password_never_reaches_the_second_step(app, enrol):
    enrol(LEADER)
    client = fresh_client(app)
    assert password_step(client, LEADER, WRONG).status_code == 401
    assert urlsplit(client.get("/login/two-factor").headers["Location"]).path == "/login"


def test_pyotp_agrees_with_the_codes_we_accept(app):
    secret = totp.new_secret()
    assert totp.matching_step(secret, pyotp.TOTP(secret).now()) == totp.current_step()
    assert totp.matching_step(secret, "12345") is None
    assert totp.matching_step(secret, "abcdef") is None


def test_turning_the_policy_on_reaches_staff_already_signed_in(app, require_two_factor):
    officer = fresh_client(app)
    password_step(officer, PROCESSOR)
    assert officer.get("/staff/feedback").status_code == 200
    require_two_factor()
    response = officer.get("/staff/feedback")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login/two-factor/setup"
    assert officer.get("/staff/dossiers").status_code == 302
    secret = enrolment_secret(officer)
    assert officer.post("/login/two-factor/setup", data={"code": code_at(secret)}).status_code == 200
    assert officer.get("/staff/feedback").status_code == 200


def test_a_session_that_passed_the_second_factor_is_left_alone(app, enrol, require_two_factor):
    secret = enrol(LEADER)
    client = fresh_client(app)
    password_step(client, LEADER)
    second_step(client, code_at(secret))
    require_two_factor()
    assert client.get("/staff/feedback").status_code == 200
    citizen = fresh_client(app)
    password_step(citizen, CITIZEN)
    assert citizen.get("/dossiers/mine").status_code == 200


def test_someone_with_only_the_password_cannot_enrol_their_own_phone(app, require_two_factor):
    """Issue 9 attack: with the policy on, a stolen password used to be enough to enrol the attacker's own
    authenticator: they were signed in, kept the account for good and locked the member out."""
    usual = fresh_client(app, "192.0.2.30")
    assert (
        urlsplit(password_step(usual, PROCESSOR).headers["Location"]).path == "/staff/queue"
    )  # policy still off
    usual.post("/logout")
    require_two_factor()
    attacker = fresh_client(app, "203.0.113.30")
    assert urlsplit(password_step(attacker, PROCESSOR).headers["Location"]).path == "/login/two-factor/setup"
    page = attacker.get("/login/two-factor/setup")
    assert page.status_code == 403
    body = page.get_data(as_text=True)
    assert "otpauth://" not in body and html_lang(body) == "vi"
    assert translated(app, "vi", "Set up two-step sign-in from your usual browser") in body
    refused = attacker.post("/login/two-factor/setup", data={"code": "123456"})
    assert refused.status_code == 403
    assert not signed_in(attacker) and not two_factor.is_enrolled(account_of(PROCESSOR))
    assert events(PROCESSOR, "two_factor_enrol_refused") == 2
    # The member's usual browser enrols.
    assert urlsplit(password_step(usual, PROCESSOR).headers["Location"]).path == "/login/two-factor/setup"
    secret = enrolment_secret(usual)
    assert usual.post("/login/two-factor/setup", data={"code": code_at(secret)}).status_code == 200
    assert signed_in(usual)


def test_after_the_administrators_reset_any_browser_may_enrol(app, require_two_factor, enrol):
    enrol(PROCESSOR)
    account = account_of(PROCESSOR)
    account.last_login_at = utcnow()
    two_factor.reset(account, account_of("admin"))
    db.session.flush()
    require_two_factor()
    new_phone = fresh_client(app, "198.51.100.31")
    password_step(new_phone, PROCESSOR)
    assert new_phone.get("/login/two-factor/setup").status_code == 200


def test_a_new_password_chosen_through_the_emailed_link_lets_any_browser_enrol(app, require_two_factor):
    """The way out for a member who signed in before but is on a new browser: the e-mailed reset link
    proves the mailbox, which a stolen password alone does not."""
    from portal.accounts import reset

    account = account_of(PROCESSOR)
    account.last_login_at = utcnow()
    db.session.flush()
    require_two_factor()
    browser = fresh_client(app, "198.51.100.32")
    password_step(browser, PROCESSOR)
    assert browser.get("/login/two-factor/setup").status_code == 403
    _account, token = reset.request_reset(email_of(PROCESSOR))
    assert reset.use_token(token, "Mat-khau-moi-2026!") is not None
    db.session.flush()
    password_step(browser, PROCESSOR, "Mat-khau-moi-2026!")
    assert browser.get("/login/two-factor/setup").status_code == 200
