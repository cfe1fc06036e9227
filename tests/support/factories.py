"""Factory fixtures (Indico-style): each returns a function that makes a fresh object for this test, with
unique names and e-mail addresses, inside the test's rolled-back transaction.

    def test_something(create_account, client):
        leader = create_account("leader")                  # of Tô Hiệu ward, like the demo staff
        sign_in(client, leader)

`people` gives one fresh account per role on first use (people.processor, people.leader, ...), all of
Tô Hiệu ward for the agency roles: a test about a role rather than about the demo data asks for these
instead of signing in as a demo account. The same per-test set answers `fresh("processor")`, and the
look-ups that take "who" (`account`, `sign_in`, `signed_in`, the `login` fixture) take a role name for it:

    PROCESSOR = "processor"                               # a role, not a demo e-mail address
    signed_in(app, PROCESSOR); account(PROCESSOR).id      # this test's fresh processor of Tô Hiệu

An e-mail address still names an existing account (the demo ones, for tests about the demo data).
"""

from __future__ import annotations

import itertools
import secrets
from datetime import datetime

import pytest
from flask import current_app
from sqlalchemy import select

from portal.accounts import totp
from portal.accounts.models import Account, SecondFactor
from portal.accounts.operations import create_account as create_account_operation
from portal.agencies.models import Agency
from portal.domain.roles import PROVINCE_ROLES, STAFF_ROLES
from portal.extensions import db

TO_HIEU = "ubnd-phuong-to-hieu"  # the demo staff's agency (a ward of Sơn La city)
HEALTH = "so-y-te"  # the Department of Health
PASSWORD = "Kh0ng-doan-duoc-2026!"  # strong enough for the password rules
_DEFAULT = object()
PASSWORDS: dict[str, str] = {}  # e-mail -> password of the accounts made here (for sign_in by e-mail)
_serial = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_serial)}-{secrets.token_hex(3)}"


def agency_by_slug(slug: str) -> Agency:
    found = db.session.scalar(select(Agency).where(Agency.slug == slug))
    assert found is not None, slug
    return found


def make_agency(
    kind: str = "department", *, name: str | None = None, admin_unit_code: str | None = None
) -> Agency:
    slug = unique("co-quan")
    agency = Agency(
        code=slug.upper()[:40],
        slug=slug,
        name=name or f"Cơ quan thử {slug}",
        name_en=f"Test agency {slug}",
        kind=kind,
        admin_unit_code=admin_unit_code,
    )
    db.session.add(agency)
    db.session.flush()
    return agency


def enrol_second_factor(account: Account) -> str:
    """Give the account an authenticator, as a confirmed enrolment would; returns the secret."""
    secret = totp.new_secret()
    db.session.add(
        SecondFactor(
            account_id=account.id, secret_encrypted=totp.encrypt(secret, current_app.config["SECRET_KEY"])
        )
    )
    db.session.flush()
    return secret


def make_account(
    role: str = "citizen",
    *,
    agency: Agency | str | None = _DEFAULT,
    password: str = PASSWORD,
    email: str | None = None,
    full_name: str | None = None,
    phone: str | None = None,
    two_factor: bool = False,
) -> Account:
    """A fresh account. Agency-bound staff roles belong to Tô Hiệu ward unless `agency` says otherwise
    (an Agency, a slug, or None); `account.plain_password` keeps the password for sign_in, and with
    two_factor=True `account.totp_secret` the authenticator's secret."""
    if agency is _DEFAULT:
        agency = TO_HIEU if role in STAFF_ROLES and role not in PROVINCE_ROLES else None
    slug = agency.slug if isinstance(agency, Agency) else agency
    account = create_account_operation(
        email=email or f"{unique(role)}@test.example.vn",
        password=password,
        full_name=full_name or f"Người thử {role}",
        role=role,
        agency_slug=slug,
        phone=phone,
    )
    db.session.flush()
    account.plain_password = PASSWORDS[account.email] = password
    account.totp_secret = enrol_second_factor(account) if two_factor else None
    return account


class People:
    """One fresh account per role, made on first use: people.processor, people.citizen, ..."""

    def __init__(self) -> None:
        self._made: dict[str, Account] = {}

    def __getattr__(self, role: str) -> Account:
        if role.startswith("_"):
            raise AttributeError(role)
        return self[role]

    def __getitem__(self, role: str) -> Account:
        if role not in self._made:
            self._made[role] = make_account(role)
        return self._made[role]


_current: list[People] = []  # the running test's set (tests.conftest._isolated opens and closes it)


def open_people() -> People:
    _current[:] = [People()]
    return _current[0]


def close_people() -> None:
    _current.clear()


def fresh(role: str) -> Account:
    """This test's fresh account of `role` (the same one every time within a test)."""
    assert _current, "fresh accounts need a test that uses the app fixture"
    return _current[0][role]


@pytest.fixture
def create_agency(app):
    """create_agency(kind="department", *, name=None, admin_unit_code=None) -> Agency"""
    return make_agency


@pytest.fixture
def create_account(app):
    """create_account(role="citizen", *, agency=Tô Hiệu for agency roles, password=PASSWORD, email=None,
    full_name=None, phone=None, two_factor=False) -> Account"""
    return make_account


@pytest.fixture
def people(app) -> People:
    """Fresh accounts by role (agency roles in Tô Hiệu ward), made when first asked for; the same set as
    fresh(role) and the role names given to account/sign_in within the test."""
    return _current[0] if _current else open_people()


@pytest.fixture
def create_feedback(app):
    """create_feedback(**kw) -> Feedback: a submitted item, in Tô Hiệu's queue unless agency=None
    (keywords as tests.support.feedback.make_item)."""
    from tests.support.feedback import make_item

    return make_item


@pytest.fixture
def create_dossier(app):
    """create_dossier(procedure=PROCEDURE, *, received=False, applicant=None, now=None, **person) -> Dossier:
    submitted online (status 1), or received at the counter by a fresh receptionist with received=True."""
    from tests.support.dossiers import make_dossier

    return make_dossier


@pytest.fixture
def create_payment(app):
    """create_payment(dossier=None) -> Payment: the pending payment of a dossier that owes its fee
    (a fresh dossier of the default procedure submitted online, 7.000 ₫, unless one is given)."""
    from tests.support.dossiers import make_dossier

    def make(dossier=None, now: datetime | None = None):
        from portal.payments.operations import create_for

        return create_for(dossier if dossier is not None else make_dossier(now=now))

    return make


def account(who: Account | str) -> Account:
    """An account: an Account as it is, a role name as this test's fresh account of that role (fresh()),
    an e-mail address as the existing account (the demo ones, for tests about the demo data)."""
    if isinstance(who, Account):
        return who
    if "@" not in who:
        return fresh(who)
    from portal.accounts.operations import find_by_email

    found = find_by_email(who)
    assert found is not None, who
    return found


def other_agency_staff(role: str = "processor", slug: str = HEALTH) -> Account:
    """A fresh member of staff of another agency than Tô Hiệu (the Department of Health by default)."""
    return make_account(role, agency=slug)
