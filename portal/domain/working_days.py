"""Deadlines counted in working days ("N ngày làm việc", VIETNAM.md §2). Pure: stdlib only.

The caller supplies the calendar (days off and make-up Saturdays, kept in an admin-edited table) and
local Asia/Ho_Chi_Minh datetimes; nothing here reads the clock or configuration.
"""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
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
        """Number of working days d with start < d <= end; 0 when end <= start.

        In constant time plus two binary searches, not a walk day by day: the staff queue counts the days
        left or late of each row, and a straggler years past its date made that walk most of the page."""
        if end <= start:
            return 0
        removed, added = self._exceptions
        return (
            _weekdays_to(end)
            - _weekdays_to(start)
            - (bisect_right(removed, end) - bisect_right(removed, start))
            + (bisect_right(added, end) - bisect_right(added, start))
        )

    @cached_property
    def _exceptions(self) -> tuple[list[date], list[date]]:
        """The weekdays that are not working days, and the working days that are not weekdays, sorted."""
        removed = sorted(d for d in self.days_off if d.weekday() < 5 and d not in self.makeup_workdays)
        added = sorted(d for d in self.makeup_workdays if d.weekday() >= 5)
        return removed, added


def _weekdays_to(day: date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday) up to `day` included."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


@dataclass(frozen=True)
class OfficeHours:
    """Office closing time and the same-day cut-off; configuration, passed in by the caller."""

    closing: time = time(17, 0)
    # Decree 23/2015/NĐ-CP Art. 7: same-day procedures received after 15:00 are returned the next
    # working day. Procedures flagged with the afternoon cut-off (Decree 63/2024's linked procedures,
    # VIETNAM.md §2.3 item 4) use it too, whatever their duration.
    same_day_cutoff: time = time(15, 0)

    def cutoff(self, working_days: int, same_day: bool = False, afternoon_cutoff: bool = False) -> time:
        """The time of day from which a receipt counts from the next working day: the 15:00 cut-off
        for same-day procedures (working_days == 0 or same_day) and for procedures with the afternoon
        cut-off, the closing time for the others."""
        return self.same_day_cutoff if same_day or afternoon_cutoff or working_days == 0 else self.closing


@dataclass(frozen=True)
class Suspension:
    """A declared force-majeure event (landslide, flash flood, road cut, epidemic) over `first`–`last`
    inclusive: the working-day clock of the items it covers stands still on those days."""

    first: date
    last: date

    def days(self) -> set[date]:
        return {self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)}


def suspended(cal: Calendar, suspensions: Sequence[Suspension]) -> Calendar:
    """The item's own calendar: every declared day is a rest day for its clock.

    Why a calendar and not a pause: the time of a force-majeure event does not count in the period (the
    declaration names its legal basis; the same principle as Civil Code 2015 Art. 156 [verify for
    administrative deadlines]), so
    overlapping events simply merge; a day off is charged once, never both to the citizen (a supplement
    pause) and to the event; an item received during the event counts from the first working day after it
    (like a receipt on a rest day); days of an event after the due date, or before the receipt, move nothing.
    """
    if not suspensions:
        return cal
    declared = frozenset().union(*(s.days() for s in suspensions))
    return Calendar(days_off=cal.days_off | declared, makeup_workdays=cal.makeup_workdays - declared)


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
    afternoon_cutoff: bool = False,
) -> date:
    """The return date for a procedure of `working_days` working days received at `received`.

    Same-day procedures (working_days == 0 or same_day=True) and procedures with the afternoon cut-off
    use the 15:00 cut-off, others the closing time (OfficeHours.cutoff).
    """
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    cutoff = hours.cutoff(working_days, same_day, afternoon_cutoff)
    # Civil Code 2015 Art. 147: the first day of a period counted in days is not counted, so day 1
    # is the working day after day 0. Counting only working days also applies Art. 148 (a deadline
    # falling on a rest day moves to the next working day).
    return cal.add_working_days(receipt_day(cal, received, cutoff), working_days)


class PauseKind(StrEnum):
    """Why the clock stopped (VIETNAM.md §4)."""

    SUPPLEMENT = "supplement"  # status 5, "Yêu cầu bổ sung giấy tờ", form 02
    FEE = "fee"  # status 6, "Yêu cầu thực hiện nghĩa vụ tài chính"


@dataclass(frozen=True)
class Pause:
    """The clock stopped while the citizen owes something, in local time."""

    started: datetime  # request sent to the citizen
    resumed: datetime | None  # documents completed or fee paid; None while still waiting
    kind: PauseKind = PauseKind.SUPPLEMENT


class PauseRule(StrEnum):
    """How a supplementation pause moves the due date (VIETNAM.md §2.3 item 6)."""

    # Decision 766/QĐ-TTg on-time formula: the citizen's time is excluded, i.e. added to the due date.
    EXCLUDE = "exclude"
    # Decree 61/2018/NĐ-CP practice: the full processing time restarts once the dossier is complete.
    # Only a supplement request (form 02) restarts it; a fee request is always excluded.
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


def excluded_days(cal: Calendar, pause: Pause, cutoff: time) -> int:
    """The working days a closed pause charges to the citizen: d with start date < d <= the day the
    documents (or the fee) count as received. Completed at/after `cutoff` or on a rest day, they count as
    received on the next working day (VIETNAM.md §2.3 item 5), so that day is the citizen's too."""
    if pause.resumed is None:
        raise ValueError("an open pause has no length yet")
    return cal.working_days_between(pause.started.date(), receipt_day(cal, pause.resumed, cutoff))


def adjusted_due_date(
    cal: Calendar,
    received: datetime,
    working_days: int,
    pauses: Sequence[Pause],
    rule: PauseRule,
    hours: OfficeHours = OfficeHours(),  # noqa: B008 - frozen, so a shared default is safe
    same_day: bool = False,
    afternoon_cutoff: bool = False,
) -> date | None:
    """The due date after pauses, or None while a pause is still open.

    Pauses must be in order, after the receipt and non-overlapping (ValueError otherwise).
    EXCLUDE adds each pause's `excluded_days` to the original due date. RESTART counts the full
    `working_days` again from the last supplement pause's resume, as a new receipt with the same
    cut-offs; fee pauses are excluded (added) under either rule, so paying a fee never restarts the
    processing time.
    """
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    rule = PauseRule(rule)  # a plain "exclude"/"restart" string from storage works too
    _check_pauses(received, pauses)
    if pauses and pauses[-1].resumed is None:
        return None  # unknown until the citizen completes the dossier or pays
    cutoff = hours.cutoff(working_days, same_day, afternoon_cutoff)
    start, excluded = received, list(pauses)
    restarts = [p for p in pauses if p.kind is PauseKind.SUPPLEMENT and p.resumed is not None]
    if rule is PauseRule.RESTART and restarts:
        restart = restarts[-1]
        assert restart.resumed is not None
        start, excluded = restart.resumed, [p for p in pauses if p.started >= restart.resumed]
    due = due_date(cal, start, working_days, hours, same_day, afternoon_cutoff)
    return cal.add_working_days(due, sum(excluded_days(cal, p, cutoff) for p in excluded))


def answer_due_date(
    cal: Calendar,
    submitted: datetime,
    working_days: int,
    pauses: Sequence[Pause],
    hours: OfficeHours = OfficeHours(),  # noqa: B008 - frozen, so a shared default is safe
    forwarded: datetime | None = None,
) -> date | None:
    """A feedback item's answer deadline (VIETNAM.md §6.2): `working_days` after the citizen sent it or,
    once it was forwarded to the responsible agency, after the (last) forwarding, which the receiving
    agency takes in like a new receipt (after hours or on a rest day: from the next working day). Only
    the pauses after that moment count (excluded, as Decision 766 does); None while a pause is open."""
    start = submitted if forwarded is None or forwarded < submitted else forwarded
    later = [p for p in pauses if p.started >= start]
    return adjusted_due_date(cal, start, working_days, later, PauseRule.EXCLUDE, hours)


def apology_allowed(due: date | None, today: date) -> bool:
    """Form 04 ("Phiếu xin lỗi và hẹn lại ngày trả kết quả") is sent before the due date (VIETNAM.md
    §2.3 item 8): on a day strictly before it. On the due day itself, or later, it comes too late."""
    return due is not None and today < due


def apology_refusal(appointment: date | None, today: date, legal_due: date | None = None) -> str | None:
    """Why form 04 cannot be sent on `today`, or None when it can: the one answer the dossier page's
    next-step hint, its apology form and the operation all ask, so none offers what another refuses.

    The letter apologises for missing the legal due date (`legal_due`, the receipt's date moved only by pauses
    and declared disasters), so it goes before that date, even when a letter already sent moved the
    appointment (the date promised to the citizen) later: once the legal date has come the letter's new date
    stands. Without `legal_due` the appointment is the legal date (no letter moved it).

    "apology_paused": no appointment to move while the clock waits for the citizen's documents or fee;
    "apology_too_late": the appointment has come (`apology_allowed`), e.g. all day long on the receipt day
    of a same-day procedure received before the 15:00 cut-off, which is due that very day;
    "apology_letter_sent": a letter already moved the appointment past the legal due date, which has come."""
    if appointment is None:
        return "apology_paused"
    due = appointment if legal_due is None else min(appointment, legal_due)
    if apology_allowed(due, today):
        return None
    return "apology_too_late" if due == appointment else "apology_letter_sent"


def late_without_letter(legal_due: date | None, appointment: date | None, today: date) -> bool:
    """A dossier on the clock past its legal due date with no apology letter that promised a later date:
    the appointment (the later of the legal date and a letter's new date) is still the legal date.

    The caller asks only for dossiers whose clock runs (received, processing)."""
    return legal_due is not None and today > legal_due and (appointment is None or appointment <= legal_due)


def is_late(due: date, finished: datetime) -> bool:
    """True when the result was finished (local time) on a date after `due`."""
    return finished.date() > due


def supplement_rule_late(pause_count: int) -> bool:
    """Decision 766/QĐ-TTg: more than one supplement request makes the dossier late.

    Count only supplement requests (status 5), not fee requests or other stops. The rule lives in
    `portal.domain.timeliness` (SUPPLEMENT_REQUESTS_ALLOWED, too_many_requests); this name stays for its callers.
    """
    return too_many_requests(pause_count)
