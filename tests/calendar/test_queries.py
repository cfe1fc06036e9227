"""The working-day calendar as the app builds it: the holidays package plus the seeded/admin table."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from portal.calendar.models import DAY_OFF, WORKDAY, CalendarDay
from portal.calendar.queries import calendar_around, calendar_for, office_hours, statutory_days_off
from portal.domain.working_days import OfficeHours, due_date
from portal.extensions import db

D, T = date, datetime

# VIETNAM.md §2.4, every worked example (2026, official swaps, office closing 17:00).
WORKED_EXAMPLES = [
    pytest.param(T(2026, 2, 12, 9, 0), 3, D(2026, 2, 24), id="tet-2026"),
    pytest.param(T(2026, 4, 24, 10, 0), 5, D(2026, 5, 6), id="gio-to-in-lieu-30-4-1-5"),
    pytest.param(T(2026, 8, 20, 16, 0), 3, D(2026, 8, 24), id="saturday-22-8-make-up"),
    pytest.param(T(2026, 11, 23, 8, 0), 1, D(2026, 11, 25), id="culture-day-24-11"),
    pytest.param(T(2025, 12, 31, 17, 30), 1, D(2026, 1, 6), id="after-hours-31-12-swap-2-1"),
]


def add_day(day: date, kind: str) -> None:
    db.session.add(CalendarDay(day=day, kind=kind, reason="test", legal_reference="test"))
    db.session.flush()


@pytest.mark.parametrize(("received", "n", "due"), WORKED_EXAMPLES)
def test_worked_examples(app, received, n, due):
    assert due_date(calendar_around(date(2026, 1, 1)), received, n) == due


@pytest.mark.parametrize(("received", "n", "due"), WORKED_EXAMPLES)
def test_worked_examples_from_the_receipt_year(app, received, n, due):
    assert due_date(calendar_around(received.date()), received, n, office_hours()) == due


def test_the_calendar_combines_package_and_table(app):
    calendar = calendar_around(date(2026, 1, 1))
    # From the holidays package.
    package_days = {D(2026, 1, 1), D(2026, 2, 17), D(2026, 4, 27), D(2026, 8, 31), D(2026, 11, 24)}
    assert package_days <= calendar.days_off
    # From the seeded table only (VIETNAM.md §2.2: the package lacks them).
    assert D(2026, 1, 2) in calendar.days_off
    assert {D(2025, 4, 26), D(2026, 1, 10), D(2026, 8, 22)} <= calendar.makeup_workdays
    assert calendar.is_working_day(D(2026, 1, 10)) and calendar.is_working_day(D(2026, 8, 22))
    assert not calendar.is_working_day(D(2026, 1, 2))
    assert calendar.is_working_day(D(2025, 12, 31))


def test_a_workday_row_overrides_a_package_holiday(app):
    received, before = T(2026, 11, 23, 8, 0), D(2026, 11, 25)
    assert due_date(calendar_around(received.date()), received, 1) == before
    add_day(D(2026, 11, 24), WORKDAY)
    calendar = calendar_around(received.date())
    assert D(2026, 11, 24) not in calendar.days_off
    assert due_date(calendar, received, 1) == D(2026, 11, 24)


def test_an_off_row_adds_a_day_off(app):
    received = T(2026, 2, 12, 9, 0)  # Thursday; Friday 13/2 is day 1
    add_day(D(2026, 2, 13), DAY_OFF)
    calendar = calendar_around(received.date())
    assert not calendar.is_working_day(D(2026, 2, 13))
    assert due_date(calendar, received, 3) == D(2026, 2, 25)


def test_a_workday_row_on_a_saturday_makes_it_count(app):
    received = T(2026, 10, 15, 9, 0)  # Thursday
    assert due_date(calendar_around(received.date()), received, 2) == D(2026, 10, 19)
    add_day(D(2026, 10, 17), WORKDAY)
    assert due_date(calendar_around(received.date()), received, 2) == D(2026, 10, 17)


def test_rows_outside_the_years_are_ignored(app):
    add_day(D(2031, 3, 3), DAY_OFF)
    assert D(2031, 3, 3) not in calendar_for(range(2026, 2028)).days_off
    assert D(2031, 3, 3) in calendar_for(range(2031, 2032)).days_off


def test_calendar_around_reaches_two_years_ahead(app):
    calendar = calendar_around(date(2026, 6, 1))
    assert D(2025, 1, 1) in calendar.days_off
    assert D(2028, 1, 1) in calendar.days_off
    # A deadline late in the year runs into the next year's holidays.
    assert due_date(calendar, T(2026, 12, 31, 9, 0), 1) == D(2027, 1, 4)


def test_statutory_days_off_2027_includes_tet():
    days = statutory_days_off(2027)
    assert {D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 8), D(2027, 2, 9), D(2027, 2, 10)} <= days
    assert {D(2027, 1, 1), D(2027, 4, 16), D(2027, 4, 30), D(2027, 9, 2), D(2027, 11, 24)} <= days
    assert all(day.year == 2027 for day in days)


def test_office_hours_come_from_settings(app):
    assert office_hours() == OfficeHours(closing=time(17, 0), same_day_cutoff=time(15, 0))
