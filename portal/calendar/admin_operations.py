"""Announced days off and make-up working days (the province administrator only): they move every
deadline. Audited through portal.admin.changes; flush, never commit."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from portal.admin.changes import Actor, Forbidden, Invalid, is_province_admin, note
from portal.events.operations import record
from portal.extensions import db

from .models import DAY_OFF, WORKDAY, CalendarDay
from .queries import calendar_for


def day_number(day: date) -> int:
    """The Event subject id of a calendar day: 2026-01-02 -> 20260102."""
    return day.year * 10000 + day.month * 100 + day.day


def add_calendar_day(actor: Actor, *, day: date, kind: str, reason: str, legal_reference: str) -> CalendarDay:
    if not is_province_admin(actor):
        raise Forbidden
    if kind not in (DAY_OFF, WORKDAY):
        raise Invalid("kind", _l("Choose the kind."))
    if db.session.get(CalendarDay, day) is not None:
        raise Invalid("day", _l("This date is already listed. Remove it first to change it."))
    working = calendar_for(range(day.year, day.year + 1)).is_working_day(day)
    if kind == DAY_OFF and not working:
        raise Invalid("kind", _l("This date is already a day off."))
    if kind == WORKDAY and working:
        raise Invalid("kind", _l("This date is already a working day."))
    row = CalendarDay(day=day, kind=kind, reason=reason, legal_reference=legal_reference)
    db.session.add(row)
    db.session.flush()
    record(
        "calendar_day",
        day_number(day),
        "calendar_day_added",
        actor_id=actor.id,
        note=note({}, {"day": day, "kind": kind, "reason": reason, "legal_reference": legal_reference}),
    )
    return row


def remove_calendar_day(actor: Actor, day: date) -> None:
    if not is_province_admin(actor):
        raise Forbidden
    row = db.session.get(CalendarDay, day)
    if row is None:
        raise Invalid("day", _l("This date is not listed."))
    before = {"day": row.day, "kind": row.kind, "reason": row.reason, "legal_reference": row.legal_reference}
    db.session.delete(row)
    db.session.flush()
    record("calendar_day", day_number(day), "calendar_day_removed", actor_id=actor.id, note=note(before, {}))
