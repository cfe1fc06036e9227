"""Build the working-day calendar from the holidays package and the announced-days table."""

from datetime import date, datetime
from functools import lru_cache

import holidays
from flask import current_app
from sqlalchemy import select

from portal.domain.working_days import LOCAL_TZ, Calendar, OfficeHours
from portal.extensions import db

from . import version
from .models import DAY_OFF, WORKDAY, CalendarDay


@lru_cache(maxsize=32)
def statutory_days_off(year: int) -> frozenset[date]:
    """Holidays and days in lieu for one year, lunar ones included, from the `holidays` package."""
    return frozenset(holidays.country_holidays("VN", years=year))


def calendar_for(years: range) -> Calendar:
    """The public-sector calendar for `years`: statutory days off plus the admin-edited table.

    Built once per process and calendar version (portal/calendar/version.py), not per request.
    """
    return version.cached(years, build_calendar)


def build_calendar(years: range) -> Calendar:
    """calendar_for without the cache: reads the table.

    A table row wins over the package: 'workday' turns a day back into a working day (make-up
    Saturdays, or a package holiday the Government did not grant), 'off' adds a swapped day off.
    """
    rows = db.session.execute(
        select(CalendarDay.day, CalendarDay.kind).where(
            CalendarDay.day >= date(years.start, 1, 1), CalendarDay.day < date(years.stop, 1, 1)
        )
    ).all()
    off = set().union(*(statutory_days_off(year) for year in years))
    off |= {day for day, kind in rows if kind == DAY_OFF}
    workdays = frozenset(day for day, kind in rows if kind == WORKDAY)
    return Calendar(days_off=frozenset(off - workdays), makeup_workdays=workdays)


def calendar_around(moment: date) -> Calendar:
    """A calendar wide enough for any deadline starting at `moment` (two years ahead)."""
    return calendar_for(range(moment.year - 1, moment.year + 3))


def office_hours() -> OfficeHours:
    settings = current_app.config["PORTAL_SETTINGS"]
    return OfficeHours(closing=settings.office_closing, same_day_cutoff=settings.same_day_cutoff)


def local_now() -> datetime:
    return datetime.now(LOCAL_TZ)
