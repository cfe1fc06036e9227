"""portal.domain.feedback_steps.first_request_late: Decision 766's 5.2 counts a feedback item late when its first
request for information came after the 5th working day from day 0 (VIETNAM.md §6.2: "First request to the
citizen for more information ≤ 5 WD"). Dates worked out by hand: day 0 is the stored `received_on`, day 1 the
next working day; the request's day may be the 5th working day itself, not the day after."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.feedback_steps import REQUEST_INFO_DAYS, first_request_late
from portal.domain.working_days import Calendar

PLAIN = Calendar(days_off=frozenset())  # Monday–Friday, no holidays
FRIDAY_OFF = Calendar(days_off=frozenset({date(2026, 12, 4)}))
MAKEUP_SATURDAY = Calendar(days_off=frozenset(), makeup_workdays=frozenset({date(2026, 12, 5)}))


def d(day: int) -> date:
    return date(2026, 12, day)


def test_five_working_days():
    assert REQUEST_INFO_DAYS == 5


@pytest.mark.parametrize(
    ("cal", "received_on", "requested_on", "late"),
    [
        # Day 0 Wed 2: Thu 3 (1), Fri 4 (2), Mon 7 (3), Tue 8 (4), Wed 9 (5)
        (PLAIN, d(2), d(2), False),  # the same day
        (PLAIN, d(2), d(9), False),  # on the 5th working day
        (PLAIN, d(2), d(10), True),  # the day after
        (PLAIN, d(2), None, False),  # no request (yet): nothing to judge
        # Fri 4 off: Thu 3 (1), Mon 7 (2), Tue 8 (3), Wed 9 (4), Thu 10 (5)
        (FRIDAY_OFF, d(2), d(10), False),
        (FRIDAY_OFF, d(2), d(11), True),
        # Day 0 Fri 4: Mon 7 (1) … Fri 11 (5); a request on Saturday 12 is after it
        (PLAIN, d(4), d(11), False),
        (PLAIN, d(4), d(12), True),
        # Sat 5 a make-up working day: Sat 5 (1), Mon 7 (2), Tue 8 (3), Wed 9 (4), Thu 10 (5)
        (MAKEUP_SATURDAY, d(4), d(10), False),
        (MAKEUP_SATURDAY, d(4), d(11), True),
    ],
)
def test_the_first_request_for_information(cal, received_on, requested_on, late):
    assert first_request_late(cal, received_on, requested_on) is late
