from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.working_days import (
    Calendar,
    OfficeHours,
    Pause,
    PauseRule,
    adjusted_due_date,
    due_date,
    is_late,
    receipt_day,
    supplement_rule_late,
)

D = date
T = datetime

# Public-sector days off, VIETNAM.md §2.2 (Monday–Friday offices).
DAYS_OFF = frozenset(
    {
        # 2025
        D(2025, 1, 1),
        D(2025, 1, 27),
        D(2025, 1, 28),
        D(2025, 1, 29),
        D(2025, 1, 30),
        D(2025, 1, 31),  # Tết
        D(2025, 4, 7),  # Giỗ Tổ Hùng Vương
        D(2025, 4, 30),
        D(2025, 5, 1),
        D(2025, 5, 2),  # swapped with Sat 26/4/2025
        D(2025, 9, 1),
        D(2025, 9, 2),
        # 2026 (2025-12-31, a Wednesday, is a working day)
        D(2026, 1, 1),
        D(2026, 1, 2),  # swapped with Sat 10/1 (Công văn 12729/VPCP-KGVX)
        D(2026, 2, 16),
        D(2026, 2, 17),
        D(2026, 2, 18),
        D(2026, 2, 19),
        D(2026, 2, 20),  # Tết
        D(2026, 4, 27),  # Giỗ Tổ falls on Sun 26/4: day in lieu
        D(2026, 4, 30),
        D(2026, 5, 1),
        D(2026, 8, 31),  # swapped with Sat 22/8
        D(2026, 9, 1),
        D(2026, 9, 2),
        D(2026, 11, 24),  # Ngày Văn hóa Việt Nam
    }
)
MAKEUP = frozenset({D(2025, 4, 26), D(2026, 1, 10), D(2026, 8, 22)})
CAL = Calendar(days_off=DAYS_OFF, makeup_workdays=MAKEUP)
HOURS = OfficeHours()  # closing 17:00, same-day cut-off 15:00


def test_calendar_literals():
    assert D(2025, 12, 31).weekday() == 2 and CAL.is_working_day(D(2025, 12, 31))
    assert all(d.weekday() == 5 for d in MAKEUP)
    assert all(d.weekday() < 5 for d in DAYS_OFF)


# VIETNAM.md §2.4: every worked example.
@pytest.mark.parametrize(
    ("received", "n", "due"),
    [
        (T(2026, 2, 12, 9, 0), 3, D(2026, 2, 24)),  # Fri 13/2 = day 1; Tết 14–22/2 skipped
        (T(2026, 4, 24, 10, 0), 5, D(2026, 5, 6)),  # 27/4 in lieu, 30/4 and 1/5 skipped
        (T(2026, 8, 20, 16, 0), 3, D(2026, 8, 24)),  # Sat 22/8 is a make-up working day (day 2)
        (T(2026, 11, 23, 8, 0), 1, D(2026, 11, 25)),  # 24/11 Ngày Văn hóa
        (T(2025, 12, 31, 17, 30), 1, D(2026, 1, 6)),  # after hours: day 0 is Mon 5/1
    ],
)
def test_worked_examples(received, n, due):
    assert due_date(CAL, received, n, HOURS) == due


@pytest.mark.parametrize(
    ("received", "n", "due"),
    [
        (T(2026, 3, 4, 14, 59), 0, D(2026, 3, 4)),  # same-day procedure before 15:00
        (T(2026, 3, 4, 15, 0), 0, D(2026, 3, 5)),  # at 15:00 -> next working day
        (T(2026, 3, 6, 15, 30), 0, D(2026, 3, 9)),  # Friday after the cut-off -> Monday
        (T(2026, 3, 4, 16, 59), 1, D(2026, 3, 5)),  # ordinary procedure: 17:00 closing applies
        (T(2026, 3, 4, 17, 0), 1, D(2026, 3, 6)),
        (T(2026, 3, 7, 10, 0), 1, D(2026, 3, 10)),  # Saturday (not make-up): day 0 is Mon 9/3
        (T(2026, 3, 8, 10, 0), 0, D(2026, 3, 9)),  # Sunday, same-day procedure -> Monday
        (T(2026, 1, 10, 9, 0), 1, D(2026, 1, 12)),  # make-up Saturday counts as day 0
        (T(2026, 1, 10, 9, 0), 0, D(2026, 1, 10)),
        (T(2026, 1, 1, 9, 0), 1, D(2026, 1, 6)),  # New Year, 2/1 swapped off, weekend
        (T(2026, 9, 2, 9, 0), 1, D(2026, 9, 4)),  # National Day: day 0 is Thu 3/9
        (T(2026, 8, 28, 16, 0), 1, D(2026, 9, 3)),  # Fri 28/8: 29/8–2/9 off
        (T(2026, 8, 21, 9, 0), 1, D(2026, 8, 22)),  # day 1 is the make-up Saturday
        (T(2026, 2, 13, 9, 0), 0, D(2026, 2, 13)),
        (T(2026, 2, 13, 17, 0), 1, D(2026, 2, 24)),  # after hours before Tết: day 0 is Mon 23/2
        (T(2025, 4, 25, 10, 0), 1, D(2025, 4, 26)),  # 2025 make-up Saturday 26/4
        (T(2025, 4, 29, 10, 0), 1, D(2025, 5, 5)),  # 30/4, 1/5, 2/5 off
    ],
)
def test_due_date(received, n, due):
    assert due_date(CAL, received, n, HOURS) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (T(2026, 3, 4, 14, 59), D(2026, 3, 5)),
        (T(2026, 3, 4, 15, 0), D(2026, 3, 6)),
    ],
)
def test_same_day_flag_uses_cutoff_with_working_days(received, due):
    assert due_date(CAL, received, 1, HOURS, same_day=True) == due


@pytest.mark.parametrize(
    ("hours", "received", "due"),
    [
        (OfficeHours(closing=time(16, 30)), T(2026, 3, 4, 16, 45), D(2026, 3, 6)),
        (OfficeHours(closing=time(16, 30)), T(2026, 3, 4, 16, 15), D(2026, 3, 5)),
    ],
)
def test_closing_time_is_configurable(hours, received, due):
    assert due_date(CAL, received, 1, hours) == due


def test_aware_datetime_uses_wall_clock():
    ict = timezone(timedelta(hours=7))
    assert due_date(CAL, T(2026, 3, 4, 16, 0, tzinfo=ict), 1) == D(2026, 3, 5)
    # 16:00 UTC is 23:00 in Vietnam, but the function does not convert: callers must.
    assert due_date(CAL, T(2026, 3, 4, 16, 0, tzinfo=UTC), 1) == D(2026, 3, 5)


def test_negative_working_days():
    with pytest.raises(ValueError):
        due_date(CAL, T(2026, 3, 4, 9, 0), -1)


@pytest.mark.parametrize(
    ("received", "cutoff", "day0"),
    [
        (T(2026, 3, 4, 9, 0), time(17), D(2026, 3, 4)),
        (T(2026, 3, 4, 17, 0), time(17), D(2026, 3, 5)),
        (T(2026, 3, 4, 0, 0), time(15), D(2026, 3, 4)),
        (T(2026, 1, 10, 12, 0), time(17), D(2026, 1, 10)),
        (T(2026, 1, 17, 12, 0), time(17), D(2026, 1, 19)),
    ],
)
def test_receipt_day(received, cutoff, day0):
    assert receipt_day(CAL, received, cutoff) == day0


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 1, 10), True),  # make-up Saturday
        (D(2026, 1, 17), False),  # ordinary Saturday
        (D(2026, 1, 2), False),  # swapped weekday
        (D(2026, 8, 22), True),
        (D(2026, 8, 31), False),
        (D(2026, 11, 24), False),
        (D(2026, 11, 25), True),
    ],
)
def test_is_working_day(day, expected):
    assert CAL.is_working_day(day) is expected


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (D(2026, 3, 4), D(2026, 3, 4), 0),
        (D(2026, 3, 4), D(2026, 3, 2), 0),
        (D(2026, 3, 4), D(2026, 3, 9), 3),  # Thu, Fri, Mon
        (D(2026, 3, 6), D(2026, 3, 8), 0),  # weekend only
        (D(2026, 2, 13), D(2026, 2, 23), 1),  # across Tết
        (D(2026, 8, 20), D(2026, 8, 24), 3),  # Fri 21, Sat 22 (make-up), Mon 24
        (D(2025, 12, 31), D(2026, 1, 5), 1),
    ],
)
def test_working_days_between(start, end, count):
    assert CAL.working_days_between(start, end) == count


# Pauses: received Mon 2/3/2026 09:00, 10 WD, original due Mon 16/3.
RECEIVED = T(2026, 3, 2, 9, 0)
P1 = Pause(started=T(2026, 3, 4, 10, 0), resumed=T(2026, 3, 9, 14, 0))  # 3 WD: 5, 6, 9/3
P1_LATE = Pause(started=T(2026, 3, 4, 10, 0), resumed=T(2026, 3, 9, 17, 30))
P2 = Pause(started=T(2026, 3, 12, 8, 0), resumed=T(2026, 3, 13, 8, 0))  # 1 WD
SAME_DAY_PAUSE = Pause(started=T(2026, 3, 4, 9, 0), resumed=T(2026, 3, 4, 16, 0))
OPEN = Pause(started=T(2026, 3, 12, 8, 0), resumed=None)


@pytest.mark.parametrize(
    ("pauses", "rule", "due"),
    [
        ((), PauseRule.EXCLUDE, D(2026, 3, 16)),
        ((), PauseRule.RESTART, D(2026, 3, 16)),
        ((P1,), PauseRule.EXCLUDE, D(2026, 3, 19)),  # 16/3 + 3 WD
        ((P1,), PauseRule.RESTART, D(2026, 3, 23)),  # day 0 Mon 9/3, + 10 WD
        # Completed Mon 9/3 at 17:30, after closing: received Tue 10/3 (§2.3 item 5), so 5, 6, 9 and 10/3
        # are the citizen's: 16/3 + 4 WD = Fri 20/3 (was 19/3: Tuesday was charged to the office).
        ((P1_LATE,), PauseRule.EXCLUDE, D(2026, 3, 20)),
        ((P1_LATE,), PauseRule.RESTART, D(2026, 3, 24)),  # resumed after closing: day 0 Tue 10/3
        ((P1, P2), PauseRule.EXCLUDE, D(2026, 3, 20)),  # 16/3 + 4 WD
        ((P1, P2), PauseRule.RESTART, D(2026, 3, 27)),  # from the last resume, Fri 13/3
        ((SAME_DAY_PAUSE,), PauseRule.EXCLUDE, D(2026, 3, 16)),
        ((P1,), "exclude", D(2026, 3, 19)),  # stored string values work
        ((P1,), "restart", D(2026, 3, 23)),
    ],
)
def test_adjusted_due_date(pauses, rule, due):
    assert adjusted_due_date(CAL, RECEIVED, 10, pauses, rule) == due


@pytest.mark.parametrize("rule", list(PauseRule))
@pytest.mark.parametrize("pauses", [(OPEN,), (P1, OPEN)])
def test_open_pause_has_no_due_date(pauses, rule):
    assert adjusted_due_date(CAL, RECEIVED, 10, pauses, rule) is None


def test_restart_same_day_procedure_uses_cutoff():
    pause = Pause(started=T(2026, 3, 4, 9, 0), resumed=T(2026, 3, 4, 15, 0))
    assert adjusted_due_date(CAL, T(2026, 3, 4, 8, 0), 0, [pause], PauseRule.RESTART) == D(2026, 3, 5)


@pytest.mark.parametrize(
    "pauses",
    [
        (P1, Pause(started=T(2026, 3, 6, 9, 0), resumed=T(2026, 3, 10, 9, 0))),  # overlapping
        (P2, P1),  # out of order
        (OPEN, P2),  # open pause followed by another
        (Pause(started=T(2026, 3, 9, 9, 0), resumed=T(2026, 3, 4, 9, 0)),),  # resumes before it starts
        (Pause(started=T(2026, 2, 27, 9, 0), resumed=T(2026, 3, 4, 9, 0)),),  # before the receipt
    ],
)
@pytest.mark.parametrize("rule", list(PauseRule))
def test_invalid_pauses(pauses, rule):
    with pytest.raises(ValueError):
        adjusted_due_date(CAL, RECEIVED, 10, pauses, rule)


def test_negative_working_days_with_open_pause():
    with pytest.raises(ValueError):
        adjusted_due_date(CAL, RECEIVED, -1, (OPEN,), PauseRule.EXCLUDE)


def test_unknown_rule():
    with pytest.raises(ValueError):
        adjusted_due_date(CAL, RECEIVED, 10, (P1,), "pause")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("due", "finished", "late"),
    [
        (D(2026, 3, 16), T(2026, 3, 16, 23, 59), False),
        (D(2026, 3, 16), T(2026, 3, 13, 10, 0), False),
        (D(2026, 3, 16), T(2026, 3, 17, 0, 0), True),
    ],
)
def test_is_late(due, finished, late):
    assert is_late(due, finished) is late


@pytest.mark.parametrize(("count", "late"), [(0, False), (1, False), (2, True), (5, True)])
def test_supplement_rule_late(count, late):
    assert supplement_rule_late(count) is late


def test_supplement_rule_rejects_negative():
    with pytest.raises(ValueError):
        supplement_rule_late(-1)


RECEIPTS = st.datetimes(min_value=T(2025, 1, 1), max_value=T(2026, 12, 31, 23, 59))


@settings(database=None, max_examples=300)
@given(received=RECEIPTS, n=st.integers(min_value=1, max_value=60), same_day=st.booleans())
def test_due_date_is_a_working_day(received, n, same_day):
    assert CAL.is_working_day(due_date(CAL, received, n, HOURS, same_day))


@settings(database=None, max_examples=300)
@given(received=RECEIPTS, n=st.integers(min_value=1, max_value=60))
def test_due_date_is_monotonic(received, n):
    earlier = due_date(CAL, received, n, HOURS)
    later = due_date(CAL, received, n + 1, HOURS)
    assert earlier < later
    assert CAL.working_days_between(earlier, later) == 1


@settings(database=None, max_examples=300)
@given(received=RECEIPTS)
def test_same_day_never_later_than_one_working_day(received):
    # A same-day procedure received between 15:00 and closing is due the next working day,
    # exactly like a one-day procedure received then; otherwise it is due a day earlier.
    assert due_date(CAL, received, 0, HOURS) <= due_date(CAL, received, 1, HOURS)


@settings(database=None, max_examples=200)
@given(received=RECEIPTS, n=st.integers(min_value=1, max_value=30))
def test_due_date_is_n_working_days_after_day_zero(received, n):
    day0 = receipt_day(CAL, received, HOURS.closing)
    assert CAL.working_days_between(day0, due_date(CAL, received, n, HOURS)) == n


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(date(2019, 1, 1), date(2031, 12, 31)),
    length=st.integers(-40, 4000),
    off=st.sets(st.dates(date(2019, 1, 1), date(2031, 12, 31)), max_size=40),
    makeup=st.sets(st.dates(date(2019, 1, 1), date(2031, 12, 31)), max_size=12),
)
def test_working_days_between_counts_as_the_day_by_day_walk(start, length, off, makeup):
    """The constant-time count (the queue counts a straggler's years late on every page) is the walk's."""
    cal = Calendar(days_off=frozenset(off), makeup_workdays=frozenset(makeup))
    end = start + timedelta(days=length)
    walked, day = 0, start
    while day < end:
        day += timedelta(days=1)
        walked += cal.is_working_day(day)
    assert cal.working_days_between(start, end) == walked
