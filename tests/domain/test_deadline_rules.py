"""Issue 11 items 1–5 (Deadlines) on the pure rules of portal.domain.working_days.

Every expected date is worked out by hand from the law (VIETNAM.md §2.3, §6.2) and the public-sector
calendar of VIETNAM.md §2.2 for 2026 and 2027 (the reasoning beside each row), not from the code.
Office closing 17:00, afternoon cut-off 15:00 (OfficeHours defaults). "WD" = working day; day 0 is the
receipt day, day 1 the next working day (Civil Code 2015 Art. 147).

Calendar facts used below: December 2026 — Mon 7, Fri 11, Sat 12, Mon 14, Mon 21, Fri 25, Mon 28, Thu 31;
Fri 1/1/2027 New Year; Tết 2027 off Thu 4/2 – Wed 10/2; Fri 30/4/2027, Sat 1/5 → Mon 3/5/2027 in lieu;
2026: Sat 22/8 make-up working day, Tue 24/11 Ngày Văn hóa Việt Nam.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from portal.domain.working_days import (
    Calendar,
    OfficeHours,
    Pause,
    PauseKind,
    PauseRule,
    adjusted_due_date,
    answer_due_date,
    apology_allowed,
    due_date,
    late_without_letter,
)

D = date
T = datetime

DAYS_OFF_2026_2027 = frozenset(
    {
        # 2026 (VIETNAM.md §2.2)
        D(2026, 1, 1),
        D(2026, 1, 2),  # swapped with Sat 10/1
        *(D(2026, 2, day) for day in range(16, 21)),  # Tết
        D(2026, 4, 27),  # Giỗ Tổ (Sun 26/4) in lieu
        D(2026, 4, 30),
        D(2026, 5, 1),
        D(2026, 8, 31),  # swapped with Sat 22/8
        D(2026, 9, 1),
        D(2026, 9, 2),
        D(2026, 11, 24),  # Ngày Văn hóa Việt Nam
        # 2027 (provisional, VIETNAM.md §2.2)
        D(2027, 1, 1),
        *(D(2027, 2, day) for day in range(4, 11)),  # Tết Thu 4/2 – Wed 10/2
        D(2027, 4, 16),  # Giỗ Tổ
        D(2027, 4, 30),
        D(2027, 5, 3),  # 1/5 is a Saturday: Mon 3/5 in lieu
        D(2027, 9, 2),
        D(2027, 9, 3),
        D(2027, 11, 24),
    }
)
CAL = Calendar(days_off=DAYS_OFF_2026_2027, makeup_workdays=frozenset({D(2026, 1, 10), D(2026, 8, 22)}))
HOURS = OfficeHours()


# --- item 1: the 15:00 cut-off as a property of the procedure, whatever the duration ------------------

CUTOFF = [
    # (received, WD, due with the afternoon cut-off, due without it)
    pytest.param(
        T(2026, 12, 9, 14, 59),
        3,
        D(2026, 12, 14),
        D(2026, 12, 14),
        id="wed-14-59-before-cutoff: day 0 Wed 9/12; Thu 10, Fri 11, Mon 14",
    ),
    pytest.param(
        T(2026, 12, 9, 15, 0),
        3,
        D(2026, 12, 15),
        D(2026, 12, 14),
        id="wed-15-00: day 0 Thu 10/12; Fri 11, Mon 14, Tue 15 (without: from Wed 9/12, Mon 14)",
    ),
    pytest.param(
        T(2026, 12, 31, 16, 0),
        3,
        D(2027, 1, 7),
        D(2027, 1, 6),
        id="thu-31-12-16-00: 1/1 off, weekend, day 0 Mon 4/1; Tue 5, Wed 6, Thu 7 (without: Mon 4, Tue 5, Wed 6)",
    ),
    pytest.param(
        T(2027, 2, 3, 15, 30),
        3,
        D(2027, 2, 16),
        D(2027, 2, 15),
        id="wed-3-2-2027-before-tet: day 0 Thu 11/2; Fri 12, Mon 15, Tue 16 (without: Thu 11, Fri 12, Mon 15)",
    ),
    pytest.param(
        T(2027, 4, 29, 15, 10),
        5,
        D(2027, 5, 11),
        D(2027, 5, 10),
        id="thu-29-4-2027: 30/4 and 3/5 off, day 0 Tue 4/5; 5, 6, 7, 10, Tue 11/5 (without: 4, 5, 6, 7, Mon 10/5)",
    ),
    pytest.param(
        T(2026, 8, 22, 15, 30),
        3,
        D(2026, 8, 27),
        D(2026, 8, 26),
        id="make-up-sat-22-8-15-30: day 0 Mon 24/8; 25, 26, Thu 27 (without: day 0 Sat 22; 24, 25, Wed 26)",
    ),
    pytest.param(
        T(2026, 11, 23, 15, 0),
        1,
        D(2026, 11, 26),
        D(2026, 11, 25),
        id="mon-23-11-15-00: 24/11 off, day 0 Wed 25/11; Thu 26 (without: day 0 Mon 23; Wed 25)",
    ),
    pytest.param(
        T(2026, 12, 12, 9, 0),
        3,
        D(2026, 12, 17),
        D(2026, 12, 17),
        id="saturday-morning: a rest day either way, day 0 Mon 14/12; 15, 16, Thu 17",
    ),
]


@pytest.mark.parametrize(("received", "days", "with_cutoff", "without"), CUTOFF)
def test_afternoon_cutoff_whatever_the_duration(received, days, with_cutoff, without):
    assert due_date(CAL, received, days, HOURS, afternoon_cutoff=True) == with_cutoff
    assert due_date(CAL, received, days, HOURS) == without


def test_cutoff_choice():
    # Same-day procedures always have it (Decree 23/2015 Art. 7); others only when flagged.
    assert HOURS.cutoff(0) == HOURS.cutoff(3, afternoon_cutoff=True) == HOURS.cutoff(0, same_day=True)
    assert HOURS.cutoff(0).hour == 15 and HOURS.cutoff(3).hour == 17


# --- item 2: "exclude" charges after-hours and rest-day completions to the citizen ------------------

# 10 WD received Mon 7/12/2026 09:00: Tue 8 … Fri 11 (4), Mon 14 … Fri 18 (9), Mon 21/12 (10).
RECEIVED = T(2026, 12, 7, 9, 0)
REQUESTED = T(2026, 12, 9, 10, 0)  # Wed 9/12: documents requested (form 02)

EXCLUDE = [
    pytest.param(
        T(2026, 12, 11, 16, 59),
        D(2026, 12, 23),
        id="fri-16-59: received Fri 11; citizen's Thu 10, Fri 11 (2): Mon 21 + 2 = Wed 23/12",
    ),
    pytest.param(
        T(2026, 12, 11, 20, 0),
        D(2026, 12, 24),
        id="fri-20-00 (the issue's case): counts Mon 14; citizen's 10, 11, 14 (3): Thu 24/12, not Wed 23",
    ),
    pytest.param(
        T(2026, 12, 11, 17, 0),
        D(2026, 12, 24),
        id="fri-17-00-at-closing: counts Mon 14; 3 days: Thu 24/12",
    ),
    pytest.param(
        T(2026, 12, 12, 10, 0),
        D(2026, 12, 24),
        id="sat-12-12: rest day, counts Mon 14; 3 days: Thu 24/12",
    ),
    pytest.param(
        T(2026, 12, 9, 18, 0),
        D(2026, 12, 22),
        id="same-wed-18-00: counts Thu 10; citizen's Thu 10 (1): Tue 22/12, not Mon 21",
    ),
]


@pytest.mark.parametrize(("completed", "due"), EXCLUDE)
def test_exclude_counts_the_completion_as_a_receipt(completed, due):
    pause = Pause(REQUESTED, completed)
    assert adjusted_due_date(CAL, RECEIVED, 10, [pause], PauseRule.EXCLUDE, HOURS) == due


def test_exclude_across_new_year_2027():
    # 5 WD from Mon 21/12/2026 09:00: 22, 23, 24, 25, Mon 28/12. Requested Tue 22/12, completed Thu 31/12
    # 17:30: counts Mon 4/1/2027 (1/1 off, weekend). Citizen's: 23, 24, 25, 28, 29, 30, 31/12, 4/1 (8).
    # Mon 28/12 + 8: 29, 30, 31, 4/1, 5, 6, 7, Fri 8/1/2027 (the old code: 7 days, Thu 7/1).
    pause = Pause(T(2026, 12, 22, 9, 0), T(2026, 12, 31, 17, 30))
    assert adjusted_due_date(CAL, T(2026, 12, 21, 9, 0), 5, [pause], PauseRule.EXCLUDE) == D(2027, 1, 8)


def test_exclude_across_tet_2027():
    # 3 WD from Mon 1/2/2027 09:00: Tue 2, Wed 3, (Tết 4–10) Thu 11/2. Requested Tue 2/2, completed Wed 3/2
    # 19:00: counts Thu 11/2. Citizen's: Wed 3, Thu 11 (2): Fri 12, Mon 15/2 (the old code: 1 day, Fri 12/2).
    pause = Pause(T(2027, 2, 2, 10, 0), T(2027, 2, 3, 19, 0))
    assert adjusted_due_date(CAL, T(2027, 2, 1, 9, 0), 3, [pause], PauseRule.EXCLUDE) == D(2027, 2, 15)


def test_exclude_uses_the_procedures_cutoff():
    # 3 WD with the afternoon cut-off from Mon 7/12 09:00: Tue 8, Wed 9, Thu 10. Requested Tue 8/12 09:00,
    # completed Tue 8/12 15:30: after the cut-off, counts Wed 9; citizen's Wed 9 (1): Fri 11/12.
    # Without the cut-off 15:30 is in office hours: 0 days, Thu 10/12.
    pause = Pause(T(2026, 12, 8, 9, 0), T(2026, 12, 8, 15, 30))
    rule = PauseRule.EXCLUDE
    assert adjusted_due_date(CAL, RECEIVED, 3, [pause], rule, afternoon_cutoff=True) == D(2026, 12, 11)
    assert adjusted_due_date(CAL, RECEIVED, 3, [pause], rule) == D(2026, 12, 10)


# --- item 3: "restart" restarts for supplement requests only, never for fee requests -------------------

SUPPLEMENT = Pause(T(2026, 12, 9, 9, 0), T(2026, 12, 10, 10, 0), PauseKind.SUPPLEMENT)  # Wed 9 → Thu 10


def fee(started: datetime, resumed: datetime) -> Pause:
    return Pause(started, resumed, PauseKind.FEE)


RESTART = [
    pytest.param(
        [fee(T(2026, 12, 9, 9, 0), T(2026, 12, 9, 14, 0))],
        D(2026, 12, 21),
        id="fee-paid-same-day: 0 days excluded, Mon 21/12 stays (old code restarted: Wed 23/12)",
    ),
    pytest.param(
        [fee(T(2026, 12, 9, 9, 0), T(2026, 12, 14, 10, 0))],
        D(2026, 12, 24),
        id="fee-wed-9-to-mon-14: citizen's 10, 11, 14 (3): Mon 21 + 3 = Thu 24/12",
    ),
    pytest.param(
        [SUPPLEMENT],
        D(2026, 12, 24),
        id="supplement-completed-thu-10: 10 WD again from day 0 Thu 10: Fri 11 … Thu 24/12",
    ),
    pytest.param(
        [SUPPLEMENT, fee(T(2026, 12, 14, 9, 0), T(2026, 12, 14, 11, 0))],
        D(2026, 12, 24),
        id="supplement-then-fee-same-day: restart from Thu 10 (Thu 24/12), fee 0 days (old: from Mon 14, Mon 28/12)",
    ),
    pytest.param(
        [fee(T(2026, 12, 8, 9, 0), T(2026, 12, 8, 10, 0)), SUPPLEMENT],
        D(2026, 12, 24),
        id="fee-before-the-supplement: the restart from Thu 10 wipes it: Thu 24/12",
    ),
    pytest.param(
        [SUPPLEMENT, fee(T(2026, 12, 11, 16, 0), T(2026, 12, 12, 8, 0))],
        D(2026, 12, 25),
        id="fee-paid-saturday: counts Mon 14, 1 day excluded: Thu 24 + 1 = Fri 25/12",
    ),
]


@pytest.mark.parametrize(("pauses", "due"), RESTART)
def test_restart_only_for_supplement_requests(pauses, due):
    assert adjusted_due_date(CAL, RECEIVED, 10, pauses, PauseRule.RESTART, HOURS) == due


# --- item 4: apology letters (form 04) only before the due date -----------------------------------------


@pytest.mark.parametrize(
    ("due", "today", "allowed"),
    [
        (D(2026, 12, 10), D(2026, 12, 9), True),  # the day before: "before the due date"
        (D(2026, 12, 10), D(2026, 12, 1), True),
        (D(2026, 12, 10), D(2026, 12, 10), False),  # on the due day itself it is no longer "before"
        (D(2026, 12, 10), D(2026, 12, 11), False),  # already late
        (None, D(2026, 12, 9), False),  # paused: no due date to apologise for
    ],
)
def test_apology_allowed(due, today, allowed):
    assert apology_allowed(due, today) is allowed


@pytest.mark.parametrize(
    ("legal", "appointment", "today", "flagged"),
    [
        (D(2026, 12, 10), D(2026, 12, 10), D(2026, 12, 10), False),  # due today: not late yet
        (D(2026, 12, 10), D(2026, 12, 10), D(2026, 12, 11), True),  # late, no letter moved the date
        (D(2026, 12, 10), D(2026, 12, 17), D(2026, 12, 11), False),  # a letter promised Thu 17/12
        (None, None, D(2026, 12, 11), False),  # paused
    ],
)
def test_late_without_letter(legal, appointment, today, flagged):
    assert late_without_letter(legal, appointment, today) is flagged


# --- item 5: forwarded feedback restarts its answer clock -----------------------------------------------

SUBMITTED = T(2026, 12, 7, 9, 0)  # Mon 7/12/2026; 15 WD (VIETNAM.md §6.2)

ANSWER = [
    pytest.param(
        None,
        [],
        D(2026, 12, 28),
        id="not-forwarded: 8–11 (4), 14–18 (9), 21–25 (14), Mon 28/12 (15)",
    ),
    pytest.param(
        T(2026, 12, 10, 10, 0),
        [],
        D(2026, 12, 31),
        id="forwarded-thu-10: day 0 Thu 10; Fri 11 (1), 14–18 (6), 21–25 (11), 28, 29, 30, Thu 31/12 (15)",
    ),
    pytest.param(
        T(2026, 12, 11, 20, 0),
        [],
        D(2027, 1, 5),
        id="forwarded-fri-20-00: day 0 Mon 14; 15–18 (4), 21–25 (9), 28–31 (13), 1/1 off, Mon 4 (14), Tue 5/1/2027",
    ),
    pytest.param(
        T(2026, 12, 10, 10, 0),
        [Pause(T(2026, 12, 8, 9, 0), T(2026, 12, 9, 9, 0))],
        D(2026, 12, 31),
        id="info-asked-before-forwarding: not counted after the restart: Thu 31/12",
    ),
    pytest.param(
        T(2026, 12, 10, 10, 0),
        [Pause(T(2026, 12, 14, 9, 0), T(2026, 12, 16, 10, 0))],
        D(2027, 1, 5),
        id="info-asked-after-forwarding: Tue 15, Wed 16 excluded: Thu 31/12 + 2 = Mon 4, Tue 5/1/2027",
    ),
]


@pytest.mark.parametrize(("forwarded", "pauses", "due"), ANSWER)
def test_forwarding_restarts_the_answer_clock(forwarded, pauses, due):
    assert answer_due_date(CAL, SUBMITTED, 15, pauses, HOURS, forwarded) == due


def test_forwarded_across_tet_2027():
    # Sent Mon 1/2/2027, forwarded Wed 3/2 16:00 (before closing): day 0 Wed 3/2; Tết 4–10/2; Thu 11 (1),
    # Fri 12 (2), 15–19 (7), 22–26 (12), Mon 1/3 (13), Tue 2/3 (14), Wed 3/3/2027 (15).
    assert answer_due_date(CAL, T(2027, 2, 1, 9, 0), 15, [], HOURS, T(2027, 2, 3, 16, 0)) == D(2027, 3, 3)


def test_an_open_pause_after_forwarding_has_no_date():
    pause = Pause(T(2026, 12, 14, 9, 0), None)
    assert answer_due_date(CAL, SUBMITTED, 15, [pause], HOURS, T(2026, 12, 10, 10, 0)) is None
