"""The step deadlines of a feedback item that Decision 766's 5.2 counts in working days from day 0 (the item's
`received_on`), VIETNAM.md §6.2, and the one rule read off them outside the dashboard. Pure: stdlib only.

The dashboard (portal/statistics/queries/feedback.py `judged_feedback`) judges the refusal and the first
request for information against these; the first request's judgement is also kept on the item when the
request is recorded (portal/feedback/operations.py, `feedback_items.info_request_late`), so the staff queue
reads it from the row (portal/steering) with the very rule the dashboard applies.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

REFUSE_DAYS = 2  # refuse (not accepted for handling) within 2 working days
REQUEST_INFO_DAYS = 5  # first request to the citizen within 5 working days
PUBLISH_DAYS = 2  # publish the answer within 2 working days


class WorkingCalendar(Protocol):
    def add_working_days(self, start: date, days: int) -> date: ...


def first_request_late(cal: WorkingCalendar, received_on: date, requested_on: date | None) -> bool:
    """The first request for information (its local day; None: none yet) came after the 5th working day
    after day 0: 5.2 counts the item late, whatever happens next."""
    return requested_on is not None and requested_on > cal.add_working_days(received_on, REQUEST_INFO_DAYS)
