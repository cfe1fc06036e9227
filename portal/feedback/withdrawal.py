"""The citizen withdraws a report nobody has answered yet (no longer needed, sent by mistake): it leaves
the agency's queue, closed, and the public timeline says so. Flush, never commit."""

from __future__ import annotations

from portal.db_types import utcnow
from portal.domain.text import clean_lines
from portal.events.operations import record

from .models import Feedback

WITHDRAWABLE = ("new", "accepted", "info_requested")
ACTION = "withdrawn"


class NotWithdrawable(Exception):
    """Answered, refused or closed already: there is nothing left to withdraw."""


def may_withdraw(item: Feedback) -> bool:
    return item.status in WITHDRAWABLE and item.answered_at is None


def withdraw(item: Feedback, reason: str) -> None:
    if not may_withdraw(item):
        raise NotWithdrawable(item.status)
    now, old = utcnow(), item.status
    for pause in item.pauses:  # a question left open stops waiting for the citizen
        if pause.resumed_at is None:
            pause.resumed_at = now
    item.status, item.closed_at = "closed", now  # the queue listener takes it out of the queue
    record(
        "feedback",
        item.id,
        ACTION,
        actor_id=item.account_id,
        from_status=old,
        to_status="closed",
        note=clean_lines(reason)[:500],
        public=True,
    )
