"""Announced days off and make-up working days (province admin): add, remove, and see the effect on the
calendar page and on a procedure's due date at /procedures/<code>."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from babel.dates import format_date

from portal.calendar.models import CalendarDay
from portal.calendar.queries import calendar_around, local_now, office_hours
from portal.domain.working_days import due_date, receipt_day
from portal.extensions import db
from tests.support.admin import ADMIN, account, body, change, errors, events, procedure, signed_in

PROCEDURE = "SL-005"  # 3 working days
LONG_PROCEDURE = "SL-025"  # 15 working days: at least two Saturdays inside the count


def number(day: date) -> int:
    return int(day.strftime("%Y%m%d"))


def next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7 or 7)


def free_working_day(after: date) -> date:
    """A plain working day (Monday–Friday, no holiday, no table row) after `after`."""
    cal = calendar_around(after)
    day = cal.next_working_day(after)
    while day.weekday() >= 5 or db.session.get(CalendarDay, day) is not None:
        day = cal.next_working_day(day)
    return day


def shown_due(client, code: str = PROCEDURE) -> str:
    text = body(client.get(f"/procedures/{code}?lang=en"))
    start = text.index("Result due: ") + len("Result due: ")
    return text[start : text.index("<", start)].strip()


def expected_due(code: str = PROCEDURE) -> date:
    now = local_now()
    return due_date(calendar_around(now.date()), now, procedure(code).processing_days, office_hours())


def test_an_announced_day_off_moves_the_due_date_and_removing_it_moves_it_back(app):
    client = signed_in(app, ADMIN)
    before = expected_due()
    assert shown_due(client) == format_date(before, "EEEE, d MMMM y", locale="en")
    now = local_now()
    start = receipt_day(calendar_around(now.date()), now, office_hours().closing)
    day_off = free_working_day(start)
    assert day_off <= before  # inside the counted days
    response = client.post(
        "/staff/admin/calendar",
        data={
            "day": day_off.isoformat(),
            "kind": "off",
            "reason": "Nghỉ hoán đổi",
            "legal_reference": "Công văn 1/VPCP",
        },
    )
    assert response.status_code == 302
    after = expected_due()
    assert after > before
    assert calendar_around(now.date()).working_days_between(before, after) == 1
    assert shown_due(client) == format_date(after, "EEEE, d MMMM y", locale="en")
    [event] = events("calendar_day", number(day_off), "calendar_day_added")
    assert event.actor_id == account(ADMIN).id
    assert change(event) == {
        "before": {},
        "after": {
            "day": day_off.isoformat(),
            "kind": "off",
            "reason": "Nghỉ hoán đổi",
            "legal_reference": "Công văn 1/VPCP",
        },
    }

    response = client.post("/staff/admin/calendar/remove", data={"day": day_off.isoformat()})
    assert response.status_code == 302
    assert db.session.get(CalendarDay, day_off) is None
    assert shown_due(client) == format_date(before, "EEEE, d MMMM y", locale="en")
    [removed] = events("calendar_day", number(day_off), "calendar_day_removed")
    assert change(removed)["before"]["kind"] == "off" and change(removed)["after"] == {}


def test_a_make_up_saturday_brings_the_due_date_forward(app):
    client = signed_in(app, ADMIN)
    before = expected_due(LONG_PROCEDURE)
    now = local_now()
    start = receipt_day(calendar_around(now.date()), now, office_hours().closing)
    saturday = next_weekday(start, 5)
    while db.session.get(CalendarDay, saturday) is not None:
        saturday += timedelta(days=7)
    assert start < saturday < before
    assert (
        client.post(
            "/staff/admin/calendar", data={"day": saturday.isoformat(), "kind": "workday", "reason": "Làm bù"}
        ).status_code
        == 302
    )
    after = expected_due(LONG_PROCEDURE)
    assert after < before
    assert shown_due(client, LONG_PROCEDURE) == format_date(after, "EEEE, d MMMM y", locale="en")
    page = body(client.get(f"/staff/admin/calendar?start={saturday:%Y-%m}"))
    assert 'class="day day-makeup' in page


def test_the_calendar_page_shows_the_effect(app):
    client = signed_in(app, ADMIN)
    today = local_now().date()
    day_off = free_working_day(today + timedelta(days=20))
    client.post(
        "/staff/admin/calendar",
        data={"day": day_off.isoformat(), "kind": "off", "reason": "Nghỉ bù đặc biệt"},
    ).close()
    page = body(client.get(f"/staff/admin/calendar?lang=en&start={day_off:%Y-%m}"))
    assert "Nghỉ bù đặc biệt" in page
    assert 'class="day day-announced_off' in page
    # Day first, as in Vietnamese (issue 11 item 13), not Babel's US "Monday, January 4, 2027".
    assert format_date(day_off, "EEEE, dd/MM/yyyy", locale="en") in page
    # statutory holidays from the holidays package are shown too: 1 January of the next year
    page = body(client.get(f"/staff/admin/calendar?lang=en&start={today.year + 1}-01"))
    assert (
        f"{format_date(date(today.year + 1, 1, 1), 'EEEE, dd/MM/yyyy', locale='en')}</strong>: New Year"
        in page
    )


@pytest.mark.parametrize(
    ("kind", "pick", "message"),
    [
        ("off", "sunday", "This date is already a day off."),
        ("off", "holiday", "This date is already a day off."),
        ("workday", "wednesday", "This date is already a working day."),
        ("off", "listed", "This date is already listed. Remove it first to change it."),
    ],
)
def test_a_day_that_would_change_nothing_is_refused(app, kind, pick, message):
    today = local_now().date()
    day = {
        "sunday": next_weekday(today, 6),
        "holiday": date(today.year + 1, 9, 2),
        "wednesday": free_working_day(next_weekday(today, 1)),
        "listed": date(2026, 1, 2),
    }[pick]
    if pick == "wednesday":
        assert day.weekday() < 5
    rows_before = db.session.query(CalendarDay).count()
    response = signed_in(app, ADMIN).post(
        "/staff/admin/calendar?lang=en", data={"day": day.isoformat(), "kind": kind, "reason": "Thử"}
    )
    assert response.status_code == 400
    assert message in errors(response)
    assert db.session.query(CalendarDay).count() == rows_before
    assert events("calendar_day", number(day)) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "", "kind": "off", "reason": "x"}, "Enter the date."),
        ({"day": "2026-02-30", "kind": "off", "reason": "x"}, "Not a valid date value."),
        ({"day": "2027-03-03", "kind": "holiday", "reason": "x"}, "Not a valid choice."),
        ({"day": "2027-03-03", "kind": "off", "reason": ""}, "Enter the reason."),
    ],
)
def test_malformed_input(app, data, message):
    response = signed_in(app, ADMIN).post("/staff/admin/calendar?lang=en", data=data)
    assert response.status_code == 400
    assert message in errors(response)
    assert db.session.get(CalendarDay, date(2027, 3, 3)) is None


def test_removing_a_day_that_is_not_listed(app):
    response = signed_in(app, ADMIN).post("/staff/admin/calendar/remove", data={"day": "2027-03-03"})
    response.close()
    assert response.status_code == 400
    assert events("calendar_day", 20270303) == []
