"""Staff sessions end after PORTAL_STAFF_IDLE_MINUTES without a request (issue 9 item 9); citizens keep
their sessions. The last activity lives in the session cookie: no database write per request."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from portal.settings import Settings, SettingsError
from tests.accounts.conftest import CITIZEN, PROCESSOR, password_step, signed_in
from tests.accounts.test_routes import translated
from tests.conftest import html_lang
from tests.support.clients import fresh_client
from tests.support.factories import account

MINUTE = 60


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_staff_session_ends_after_30_idle_minutes_and_returns_to_the_page(app, clock, lang):
    client = fresh_client(app)
    password_step(client, PROCESSOR)
    assert client.get("/staff/feedback").status_code == 200
    clock.advance(30 * MINUTE + 1)
    response = client.get(f"/staff/feedback?q=den&lang={lang}")
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == [f"/staff/feedback?q=den&lang={lang}"]
    page = client.get(response.headers["Location"])
    body = page.get_data(as_text=True)
    assert html_lang(body) == lang
    message = translated(
        app, lang, "You were signed out after %(minutes)d minutes without activity. Please sign in again."
    ).replace("%(minutes)d", "30")
    assert message in body
    assert not signed_in(client)
    # Signing in again goes back to the page.
    again = client.post(
        response.headers["Location"],
        data={"email": account(PROCESSOR).email, "password": account(PROCESSOR).plain_password},
    )
    assert again.headers["Location"].endswith(f"/staff/feedback?q=den&lang={lang}")


def test_activity_keeps_a_staff_session_alive(app, clock):
    client = fresh_client(app)
    password_step(client, PROCESSOR)
    for _ in range(6):  # three hours, a request every 29 minutes
        clock.advance(29 * MINUTE)
        assert client.get("/staff/feedback").status_code == 200
    assert signed_in(client)


def test_a_replayed_old_cookie_is_idle_too(app, clock):
    client = fresh_client(app)
    password_step(client, PROCESSOR)
    name = app.config["SESSION_COOKIE_NAME"]
    captured = client.get_cookie(name).value
    for _ in range(3):
        clock.advance(20 * MINUTE)
        client.get("/staff/feedback")
    client.set_cookie(name, captured)  # the copy's last activity is an hour old
    assert client.get("/staff/feedback").status_code == 302


def test_citizens_keep_todays_behaviour(app, clock):
    client = fresh_client(app)
    password_step(client, CITIZEN)
    clock.advance(5 * 3600)
    assert client.get("/dossiers/mine").status_code == 200
    assert signed_in(client)


def test_a_form_sent_after_the_idle_period_is_not_acted_on(app, clock):
    client = fresh_client(app)
    password_step(client, PROCESSOR)
    clock.advance(31 * MINUTE)
    response = client.post("/staff/queue/take-next", headers={"Referer": "http://localhost/staff/?mine=1"})
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == ["/staff/?mine=1"]


def test_the_idle_period_is_configurable(app, clock, settings):
    settings(staff_idle_minutes=5)
    client = fresh_client(app)
    password_step(client, PROCESSOR)
    clock.advance(4 * MINUTE)
    assert client.get("/staff/feedback").status_code == 200
    clock.advance(5 * MINUTE + 1)
    assert client.get("/staff/feedback").status_code == 302


def test_ordinary_requests_do_not_rewrite_the_cookie_every_time(app, clock):
    client = fresh_client(app)
    password_step(client, PROCESSOR)
    client.get("/staff/feedback")
    clock.advance(10)
    quiet = client.get("/staff/feedback")
    assert app.config["SESSION_COOKIE_NAME"] not in quiet.headers.get("Set-Cookie", "")
    clock.advance(2 * MINUTE)
    assert app.config["SESSION_COOKIE_NAME"] in client.get("/staff/feedback").headers.get("Set-Cookie", "")


def test_setting_from_the_environment(tmp_path):
    base = {"PORTAL_INSTANCE_PATH": str(tmp_path)}
    assert Settings.from_env(base).staff_idle_minutes == 30
    assert Settings.from_env({**base, "PORTAL_STAFF_IDLE_MINUTES": "15"}).staff_idle_minutes == 15
    for wrong in ("0", "abc", "-5", "2000"):
        with pytest.raises(SettingsError, match="PORTAL_STAFF_IDLE_MINUTES"):
            Settings.from_env({**base, "PORTAL_STAFF_IDLE_MINUTES": wrong})


@pytest.mark.parametrize("wrong", ["²", "３０", "1e3", "30 min"])
def test_a_setting_that_only_looks_like_digits_is_a_clear_refusal(tmp_path, wrong):
    """ "²".isdigit() is True but int("²") fails: it must be refused like any other value, not crash."""
    with pytest.raises(SettingsError, match="PORTAL_STAFF_IDLE_MINUTES"):
        Settings.from_env({"PORTAL_INSTANCE_PATH": str(tmp_path), "PORTAL_STAFF_IDLE_MINUTES": wrong})


def test_an_active_staff_session_still_ends_12_hours_after_sign_in(app, clock):
    """SECURITY.md check 5: 30 minutes idle, and 12 hours absolute. Activity rewrites the signed cookie every
    minute, so a session kept busy (or a copied cookie kept in use) never ended before."""
    client = fresh_client(app)
    password_step(client, PROCESSOR)
    for _ in range(24):  # twelve hours, a request every 29 minutes
        clock.advance(29 * MINUTE)
        assert client.get("/staff/feedback").status_code == 200
    clock.advance(29 * MINUTE)  # 12 h 05 min after signing in
    response = client.post("/staff/feedback/PA-000000-0000/accept", data={})
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        translated(
            app,
            "vi",
            "You were signed out because you signed in more than %(hours)d hours ago. Please sign in again.",
        ).replace("%(hours)d", "12")
        in body
    )
    assert not signed_in(client)
    # A new sign-in starts a new 12 hours.
    password_step(client, PROCESSOR)
    assert client.get("/staff/feedback").status_code == 200


def test_citizens_sessions_have_no_12_hour_limit(app, clock):
    client = fresh_client(app)
    password_step(client, CITIZEN)
    for _ in range(30):
        clock.advance(29 * MINUTE)
        client.get("/")
    assert signed_in(client)
