"""Nobody can lock a member of staff out (issue 9 item 5): OWASP's device cookies.

The probe: six wrong passwords for lanhdao@… from elsewhere locked the real leader out for a minute, and an
attacker could keep doing it. Now failures from browsers without the leader's device cookie exhaust only
the budget of untrusted clients; the leader's own browser has its own budget.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from portal import throttle
from portal.accounts import limits
from tests.accounts.conftest import LEADER, PROCESSOR, WRONG, code_at, email_of, password_step, signed_in
from tests.support.clients import fresh_client
from tests.support.factories import account as account_of


def leaders_browser(app):
    """The leader's usual browser: it signed in before, so it holds a device cookie."""
    browser = fresh_client(app, "192.0.2.10")
    assert password_step(browser, LEADER).status_code == 302
    assert browser.get_cookie("portal_device") is not None
    browser.post("/logout")
    return browser


def attack(app, who: str, attempts: int, addresses: int = 10) -> list[int]:
    """Wrong passwords for `who` from `addresses` different addresses, never with a device cookie."""
    statuses = []
    for number in range(attempts):
        attacker = fresh_client(app, f"203.0.113.{number % addresses + 1}")
        statuses.append(password_step(attacker, who, WRONG).status_code)
    return statuses


def test_an_attacker_cannot_lock_the_leader_out_of_their_usual_browser(app):
    browser = leaders_browser(app)
    statuses = attack(app, LEADER, 25)
    assert set(statuses) == {401, 429} and statuses[-1] == 429
    response = password_step(browser, LEADER)
    assert response.status_code == 302, response.status_code
    assert signed_in(browser)


def test_the_attacker_is_stopped(app):
    leaders_browser(app)
    statuses = attack(app, LEADER, 30)
    # Every attempt counts (the leader's own first sign-in from that browser was one): at most five a minute
    # from all untrusted clients together, wherever they come from.
    assert statuses.count(401) <= limits.ACCOUNT_LIMIT
    assert statuses[statuses.index(429) :] == [429] * (30 - statuses.index(429))
    # Even the right password is refused to an untrusted client while the account's budget is spent.
    stranger = fresh_client(app, "198.51.100.20")
    response = password_step(stranger, LEADER)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= limits.WINDOW
    assert not signed_in(stranger)


def test_the_leaders_own_wrong_tries_are_limited_on_their_browser(app):
    browser = leaders_browser(app)
    for _ in range(limits.DEVICE_LIMIT):
        assert password_step(browser, LEADER, WRONG).status_code == 401
    response = password_step(browser, LEADER)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    # That spent the device's budget only: the untrusted budget is untouched.
    assert password_step(fresh_client(app, "198.51.100.21"), LEADER).status_code == 302


def test_a_device_cookie_of_another_account_gives_no_trust(app):
    browser = fresh_client(app, "192.0.2.11")
    assert password_step(browser, PROCESSOR).status_code == 302  # a cookie for the processor
    browser.post("/logout")
    attack(app, LEADER, 5)
    assert password_step(browser, LEADER).status_code == 429


def test_a_forged_or_altered_device_cookie_gives_no_trust(app):
    browser = leaders_browser(app)
    genuine = browser.get_cookie("portal_device").value
    attack(app, LEADER, 5)
    for forged in (
        "x",
        genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB"),
        f'{{"{account_of(LEADER).id}": "guess"}}',
    ):
        browser.set_cookie("portal_device", forged)
        assert password_step(browser, LEADER).status_code == 429, forged


def test_the_per_address_limit_still_holds_for_untrusted_clients(app):
    client = fresh_client(app, "203.0.113.77")
    for number in range(limits.ADDRESS_LIMIT):
        assert password_step(client, f"khongco{number}@example.vn", WRONG).status_code == 401
    assert password_step(client, PROCESSOR).status_code == 429


def test_one_browser_remembers_several_officers(app):
    desk = fresh_client(app, "192.0.2.12")
    for email in (LEADER, PROCESSOR):
        assert password_step(desk, email).status_code == 302
        desk.post("/logout")
    attack(app, LEADER, 6)
    attack(app, PROCESSOR, 6)
    assert password_step(desk, LEADER).status_code == 302
    desk.post("/logout")
    assert password_step(desk, PROCESSOR).status_code == 302


def test_an_attacker_who_knows_the_password_cannot_lock_the_second_step(app, enrol):
    secret = enrol(LEADER)
    browser = fresh_client(app, "192.0.2.13")
    password_step(browser, LEADER)
    assert browser.post("/login/two-factor", data={"code": code_at(secret)}).status_code == 302
    browser.post("/logout")
    # A phished password: the attacker passes the first step, then guesses codes until stopped.
    attacker = fresh_client(app, "203.0.113.50")
    assert password_step(attacker, LEADER).status_code == 302
    statuses = [attacker.post("/login/two-factor", data={"code": "000000"}).status_code for _ in range(12)]
    assert statuses[-1] == 429
    # The leader's browser still passes both steps.
    password_step(browser, LEADER)
    response = browser.post("/login/two-factor", data={"code": code_at(secret, 1)})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/staff/queue"  # the leader's queue
    assert signed_in(browser)


def test_a_phished_password_gives_a_few_code_guesses_a_day_not_thousands(app, enrol):
    """Five guesses a minute, renewed every minute, were 7,200 guesses of the 6-digit code a day for
    someone holding the password. Untrusted clients now get a daily budget per account; the member's
    usual browser keeps its own."""
    secret = enrol(LEADER)
    account = account_of(LEADER)
    browser = fresh_client(app, "192.0.2.14")
    password_step(browser, LEADER)
    assert browser.post("/login/two-factor", data={"code": code_at(secret)}).status_code == 302
    browser.post("/logout")
    attacker = fresh_client(app, "203.0.113.60")
    assert password_step(attacker, LEADER).status_code == 302
    wrong = f"{(int(code_at(secret)) + 5) % 1_000_000:06d}"
    statuses = []
    for _minute in range(8):  # eight minutes of five guesses: the per-minute budget renews each time
        throttle.clear(f"2fa:account:{account.id}")
        throttle.clear("2fa:ip:203.0.113.60")
        statuses += [attacker.post("/login/two-factor", data={"code": wrong}).status_code for _ in range(5)]
    # The leader's first code from their browser (before it had a device cookie) was one of the day's.
    assert statuses.count(401) == limits.PER_DAY["2fa"] - 1
    throttle.clear(f"2fa:account:{account.id}")
    response = attacker.post("/login/two-factor", data={"code": code_at(secret, 1)})  # even the right code
    assert response.status_code == 429
    assert 3600 < int(response.headers["Retry-After"]) <= limits.DAY
    assert "trình duyệt" in response.get_data(as_text=True)
    assert not signed_in(attacker)
    password_step(browser, LEADER)
    assert browser.post("/login/two-factor", data={"code": code_at(secret, 1)}).status_code == 302
    assert signed_in(browser)


def test_wrong_passwords_from_untrusted_clients_are_capped_per_day(app):
    account = account_of(PROCESSOR)
    statuses = []
    for minute in range(25):  # 25 minutes of five wrong passwords from ever new addresses
        throttle.clear(f"login:account:{email_of(PROCESSOR)}")
        statuses += [
            password_step(fresh_client(app, f"203.0.{minute}.{n + 1}"), PROCESSOR, WRONG).status_code
            for n in range(5)
        ]
    assert statuses.count(401) == limits.PER_DAY["login"]
    throttle.clear(f"login:account:{email_of(PROCESSOR)}")
    assert password_step(fresh_client(app, "198.51.100.61"), PROCESSOR).status_code == 429
    assert account.is_enabled


def test_a_device_cookie_from_a_shared_desk_computer_gives_a_few_guesses_a_day_not_thousands(
    app, monkeypatch
):
    """The desk computer remembers several officers (their device cookies); whoever sits there, or copies
    the cookie elsewhere, had five guesses a minute at a colleague's password, every minute of every day.
    A device that has used up its day is treated like any unknown browser."""
    # The test plays 25 minutes by clearing the device's minute by hand; the account's minute must not
    # renew by itself on a slow machine (a real minute passing gave 5 more guesses: 107 > 105, seen on a busy machine).
    monkeypatch.setattr(limits, "WINDOW", 3600)
    own = leaders_browser(app)
    desk = fresh_client(app, "192.0.2.15")
    assert password_step(desk, LEADER).status_code == 302  # the leader signed in at the desk once
    desk.post("/logout")
    account = account_of(LEADER)
    cookie = desk.get_cookie("portal_device").value
    with app.test_request_context(headers={"Cookie": f"portal_device={cookie}"}):
        device = limits.trusted_device(account.id)
    statuses = []
    for _minute in range(25):  # 25 minutes of five wrong passwords; the device's minute renews each time
        throttle.clear(f"login:device:{account.id}:{device}")
        statuses += [password_step(desk, LEADER, WRONG).status_code for _ in range(5)]
    assert statuses.count(401) <= limits.PER_DAY["login"] + limits.ACCOUNT_LIMIT
    assert statuses[-1] == 429
    # The leader's own browser is another device, with its own day.
    assert password_step(own, LEADER).status_code == 302
