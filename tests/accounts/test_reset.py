"""Password reset by e-mail (issue 9 item 10, SECURITY.md A3): the same answer for every address, a link
that works once and for 30 minutes, closed by a newer link and by a password change, every other session
ended, never a way around the second factor, and limits per address and per e-mail."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from portal.accounts import admin_operations, reset
from portal.accounts.models import PasswordResetToken
from portal.db_types import utcnow
from portal.events.models import Event
from portal.extensions import db
from tests.accounts.conftest import ADMIN, CITIZEN, LEADER, code_at, email_of, password_step, signed_in
from tests.accounts.test_routes import translated
from tests.support.clients import fresh_client
from tests.support.factories import account as account_of

NEW_PASSWORD = "Mat-khau-moi-cua-toi-2026"  # noqa: S105 - a test password


def ask(client, who: str, query: str = ""):
    """Ask for a reset link for `who`: a role name (this test's fresh account) or an e-mail address."""
    return client.post(f"/forgot-password{query}", data={"email": email_of(who)})


def link_from(outbox) -> str:
    to, _subject, body = outbox[-1]
    match = re.search(r"http://localhost(/reset/[A-Za-z0-9_-]+)", body)
    assert match, body
    return match[1]


def set_password(client, link: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    opened = client.get(link)
    if opened.status_code != 302:
        return opened
    confirm = password if confirm is None else confirm
    return client.post("/reset", data={"password": password, "confirm": confirm})


def count(action: str, account_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Event)
        .where(Event.subject_type == "account", Event.subject_id == account_id, Event.action == action)
    )


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(app, outbox):
    known = ask(fresh_client(app), CITIZEN)
    unknown = ask(fresh_client(app), "khongco@example.vn")
    assert known.status_code == unknown.status_code == 200

    def strip(body: str) -> str:
        return re.sub(r'name="csrf_token"[^>]*>', "", body)

    assert strip(known.get_data(as_text=True)) == strip(unknown.get_data(as_text=True))
    assert [to for to, *_ in outbox] == [email_of(CITIZEN)]


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_the_e_mail_is_in_the_accounts_language_with_a_private_link(app, outbox, locale):
    account = account_of(CITIZEN)
    account.locale = locale
    db.session.flush()
    ask(fresh_client(app), CITIZEN)
    to, subject, body = outbox[-1]
    assert to == email_of(CITIZEN)
    assert subject == translated(app, locale, "Choose a new password for the Sơn La portal")
    assert re.fullmatch(r"/reset/[A-Za-z0-9_-]{40,}", link_from(outbox))
    assert "30" in body


def test_only_a_hash_of_the_token_is_stored(app, outbox):
    ask(fresh_client(app), CITIZEN)
    token = link_from(outbox).rsplit("/", 1)[1]
    stored = db.session.scalars(select(PasswordResetToken.token_hash)).all()
    assert token not in stored
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in stored)


def test_the_link_sets_a_new_password_once_and_ends_every_session(app, outbox):
    phone = fresh_client(app, "192.0.2.30")
    password_step(phone, CITIZEN)
    assert signed_in(phone)
    account = account_of(CITIZEN)
    ask(fresh_client(app), CITIZEN)
    link = link_from(outbox)
    client = fresh_client(app)
    opened = client.get(link)
    assert opened.status_code == 302 and urlsplit(opened.headers["Location"]).path == "/reset"
    page = client.get("/reset")
    assert page.status_code == 200
    assert link.rsplit("/", 1)[1] not in page.get_data(as_text=True)  # the form page carries no token
    done = client.post("/reset", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and urlsplit(done.headers["Location"]).path == "/login"
    assert not signed_in(client)  # the reset signs nobody in
    assert not signed_in(phone)  # and every other session has ended
    assert password_step(fresh_client(app), CITIZEN).status_code == 401  # the old password is gone
    assert password_step(fresh_client(app), CITIZEN, NEW_PASSWORD).status_code == 302
    assert count("password_reset_requested", account.id) == 1
    assert count("password_reset_used", account.id) == 1
    # Used: the same link again is refused, also from another browser.
    for browser in (client, fresh_client(app)):
        again = browser.get(link)
        assert again.status_code == 404
        assert translated(app, "vi", "This link no longer works") in again.get_data(as_text=True)


def test_an_expired_link_is_refused(app, outbox, monkeypatch):
    ask(fresh_client(app), CITIZEN)
    link = link_from(outbox)
    later = utcnow() + reset.LIFETIME + timedelta(seconds=1)
    monkeypatch.setattr(reset, "utcnow", lambda: later)
    assert fresh_client(app).get(link).status_code == 404


def test_a_link_opened_before_it_expired_cannot_be_used_after(app, outbox, monkeypatch):
    ask(fresh_client(app), CITIZEN)
    client = fresh_client(app)
    assert client.get(link_from(outbox)).status_code == 302
    later = utcnow() + reset.LIFETIME + timedelta(seconds=1)
    monkeypatch.setattr(reset, "utcnow", lambda: later)
    assert client.post("/reset", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 404
    assert password_step(fresh_client(app), CITIZEN, NEW_PASSWORD).status_code == 401


def test_a_newer_link_closes_the_older_one(app, outbox):
    ask(fresh_client(app), CITIZEN)
    first = link_from(outbox)
    ask(fresh_client(app), CITIZEN)
    second = link_from(outbox)
    assert first != second
    assert fresh_client(app).get(first).status_code == 404
    assert set_password(fresh_client(app), second).status_code == 302


def test_a_password_change_closes_the_link(app, outbox):
    ask(fresh_client(app), LEADER)
    link = link_from(outbox)
    admin_operations.reset_password(account_of(LEADER), account_of(ADMIN), "Quan-tri-dat-lai-2026")
    assert fresh_client(app).get(link).status_code == 404


def test_the_reset_never_bypasses_the_second_factor(app, outbox, enrol):
    secret = enrol(LEADER)
    ask(fresh_client(app), LEADER)
    client = fresh_client(app)
    assert set_password(client, link_from(outbox)).status_code == 302
    assert not signed_in(client)
    response = password_step(client, LEADER, NEW_PASSWORD)
    assert urlsplit(response.headers["Location"]).path == "/login/two-factor"
    assert not signed_in(client)
    assert client.get("/staff/").status_code == 302
    assert client.post("/login/two-factor", data={"code": code_at(secret)}).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_new_password_follows_the_rules(app, outbox, lang):
    ask(fresh_client(app), CITIZEN)
    client = fresh_client(app)
    client.get(link_from(outbox))
    short = client.post(f"/reset?lang={lang}", data={"password": "ngan", "confirm": "ngan"})
    assert short.status_code == 400
    assert translated(app, lang, "The password must have at least 8 characters.") in short.get_data(
        as_text=True
    )
    common = client.post(f"/reset?lang={lang}", data={"password": "password", "confirm": "password"})
    assert translated(
        app, lang, "This password is too common. Choose a longer, less predictable one."
    ) in common.get_data(as_text=True)
    different = client.post(
        f"/reset?lang={lang}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}
    )
    assert translated(app, lang, "The two passwords are not the same.") in different.get_data(as_text=True)
    # None of that used the link up.
    assert client.post("/reset", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302


def test_requests_are_limited_per_e_mail(app, outbox):
    for number in range(reset_routes().REQUESTS_PER_EMAIL):
        assert ask(fresh_client(app, f"203.0.113.{number + 1}"), CITIZEN).status_code == 200
    response = ask(fresh_client(app, "203.0.113.99"), email_of(CITIZEN).upper())
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    message = "Too many requests for a new password. Please wait and try again later."
    assert translated(app, "vi", message) in response.get_data(as_text=True)
    assert len(outbox) == reset_routes().REQUESTS_PER_EMAIL


def test_requests_are_limited_per_address(app, outbox):
    client = fresh_client(app, "203.0.113.60")
    for number in range(reset_routes().REQUESTS_PER_ADDRESS):
        assert ask(client, f"khongco{number}@example.vn").status_code == 200
    assert ask(client, CITIZEN).status_code == 429
    assert outbox == []


def test_a_disabled_account_gets_no_link(app, outbox):
    account_of(CITIZEN).is_enabled = False
    db.session.flush()
    assert ask(fresh_client(app), CITIZEN).status_code == 200
    assert outbox == []


def test_a_made_up_link_is_refused(app):
    for token in ("abc", "x" * 43, "x" * 500):
        assert fresh_client(app).get(f"/reset/{token}").status_code == 404
    assert fresh_client(app).get("/reset").status_code == 404


def reset_routes():
    from portal.accounts import routes_reset

    return routes_reset
