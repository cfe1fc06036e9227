"""Deadlines of a feedback item in working days (VIETNAM.md §6.2), with the clock paused while the
citizen owes information."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portal.calendar import disasters
from portal.calendar.queries import LOCAL_TZ, calendar_around, office_hours
from portal.domain import feedback_steps
from portal.domain.feedback_status import ON_THE_CLOCK
from portal.domain.feedback_steps import REFUSE_DAYS, REQUEST_INFO_DAYS  # declared once, with their rule
from portal.domain.working_days import Pause, Suspension, answer_due_date, due_date, suspended


@dataclass(frozen=True)
class Deadlines:
    refuse_by: date
    request_info_by: date
    answer_by: date | None  # None while waiting for the citizen


def spans_of(item) -> list[Suspension]:
    """The declared disaster days of the item's place (a feedback item has no other commune)."""
    return disasters.spans_for(item.admin_unit_code, item.admin_unit_code, item.agency_id)


def compute(item, spans: list[Suspension] | None = None) -> Deadlines:
    """Refusal and first request for information count from the citizen's sending; the answer from the
    last forwarding to the responsible agency when there is one (VIETNAM.md §6.2) or from the citizen's
    "not fixed" (portal/feedback/closure.py), pauses after it excluded."""
    received = item.submitted_at.astimezone(LOCAL_TZ)
    # The answer clock restarts at the last forwarding, or when the citizen said the problem was not fixed.
    restart = max((t for t in (item.forwarded_at, item.restarted_at) if t is not None), default=None)
    forwarded = restart.astimezone(LOCAL_TZ) if restart else None
    cal = suspended(calendar_around(received.date()), spans_of(item) if spans is None else spans)
    hours = office_hours()
    pauses = [
        Pause(p.started_at.astimezone(LOCAL_TZ), p.resumed_at.astimezone(LOCAL_TZ) if p.resumed_at else None)
        for p in item.pauses
    ]
    return Deadlines(
        refuse_by=due_date(cal, received, REFUSE_DAYS, hours),
        request_info_by=due_date(cal, received, REQUEST_INFO_DAYS, hours),
        answer_by=answer_due_date(cal, received, item.category.response_days, pauses, hours, forwarded),
    )


def is_overdue(item, today: date) -> bool:
    return item.due_on is not None and today > item.due_on and item.status in ON_THE_CLOCK


def first_request_late(item, now: datetime) -> bool:
    """A first request for information made at `now` is late for 5.2 (kept as `info_request_late`): the
    dashboard's rule (portal/domain/feedback_steps.py) on the item's day 0 and the request's local day, on
    the calendar the dashboard reads (no disaster days: statistics/queries/feedback.py)."""
    requested = now.astimezone(LOCAL_TZ).date()
    return feedback_steps.first_request_late(calendar_around(item.received_on), item.received_on, requested)
