"""The working-day calendar is built once per process and calendar version (portal/calendar/version.py), not on
every request, and a change of the calendar is seen at the next request: from this process, from another
worker or node (only the database's token tells), and never from a change that was rolled back."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from sqlalchemy import delete, event, text

from portal.calendar.models import DAY_OFF, CalendarDay
from portal.calendar.queries import build_calendar, calendar_around, calendar_for, local_now, office_hours
from portal.calendar.version import current_token
from portal.domain.working_days import due_date, receipt_day
from portal.extensions import db
from tests.calendar.test_routes_admin import PROCEDURE, free_working_day, shown_due
from tests.support.admin import procedure
from tests.support.clients import fresh_client


class Reads:
    """The calendar's SQL seen while it is listening: table reads and version reads."""

    def __init__(self) -> None:
        self.table = self.version = 0

    def __call__(self, _connection, _cursor, sql, *_args) -> None:
        self.table += "FROM calendar_days" in sql
        self.version += "FROM calendar_version" in sql


def listening(reads: Reads):
    event.listen(db.engine, "before_cursor_execute", reads)
    return reads


def stop(reads: Reads) -> None:
    event.remove(db.engine, "before_cursor_execute", reads)


def expected_due() -> date:
    now = local_now()
    cal = build_calendar(range(now.year - 1, now.year + 3))  # straight from the table, no cache
    return due_date(cal, now, procedure(PROCEDURE).processing_days, office_hours())


def test_the_calendar_is_built_once_not_on_every_request(app):
    client = fresh_client(app, "198.51.100.31")
    shown_due(client)  # builds it (or finds it built) under the current version
    reads = listening(Reads())
    try:
        first = shown_due(client)
        second = shown_due(client)
    finally:
        stop(reads)
    assert first == second == format_date(expected_due(), "EEEE, d MMMM y", locale="en")
    assert reads.table == 0  # the rows were not read again
    assert reads.version == 2  # one cheap version check per request


def test_a_change_committed_by_another_node_is_seen_at_the_next_request(app):
    """Another node changes the table and writes a new token; nothing tells this process but the token."""
    client = fresh_client(app, "198.51.100.32")
    before = shown_due(client)
    now = local_now()
    start = receipt_day(calendar_around(now.date()), now, office_hours().closing)
    day_off = free_working_day(start)
    assert day_off <= expected_due()  # inside the counted days
    db.session.execute(
        text("INSERT INTO calendar_days (day, kind, reason, legal_reference) VALUES (:day, 'off', 'x', '')"),
        {"day": day_off},
    )
    db.session.execute(
        text(
            "INSERT INTO calendar_version (id, token) VALUES (1, 'another-node') "
            "ON CONFLICT (id) DO UPDATE SET token = excluded.token"
        )
    )
    after = expected_due()
    assert shown_due(client) == format_date(after, "EEEE, d MMMM y", locale="en") != before


def test_a_rolled_back_change_leaves_nothing_behind(app):
    """Two changes rolled back one after the other: each is seen only inside its own transaction (a token
    that came back after a rollback would hand the second change the first one's calendar)."""
    years = range(2030, 2031)
    first_day, second_day = date(2030, 3, 6), date(2030, 3, 7)  # a Wednesday and a Thursday
    assert calendar_for(years).is_working_day(first_day) and calendar_for(years).is_working_day(second_day)
    for day in (first_day, second_day):
        savepoint = db.session.begin_nested()
        db.session.add(CalendarDay(day=day, kind=DAY_OFF, reason="thử", legal_reference=""))
        db.session.flush()
        seen = calendar_for(years)
        assert not seen.is_working_day(day)
        assert seen.is_working_day(first_day if day == second_day else second_day)
        savepoint.rollback()
        assert calendar_for(years).is_working_day(day)


def test_orm_changes_write_a_new_token_bulk_statements_too(app):
    token = current_token()
    db.session.add(CalendarDay(day=date(2031, 5, 6), kind=DAY_OFF, reason="thử", legal_reference=""))
    db.session.flush()
    added = current_token()
    assert added != token
    assert not calendar_for(range(2031, 2032)).is_working_day(date(2031, 5, 6))
    db.session.execute(delete(CalendarDay).where(CalendarDay.day == date(2031, 5, 6)))
    assert current_token() not in (token, added)
    assert calendar_for(range(2031, 2032)).is_working_day(date(2031, 5, 6))
