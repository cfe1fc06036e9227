"""Appointment dates and timeliness of a dossier, counted in working days (VIETNAM.md §2.3, §7.2)."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app

from portal.calendar.queries import LOCAL_TZ, calendar_around, office_hours
from portal.domain.dossier_status import ON_THE_CLOCK
from portal.domain.working_days import Pause, PauseRule, adjusted_due_date, due_date, supplement_rule_late


def _local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)


def appointment_for(procedure, received_at: datetime, pauses=()) -> date | None:
    """The return date for a dossier received at `received_at`, after any pauses (None while paused)."""
    received = _local(received_at)
    cal = calendar_around(received.date())
    closed = [Pause(_local(p.started_at), _local(p.resumed_at) if p.resumed_at else None) for p in pauses]
    if not closed:
        return due_date(cal, received, procedure.processing_days, office_hours(), procedure.same_day)
    rule = PauseRule(current_app.config["PORTAL_SETTINGS"].supplement_rule)
    return adjusted_due_date(
        cal, received, procedure.processing_days, closed, rule, office_hours(), procedure.same_day
    )


def timeliness(dossier, today: date) -> str:
    """'early', 'on_time', 'late' for finished dossiers; 'on_time' / 'overdue' for open ones; '' before receipt.

    Decision 766: the end is "processed" (9), else the return, else the stop; more than one
    supplement request makes the dossier late.
    """
    if dossier.appointment_on is None:
        return ""
    supplements = sum(1 for p in dossier.pauses if p.reason == "supplement")
    end = dossier.finished_at or dossier.returned_at
    if supplement_rule_late(supplements):
        return "late"
    if end is None:
        return "overdue" if today > dossier.appointment_on and dossier.status in ON_THE_CLOCK else "on_time"
    finished = _local(end).date()
    due = dossier.original_appointment_on or dossier.appointment_on
    if finished > due:
        return "late"
    return "early" if finished < due else "on_time"
