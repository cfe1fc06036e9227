"""Reads about staff accounts that other features ask: who in an agency may be given a case."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from portal.domain.collation import person_key
from portal.domain.roles import ASSIGNEES, Role
from portal.extensions import db

from .models import Account


def assignable(agency_id: int) -> Sequence[Account]:
    """The agency's enabled processors and leaders, by name as official lists order people (given name,
    then full name, in Vietnamese order): the choices of an "assign to" list."""
    found = db.session.scalars(
        select(Account).where(
            Account.agency_id == agency_id, Account.is_enabled, Account.role.in_(sorted(ASSIGNEES))
        )
    ).all()
    return sorted(found, key=lambda account: person_key(account.full_name))


def assignee_in(agency_id: int, account_id: int | None) -> Account | None:
    """The account if a case of this agency may be given to it, else None."""
    account = db.session.get(Account, account_id) if account_id else None
    if account is None or not account.is_enabled or account.role not in ASSIGNEES:
        return None
    return account if account.agency_id == agency_id else None


def leaders_of(agency_id: int) -> Sequence[Account]:
    """The agency's enabled leaders: who is alerted to an urgent report."""
    return db.session.scalars(
        select(Account)
        .where(Account.agency_id == agency_id, Account.is_enabled, Account.role == Role.LEADER.value)
        .order_by(Account.id)
    ).all()
