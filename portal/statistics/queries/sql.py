"""The range and scope of a dashboard, and the SQL helpers every query of it uses.

Ranges are local (Asia/Ho_Chi_Minh) calendar days: [first 00:00, last + 1 day 00:00) as UTC instants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, case, func, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from portal.agencies.models import Agency
from portal.calendar.queries import LOCAL_TZ, calendar_for
from portal.domain.working_days import PROVINCE_TIMEZONE, Calendar


class local_date(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """The Asia/Ho_Chi_Minh calendar date of a stored UTC instant, on PostgreSQL and SQLite."""

    type = Date()
    name = "local_date"
    inherit_cache = True


@compiles(local_date)
def _local_date_sqlite(element, compiler, **kw):
    # SQLite has no zone database; Vietnam has kept UTC+07:00 all year since 1975 (no DST).
    return f"date({compiler.process(element.clauses, **kw)}, '+7 hours')"


@compiles(local_date, "postgresql")
def _local_date_postgresql(element, compiler, **kw):
    return f"(timezone('{PROVINCE_TIMEZONE}', {compiler.process(element.clauses, **kw)}))::date"


def instant(day: date) -> datetime:
    """Local midnight at the start of `day`, as a UTC instant."""
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @property
    def start(self) -> datetime:
        return instant(self.first)

    @property
    def end(self) -> datetime:
        return instant(self.last + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Scope:
    """One agency, or the whole province (agency None)."""

    agency: Agency | None = None

    @property
    def agency_id(self) -> int | None:
        return self.agency.id if self.agency is not None else None


def count_where(condition) -> ColumnElement[int]:
    """COUNT of rows where `condition` holds, portable (SQLite has FILTER only since 3.30)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def in_scope(column, scope: Scope):
    return column == scope.agency_id if scope.agency_id is not None else true()


def calendar_covering(days: list[date]) -> Calendar:
    years = [day.year for day in days] or [date.today().year]
    return calendar_for(range(min(years) - 1, max(years) + 2))
