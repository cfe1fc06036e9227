"""Timelines of a feedback item: what the citizen sees, and everything for staff."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.accounts.models import Account
from portal.events.models import Event
from portal.extensions import db

from .labels import EVENT


@dataclass(frozen=True)
class Entry:
    at: datetime
    label: str
    note: str
    public: bool
    actor: str


def _entries(item, public_only: bool) -> list[Entry]:
    statement = (select(Event, Account.full_name).outerjoin(Account, Account.id == Event.actor_id)
                 .where(Event.subject_type == "feedback", Event.subject_id == item.id)
                 .order_by(Event.occurred_at, Event.id))
    if public_only:
        statement = statement.where(Event.is_public)
    else:  # record views stay in the audit log; on the item's timeline they are noise
        statement = statement.where(Event.action != "viewed")
    entries = []
    for event, actor in db.session.execute(statement).all():
        label = EVENT.get(event.action, event.action)
        # The citizen sees what the agency did, not which officer did it.
        entries.append(Entry(event.occurred_at, str(label), event.note, event.is_public,
                             "" if public_only else (actor or "")))
    return entries


def public_timeline(item) -> list[Entry]:
    return _entries(item, public_only=True)


def staff_timeline(item) -> list[Entry]:
    return _entries(item, public_only=False)
