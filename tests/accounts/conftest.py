"""Fixtures for sign-in security: enrolled accounts, the two-factor policy, a movable clock, mail capture."""

from __future__ import annotations

import time
from dataclasses import replace

import pyotp
import pytest

from portal import mail
from portal.accounts import sessions, totp
from portal.accounts.models import SignInPolicy
from portal.accounts.operations import find_by_email
from portal.demo import DEMO_PASSWORD
from portal.extensions import db
from tests.support.factories import enrol_second_factor

LEADER = "lanhdao@demo.sonla.vn"
PROCESSOR = "xuly@demo.sonla.vn"
ADMIN = "admin@demo.sonla.vn"
AGENCY_ADMIN = "quantri.xa@demo.sonla.vn"
CITIZEN = "congdan@demo.sonla.vn"
WRONG = "Sai-mat-khau-2026"


def password_step(client, email: str, password: str = DEMO_PASSWORD, query: str = ""):
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
    """enrol(account or e-mail) gives the account an authenticator (a confirmed enrolment); returns the secret."""

    def make(email: str) -> str:
        return enrol_second_factor(find_by_email(email) if isinstance(email, str) else email)

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
    """Mail the portal would send, rendered as it would be: [(to, subject, body)]."""
    sent = []

    def send(to, template, locale, **context):
        subject, body = mail.render(template, locale, base_url="http://localhost", **context)
        sent.append((to, subject, body))
        return True

    monkeypatch.setattr(mail, "send", send)
    return sent
