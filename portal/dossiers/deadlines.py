"""Appointment dates and timeliness of a dossier, counted in working days (VIETNAM.md §2.3, §7.2)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.calendar import disasters
from portal.calendar.queries import LOCAL_TZ, calendar_around, office_hours
from portal.domain import timeliness as rule
from portal.domain.dossier_status import DossierAction, DossierStatus
from portal.domain.working_days import (
    Pause,
    PauseKind,
    PauseRule,
    Suspension,
    adjusted_due_date,
    due_date,
    suspended,
)
from portal.events.models import Event
from portal.extensions import db


def _local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)


def spans_of(dossier) -> list[Suspension]:
    """The declared disaster days of the dossier's commune: the applicant's, or the place's, as each event
    chose (`places_of`)."""
    places = places_of(dossier)
    return [] if places is None else disasters.spans_for(*places)


def places_of(dossier) -> tuple[str, str, int] | None:
    """(the applicant's commune, the place's, the receiving agency) by which declared events reach the
    dossier: the place is the receiving commune office's (a provincial department has none, so the
    applicant's). None without an agency."""
    agency = dossier.agency or (db.session.get(Agency, dossier.agency_id) if dossier.agency_id else None)
    if agency is None:
        return None
    return dossier.admin_unit_code, agency.admin_unit_code or dossier.admin_unit_code, agency.id


def appointment_for(
    procedure, received_at: datetime, pauses=(), spans: Sequence[Suspension] = ()
) -> date | None:
    """The return date for a dossier received at `received_at`, after any pauses (None while paused).
    `spans`: the declared disaster days of its commune (spans_of), rest days for its clock.

    Supplement pauses follow the configured rule (exclude or restart); fee pauses are always excluded.
    The procedure's cut-off (15:00 for same-day procedures and those with the afternoon cut-off, the
    closing time otherwise) applies to the receipt and to each completion of the dossier."""
    received = _local(received_at)
    cal = suspended(calendar_around(received.date()), spans)
    closed = [
        Pause(_local(p.started_at), _local(p.resumed_at) if p.resumed_at else None, PauseKind(p.reason))
        for p in pauses
    ]
    days, same_day = procedure.processing_days, procedure.same_day
    cutoff = procedure.afternoon_cutoff
    if not closed:
        return due_date(cal, received, days, office_hours(), same_day, cutoff)
    rule_ = PauseRule(current_app.config["PORTAL_SETTINGS"].supplement_rule)
    return adjusted_due_date(cal, received, days, closed, rule_, office_hours(), same_day, cutoff)


# The page's words for the verdicts of `portal.domain.timeliness` (labels.TIMELINESS): an open dossier
# within its deadline is "on time", one already late by its supplement requests is "late".
WORDS = {
    rule.Verdict.EARLY: "early",
    rule.Verdict.ON_TIME: "on_time",
    rule.Verdict.LATE: "late",
    rule.Verdict.ALREADY_LATE: "late",
    rule.Verdict.OVERDUE: "overdue",
    rule.Verdict.WITHIN: "on_time",
}


def _day(moment: datetime | None) -> date | None:
    return _local(moment).date() if moment is not None else None


def _open_since(dossier, reason: str) -> date | None:
    return next(
        (_day(p.started_at) for p in dossier.pauses if p.reason == reason and p.resumed_at is None), None
    )


def stop_moments(dossier_ids: Collection[int]) -> dict[int, datetime]:
    """When each of these dossiers was stopped or refused at intake (the event log; a dossier has no column
    for either, and has at most one of the two), in one query however many there are."""
    if not dossier_ids:
        return {}
    rows = db.session.execute(
        select(Event.subject_id, func.min(Event.occurred_at))
        .where(
            Event.subject_type == "dossier",
            Event.subject_id.in_(sorted(dossier_ids)),
            Event.action.in_((DossierAction.STOP.value, DossierAction.REFUSE.value)),
        )
        .group_by(Event.subject_id)
    )
    return {subject_id: moment for subject_id, moment in rows}


def facts_of(dossier, stops: Mapping[int, datetime] | None = None) -> rule.Facts:
    """What Decision 766's rule reads of the dossier, in local dates. `stops`: the stop moments already
    loaded for a page (stop_moments); without it a stopped dossier's moment is read on its own."""
    status = DossierStatus(dossier.status)
    return rule.Facts(
        status=status,
        due=dossier.original_appointment_on,
        supplement_requests=sum(1 for p in dossier.pauses if p.reason == "supplement"),
        finished=_day(dossier.finished_at),
        returned=_day(dossier.returned_at),
        stopped=_day((stop_moments([dossier.id]) if stops is None else stops).get(dossier.id))
        if status in rule.STOPPED
        else None,
        refused=_day((stop_moments([dossier.id]) if stops is None else stops).get(dossier.id))
        if status in rule.REFUSED_AT_INTAKE
        else None,
        waiting_since=_open_since(dossier, "supplement") if status in rule.WAITING_FOR_DOCUMENTS else None,
        fee_requested=_open_since(dossier, "fee") if status in rule.WAITING_FOR_FEE else None,
    )


def timeliness_of_page(dossiers: Sequence, today: date) -> dict[int, str]:
    """timeliness() of each dossier of a list page, with the stop moments read in one query."""
    stopped = stop_moments([d.id for d in dossiers if d.status in rule.STOPPED | rule.REFUSED_AT_INTAKE])
    return {d.id: timeliness(d, today, stopped) for d in dossiers}


def timeliness(dossier, today: date, stops: Mapping[int, datetime] | None = None) -> str:
    """'early', 'on_time', 'late' for ended dossiers; 'on_time' / 'overdue' / 'late' for open ones; ''
    outside indicator 2.1's population (not received, withdrawn); a refusal at intake is on time.

    Decision 766 as `portal.domain.timeliness` declares it: the end is "processed" (9), else the return,
    else the stop, else an unanswered supplement request; more than one supplement request is late.
    """
    verdict = rule.judge(facts_of(dossier, stops), today)
    return "" if verdict is None else WORDS[verdict]
