"""Audit of refused bank notifications, without letting refusals flood the audit log. Flush, never commit.

A refused call (bad or stale signature, malformed body) is counted in `webhook_refusals`, one row per source
and minute, with one atomic INSERT … ON CONFLICT DO UPDATE … RETURNING (as portal/sequences.py), so the count
is exact across workers and processes. Only the first refusal of a row writes an Event (subject
"bank_webhook", action "webhook_refused"): at most one audit line per address per minute, and at most
MAX_SOURCES_PER_MINUTE + 1 a minute in all (beyond that many addresses, the rest share the source "*").
The event keeps the reason, the body's length and a short SHA-256 prefix; never the unauthenticated body.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select

from portal.db_types import utcnow
from portal.events.operations import record
from portal.extensions import db
from portal.sequences import upsert_insert
from portal.throttle import source_of

from .models import WebhookRefusal

MAX_SOURCES_PER_MINUTE = 100
OVERFLOW = "*"


def _count(source: str, minute: datetime, reason: str) -> tuple[int, int]:
    statement = upsert_insert(WebhookRefusal).values(
        source=source, minute=minute, count=1, last_reason=reason
    )
    statement = statement.on_conflict_do_update(
        index_elements=[WebhookRefusal.source, WebhookRefusal.minute],
        set_={"count": WebhookRefusal.count + 1, "last_reason": reason},
    ).returning(WebhookRefusal.id, WebhookRefusal.count)
    row_id, count = db.session.execute(statement).one()
    return row_id, count


def record_refusal(reason: str, address: str | None, body: bytes, now: datetime | None = None) -> bool:
    """Count one refused call; the first of its source's minute goes to the audit log (returns whether)."""
    now = now or utcnow()
    minute = now.replace(second=0, microsecond=0)
    source = source_of(address)
    known = db.session.scalar(
        select(WebhookRefusal.id).where(WebhookRefusal.source == source, WebhookRefusal.minute == minute)
    )
    if (
        known is None
        and db.session.execute(
            select(func.count(WebhookRefusal.id)).where(WebhookRefusal.minute == minute)
        ).scalar_one()
        >= MAX_SOURCES_PER_MINUTE
    ):
        source = OVERFLOW  # many addresses at once: one more line a minute, whatever their number
    row_id, count = _count(source, minute, reason)
    if count > 1:
        return False
    digest = hashlib.sha256(body).hexdigest()[:16]
    record(
        "bank_webhook",
        row_id,
        "webhook_refused",
        note=f"{reason}; {source}; {len(body)} bytes, sha256 {digest}…",
    )
    return True
