"""/staff/admin/calendar: the province administrator announces days off and make-up working days, which move
every deadline, and sees the coming months day by day. Closed by default (portal.auth.access); opened per
view. Every change writes an Event (portal.calendar.admin_operations)."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
from babel.dates import get_day_names
from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.admin.changes import Invalid
from portal.admin.views import admin_blueprint, form_status, save, saved
from portal.auth.access import allow, protect
from portal.domain.roles import Role
from portal.extensions import db
from portal.forms import required
from portal.i18n import locale_code

from .admin_forms import KINDS, CalendarDayForm, CalendarRemoveForm
from .admin_operations import add_calendar_day, remove_calendar_day
from .models import DAY_OFF, CalendarDay
from .queries import calendar_for, local_now

bp = protect(admin_blueprint("calendar_admin", __name__))
CALENDAR_MONTHS = 4


def _month_start(text: str, today: date) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _months(start: date, count: int, today: date) -> list[dict]:
    """Month grids (Monday first) with each day's state: working, weekend, holiday, announced off, make-up."""
    end = _add_months(start, count)
    cal = calendar_for(range(start.year, end.year + 1))
    language = "en_US" if locale_code() == "en" else "vi"
    names = holidays.country_holidays("VN", years=range(start.year, end.year + 1), language=language)
    announced = {
        row.day: row
        for row in db.session.scalars(
            select(CalendarDay).where(CalendarDay.day >= start, CalendarDay.day < end)
        )
    }
    months = []
    first = start
    while first < end:
        following = _add_months(first, 1)
        weeks: list[list[dict | None]] = []
        week: list[dict | None] = [None] * first.weekday()
        day = first
        while day < following:
            row = announced.get(day)
            working = cal.is_working_day(day)
            if row is not None:
                kind, label = ("announced_off" if row.kind == DAY_OFF else "makeup"), row.reason
            elif day in names and not working:
                kind, label = "holiday", names.get(day)
            elif not working:
                kind, label = "weekend", ""
            else:
                kind, label = "work", names.get(day, "")  # a package holiday the table turned back
            week.append({"day": day, "working": working, "kind": kind, "label": label, "today": day == today})
            if len(week) == 7:
                weeks.append(week)
                week = []
            day += timedelta(days=1)
        if week:
            weeks.append(week + [None] * (7 - len(week)))
        months.append({"first": first, "title": format_date(first, "LLLL yyyy"), "weeks": weeks})
        first = following
    return months


def _calendar_page(form, status: int = 200):
    today = local_now().date()
    start = _month_start(request.args.get("start", ""), today)
    rows = db.session.scalars(
        select(CalendarDay).where(CalendarDay.day >= date(today.year - 1, 1, 1)).order_by(CalendarDay.day)
    ).all()
    day_names = get_day_names("abbreviated", locale=get_locale())
    return render_template(
        "calendar/admin/calendar.html",
        form=form,
        rows=rows,
        months=_months(start, CALENDAR_MONTHS, today),
        weekdays=[day_names[index] for index in range(7)],
        kinds=KINDS,
        previous=_add_months(start, -CALENDAR_MONTHS).strftime("%Y-%m"),
        following=_add_months(start, CALENDAR_MONTHS).strftime("%Y-%m"),
        remove=CalendarRemoveForm(formdata=None),
    ), status


@bp.route("/calendar", methods=["GET", "POST"])
@allow(Role.ADMIN)
def calendar():
    form = CalendarDayForm()
    done = save(
        form,
        lambda: add_calendar_day(
            current_user,
            day=required(form.day),
            kind=form.kind.data,
            reason=required(form.reason),
            legal_reference=form.legal_reference.data or "",
        ),
        lambda row: url_for(".calendar", start=row.day.strftime("%Y-%m")),
    )
    return done or _calendar_page(form, form_status())


@bp.post("/calendar/remove")
@allow(Role.ADMIN)
def calendar_remove():
    form = CalendarRemoveForm()
    if form.validate_on_submit():
        try:
            remove_calendar_day(current_user, required(form.day))
        except Invalid:
            db.session.rollback()
        else:
            saved(True)
            return redirect(url_for(".calendar"))
    flash(_("This date is not listed."), "error")
    return _calendar_page(CalendarDayForm(formdata=None), 400)
