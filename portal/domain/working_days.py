"""Deadlines counted in working days ("N ngày làm việc", VIETNAM.md §2). Pure: stdlib only.

The caller supplies the calendar (days off and make-up Saturdays, kept in an admin-edited table) and
local Asia/Ho_Chi_Minh datetimes; nothing here reads the clock or configuration.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from portal.domain.timeliness import too_many_requests

# The province's clock: every day, deadline and office hour is a day in Vietnam (UTC+7, no summer time).
PROVINCE_TIMEZONE = "Asia/Ho_Chi_Minh"
LOCAL_TZ = ZoneInfo(PROVINCE_TIMEZONE)


@dataclass(frozen=True)
class Calendar:
    """Public-sector calendar: Monday–Friday minus `days_off`, plus `makeup_workdays`."""

    days_off: frozenset[date]  # holidays, days in lieu ("nghỉ bù"), swapped weekdays off
    makeup_workdays: frozenset[date] = frozenset()  # Saturdays worked for a swap ("làm bù")

    def is_working_day(self, day: date) -> bool:
        """True on a day state offices work (40-hour week, Decision 188/1999/QĐ-TTg)."""
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (`day` itself when count is 0)."""
        for _ in range(count):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days d with start < d <= end; 0 when end <= start."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


@dataclass(frozen=True)
class OfficeHours:
    """Office closing time and the same-day cut-off; configuration, passed in by the caller."""

    closing: time = time(17, 0)
    # Decree 23/2015/NĐ-CP Art. 7: same-day procedures received after 15:00 are returned the next
    # working day.
    same_day_cutoff: time = time(15, 0)


def receipt_day(cal: Calendar, received: datetime, cutoff: time) -> date:
    """Day 0 of the count: the receipt date, or the next working day for a receipt on a rest day or
    at/after `cutoff`.

    `received` must be local (Asia/Ho_Chi_Minh) time. Aware datetimes are *not* converted: their
    wall-clock date and time are used, so convert UTC instants before calling.
    """
    # Receipts out of hours, on rest days or online at night count from the next working day
    # (one-stop practice, Decree 45/2020/NĐ-CP [verify clause]).
    day = received.date()
    if not cal.is_working_day(day) or received.time() >= cutoff:
        day = cal.next_working_day(day)
    return day


def due_date(
    cal: Calendar,
    received: datetime,
    working_days: int,
    hours: OfficeHours = OfficeHours(),  # noqa: B008 - frozen, so a shared default is safe
    same_day: bool = False,
) -> date:
    """The return date for a procedure of `working_days` working days received at `received`.

    Same-day procedures (working_days == 0 or same_day=True) use the 15:00 cut-off, others the
    closing time.
    """
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    cutoff = hours.same_day_cutoff if same_day or working_days == 0 else hours.closing
    # Civil Code 2015 Art. 147: the first day of a period counted in days is not counted, so day 1
    # is the working day after day 0. Counting only working days also applies Art. 148 (a deadline
    # falling on a rest day moves to the next working day).
    return cal.add_working_days(receipt_day(cal, received, cutoff), working_days)


@dataclass(frozen=True)
class Pause:
    """The clock stopped for a supplement request ("Yêu cầu bổ sung giấy tờ"), in local time."""

    started: datetime  # request sent to the citizen
    resumed: datetime | None  # documents completed; None while still waiting


class PauseRule(StrEnum):
    """How a supplementation pause moves the due date (VIETNAM.md §2.3 item 6)."""

    # Decision 766/QĐ-TTg on-time formula: the citizen's time is excluded, i.e. added to the due date.
    EXCLUDE = "exclude"
    # Decree 61/2018/NĐ-CP practice: the full processing time restarts once the dossier is complete.
    RESTART = "restart"


def _check_pauses(received: datetime, pauses: Sequence[Pause]) -> None:
    previous_end = received
    for index, pause in enumerate(pauses):
        if pause.started < previous_end:
            raise ValueError(f"pause {index} starts before the receipt or the previous pause ends")
        if pause.resumed is None:
            if index != len(pauses) - 1:
                raise ValueError(f"pause {index} is still open but later pauses follow")
            return
        if pause.resumed < pause.started:
            raise ValueError(f"pause {index} resumes before it starts")
        previous_end = pause.resumed


def adjusted_due_date(
    cal: Calendar,
    received: datetime,
    working_days: int,
    pauses: Sequence[Pause],
    rule: PauseRule,
    hours: OfficeHours = OfficeHours(),  # noqa: B008 - frozen, so a shared default is safe
    same_day: bool = False,
) -> date | None:
    """The due date after supplementation pauses, or None while a pause is still open.

    Pauses must be in order, after the receipt and non-overlapping (ValueError otherwise).
    EXCLUDE adds, per pause, the working days d with start date < d <= resume date to the original
    due date. RESTART counts the full `working_days` again from the last resume, as a new receipt
    with the same cut-offs.
    """
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    rule = PauseRule(rule)  # a plain "exclude"/"restart" string from storage works too
    _check_pauses(received, pauses)
    if not pauses:
        return due_date(cal, received, working_days, hours, same_day)
    last_resumed = pauses[-1].resumed
    if last_resumed is None:
        return None  # unknown until the citizen completes the dossier
    if rule is PauseRule.RESTART:
        return due_date(cal, last_resumed, working_days, hours, same_day)
    paused = sum(cal.working_days_between(p.started.date(), p.resumed.date()) for p in pauses if p.resumed)
    return cal.add_working_days(due_date(cal, received, working_days, hours, same_day), paused)


def is_late(due: date, finished: datetime) -> bool:
    """True when the result was finished (local time) on a date after `due`."""
    return finished.date() > due


def supplement_rule_late(pause_count: int) -> bool:
    """Decision 766/QĐ-TTg: more than one supplement request makes the dossier late.

    Count only supplement requests (status 5), not fee requests or other stops. The rule lives in
    `portal.domain.timeliness` (SUPPLEMENT_REQUESTS_ALLOWED, too_many_requests); this name stays for its callers.
    """
    return too_many_requests(pause_count)
