"""Fixtures for sign-in security: enrolled accounts, the two-factor policy, a movable clock, mail capture."""

from __future__ import annotations

import time
from dataclasses import replace

import pyotp
import pytest

from portal.accounts import sessions, totp
from portal.accounts.models import Account, SignInPolicy
from portal.extensions import db
from portal.settings import Smtp
from tests.support.clients import password_of
from tests.support.factories import account, enrol_second_factor
from tests.support.jobs import QueuedMail

# Roles, not demo e-mail addresses: each names this test's fresh account of that role (Tô Hiệu ward for
# the agency roles), made by tests.support.factories on first use; account(LEADER) gives it.
LEADER = "leader"
PROCESSOR = "processor"
ADMIN = "admin"
AGENCY_ADMIN = "agency_admin"
CITIZEN = "citizen"
WRONG = "Sai-mat-khau-2026"


def email_of(who: Account | str) -> str:
    """The e-mail to type for `who`: an Account's, a role's fresh account's, or the address as given."""
    if isinstance(who, str) and "@" in who:
        return who
    return account(who).email


def password_step(client, who: Account | str, password: str | None = None, query: str = ""):
    """Post the password form as `who` (an Account, a role name, or any e-mail address), with the account's
    own password unless another is given."""
    email = email_of(who)
    if password is None:
        password = password_of(who if isinstance(who, Account) else email)
    return client.post(f"/login{query}", data={"email": email, "password": password})


def signed_in(client) -> bool:
    return (
        'action="/logout"' in client.get("/").get_data(as_text=True)
        and client.get("/login").status_code == 302
    )


def code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset_steps * totp.STEP_SECONDS)


@pytest.fixture
def enrol(app):
    """enrol(account, role name or e-mail) gives the account an authenticator (a confirmed enrolment); returns
    the secret."""

    def make(who: Account | str) -> str:
        return enrol_second_factor(account(who))

    return make


@pytest.fixture
def require_two_factor():
    """Turn the administrator's "two-step sign-in required for staff" on (or off) for this test."""

    def set_policy(required: bool = True) -> None:
        row = db.session.get(SignInPolicy, 1)
        if row is None:
            db.session.add(SignInPolicy(id=1, require_staff_two_factor=required))
        else:
            row.require_staff_two_factor = required
        db.session.flush()

    return set_policy


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    """The clock sessions use (idle time, the half-signed state), frozen and moved by hand."""
    fake = Clock()
    monkeypatch.setattr(sessions, "clock", fake)
    return fake


@pytest.fixture
def settings(app, monkeypatch):
    """settings(**changes) replaces the running app's settings for this test."""

    def change(**values):
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(app.config["PORTAL_SETTINGS"], **values))

    return change


@pytest.fixture
def outbox(monkeypatch, app):
    """Mail the portal queued, rendered as it will be sent: [(to, subject, body)] (a mail server is
    configured for the test, so routes queue their mail; tests/support/jobs.py)."""
    smtp = Smtp(host="127.0.0.1", port=9)  # never contacted: no worker runs here
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(app.config["PORTAL_SETTINGS"], smtp=smtp))
    return QueuedMail()
