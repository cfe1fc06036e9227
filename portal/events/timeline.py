"""Timelines built from events: what the citizen sees, and everything for staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.extensions import db

from .describe import action_label, note_text
from .models import Event
from .registry import actors

# Reads of an item (record views, file downloads) stay in the audit log; on its timeline they are noise.
AUDIT_ONLY = ("viewed", "file_downloaded")


@dataclass(frozen=True)
class Entry:
    at: datetime
    label: str
    note: str
    public: bool
    actor: str
    event_id: int = 0  # the line's event (a feature may show what hangs off it: a reply's photos)


def entries(subject_type: str, subject_id: int, labels: dict, public_only: bool) -> list[Entry]:
    """The timeline of one subject. An action's name comes from `labels` (the subject's own feature), else
    from what other features registered for the subject type (payments, the queue), never the bare code."""
    who = actors()  # the accounts feature's table and name column, registered at start-up
    statement = (
        select(Event, who.name)
        .outerjoin(who.model, who.id == Event.actor_id)
        .where(Event.subject_type == subject_type, Event.subject_id == subject_id)
        .order_by(Event.occurred_at, Event.id)
    )
    if public_only:
        statement = statement.where(Event.is_public)
    else:
        statement = statement.where(Event.action.not_in(AUDIT_ONLY))
    # The citizen sees what the agency did, not which officer did it.
    return [
        Entry(
            event.occurred_at,
            str(labels[event.action]) if event.action in labels else action_label(subject_type, event.action),
            note_text(subject_type, event.action, event.note),
            event.is_public,
            "" if public_only else (actor or ""),
            event.id,
        )
        for event, actor in db.session.execute(statement).all()
    ]
