"""Issue 14 item 1: the disaster clock (portal.domain.working_days.suspended) with hand-worked dates.

A declared event's days are rest days for the clock of the items it covers. Calendar facts as in
test_deadline_rules.py (VIETNAM.md §2.2): December 2026 — Mon 7, Fri 11, Mon 14, Fri 18, Mon 21, Fri 25
(a working day: Christmas is not a holiday), Mon 28, Thu 31; Fri 1/1/2027 New Year; Sat 22/8/2026 make-up
working day; Mon 31/8, Tue 1/9, Wed 2/9/2026 off. "WD" = working day; day 0 the receipt day.
"""

from __future__ import annotations

import pytest

from portal.domain.working_days import (
    Pause,
    PauseKind,
    PauseRule,
    Suspension,
    adjusted_due_date,
    answer_due_date,
    due_date,
    suspended,
)
from tests.domain.test_deadline_rules import CAL, HOURS, D, T

RECEIVED = T(2026, 12, 7, 9, 0)  # Mon 7/12/2026; 10 WD without any event: Mon 21/12


def s(first, last) -> Suspension:
    return Suspension(first, last)


DUE = [
    pytest.param(
        RECEIVED,
        10,
        [],
        D(2026, 12, 21),
        id="no-event: 8–11 (4), 14–18 (9), Mon 21/12 (10)",
    ),
    pytest.param(
        RECEIVED,
        10,
        [s(D(2026, 12, 9), D(2026, 12, 11))],
        D(2026, 12, 24),
        id="landslide-wed-9-to-fri-11: Tue 8 (1), 14–18 (6), 21, 22, 23, Thu 24/12 (10)",
    ),
    pytest.param(
        RECEIVED,
        10,
        [s(D(2026, 12, 9), D(2026, 12, 11)), s(D(2026, 12, 10), D(2026, 12, 15))],
        D(2026, 12, 28),
        id="overlapping-9-11-and-10-15: union 9, 10, 11, 14, 15; Tue 8 (1), 16–18 (4), 21–25 (9), Mon 28 (10)",
    ),
    pytest.param(
        RECEIVED,
        10,
        [s(D(2026, 12, 9), D(2026, 12, 18))],
        D(2026, 12, 31),
        id="declared-9-to-18: 8 WD off; Tue 8 (1), 21–25 (6), 28, 29, 30, Thu 31/12 (10)",
    ),
    pytest.param(
        RECEIVED,
        10,
        [s(D(2026, 12, 9), D(2026, 12, 10))],
        D(2026, 12, 23),
        id="same-event-ended-early-on-thu-10: Tue 8 (1), Fri 11 (2), 14–18 (7), 21, 22, Wed 23/12 (10)",
    ),
    pytest.param(
        T(2026, 12, 9, 10, 0),
        3,
        [s(D(2026, 12, 7), D(2026, 12, 11))],
        D(2026, 12, 17),
        id="received-during-the-event-wed-9: day 0 Mon 14 (first day after it); 15, 16, Thu 17/12",
    ),
    pytest.param(
        RECEIVED,
        3,
        [s(D(2026, 12, 14), D(2026, 12, 18))],
        D(2026, 12, 10),
        id="event-after-the-due-date: 8, 9, Thu 10/12 unchanged",
    ),
    pytest.param(
        RECEIVED,
        3,
        [s(D(2026, 11, 30), D(2026, 12, 4))],
        D(2026, 12, 10),
        id="event-before-the-receipt: 8, 9, Thu 10/12 unchanged",
    ),
    pytest.param(
        T(2026, 12, 28, 9, 0),
        5,
        [s(D(2026, 12, 30), D(2027, 1, 4))],
        D(2027, 1, 8),
        id="across-new-year: without, 29, 30, 31, (1/1 off) Mon 4, Tue 5/1;"
        " with 30/12–4/1 off: 29 (1), 5, 6, 7, Fri 8/1/2027",
    ),
    pytest.param(
        T(2026, 8, 21, 9, 0),
        1,
        [s(D(2026, 8, 22), D(2026, 8, 22))],
        D(2026, 8, 24),
        id="make-up-saturday-22-8-declared: not worked for the clock: Mon 24/8 (without: Sat 22/8)",
    ),
]


@pytest.mark.parametrize(("received", "days", "events", "due"), DUE)
def test_declared_days_stop_the_clock(received, days, events, due):
    assert due_date(suspended(CAL, events), received, days, HOURS) == due


def test_without_an_event_the_calendar_is_the_same():
    assert suspended(CAL, []) is CAL
    assert due_date(CAL, T(2026, 8, 21, 9, 0), 1, HOURS) == D(2026, 8, 22)  # the make-up Saturday


SUPPLEMENTS = [
    pytest.param(
        [Pause(T(2026, 12, 9, 10, 0), T(2026, 12, 10, 10, 0))],
        [s(D(2026, 12, 14), D(2026, 12, 15))],
        PauseRule.EXCLUDE,
        D(2026, 12, 24),
        id="exclude-then-event: base 8, 9, 10, 11, 16–18, 21, 22, Wed 23 (10); citizen's Thu 10 (1): Thu 24/12",
    ),
    pytest.param(
        [Pause(T(2026, 12, 9, 10, 0), T(2026, 12, 14, 10, 0))],
        [s(D(2026, 12, 10), D(2026, 12, 11))],
        PauseRule.EXCLUDE,
        D(2026, 12, 24),
        id="exclude-overlapping: base 8, 9, 14–18, 21, 22, Wed 23 (10); citizen's Mon 14 only (10, 11 are the"
        " event's, charged once): Thu 24/12, not Mon 28",
    ),
    pytest.param(
        [Pause(T(2026, 12, 9, 9, 0), T(2026, 12, 10, 10, 0))],
        [s(D(2026, 12, 14), D(2026, 12, 16))],
        PauseRule.RESTART,
        D(2026, 12, 29),
        id="restart-then-event: day 0 Thu 10; Fri 11 (1), 17, 18 (3), 21–25 (8), 28, Tue 29/12 (10)",
    ),
    pytest.param(
        [Pause(T(2026, 12, 9, 9, 0), T(2026, 12, 14, 10, 0))],
        [s(D(2026, 12, 11), D(2026, 12, 15))],
        PauseRule.RESTART,
        D(2026, 12, 30),
        id="restart-completed-during-the-event-mon-14: day 0 Wed 16; 17, 18 (2), 21–25 (7), 28, 29, Wed 30/12",
    ),
    pytest.param(
        [
            Pause(T(2026, 12, 9, 9, 0), T(2026, 12, 10, 10, 0)),
            Pause(T(2026, 12, 11, 9, 0), T(2026, 12, 11, 14, 0), PauseKind.FEE),
        ],
        [s(D(2026, 12, 14), D(2026, 12, 16))],
        PauseRule.RESTART,
        D(2026, 12, 29),
        id="restart-fee-same-day-then-event: the fee costs 0 days; Tue 29/12 as above",
    ),
]


@pytest.mark.parametrize(("pauses", "events", "rule", "due"), SUPPLEMENTS)
def test_with_the_supplement_rules(pauses, events, rule, due):
    assert adjusted_due_date(suspended(CAL, events), RECEIVED, 10, pauses, rule, HOURS) == due


def test_feedback_answer_deadline():
    # 15 WD from Mon 7/12/2026: Mon 28/12 without. Event Tue 15–Thu 17: 8–11 (4), Mon 14 (5), Fri 18 (6),
    # 21–25 (11), 28, 29, 30, Thu 31/12 (15).
    cal = suspended(CAL, [s(D(2026, 12, 15), D(2026, 12, 17))])
    assert answer_due_date(CAL, RECEIVED, 15, [], HOURS) == D(2026, 12, 28)
    assert answer_due_date(cal, RECEIVED, 15, [], HOURS) == D(2026, 12, 31)
