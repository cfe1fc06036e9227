"""What the papers read beyond the dossier itself: who did what, and when, from the event log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.accounts.models import Account
from portal.events.models import Event
from portal.extensions import db


@dataclass(frozen=True)
class Step:
    """One recorded action on a dossier: what, when, by whom (the officer's full name, "" for the portal
    itself or the citizen), and its note."""

    action: str
    at: datetime
    actor: str
    note: str


def steps(dossier_id: int) -> list[Step]:
    """The dossier's actions in order (reads of the record are not actions)."""
    rows = db.session.execute(
        select(Event.action, Event.occurred_at, Account.full_name, Event.note)
        .outerjoin(Account, Account.id == Event.actor_id)
        .where(
            Event.subject_type == "dossier",
            Event.subject_id == dossier_id,
            Event.action.not_in(("viewed", "file_downloaded")),
        )
        .order_by(Event.occurred_at, Event.id)
    ).all()
    return [Step(action, at, name or "", note or "") for action, at, name, note in rows]


def last_step(all_steps: list[Step], action: str) -> Step | None:
    """The latest `action`, if any."""
    return next((step for step in reversed(all_steps) if step.action == action), None)
