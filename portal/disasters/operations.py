"""Declaring, changing and ending a disaster event, and moving the dates of the items it covers.

Operations flush and never commit (the route commits once). Every change of an event is audited (events
about the "disaster" subject); every item whose dates move gets a public line on its timeline with the
reason, which is also what its citizen reads on the tracking page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select

from portal.accounts.models import Account
from portal.agencies.models import Agency
from portal.calendar.disasters import DisasterCommune, DisasterEffect, DisasterEvent, events_covering
from portal.db_types import utcnow
from portal.domain import dossier_status, feedback_status
from portal.domain.text import clean, clean_lines
from portal.dossiers import deadlines as dossier_deadlines
from portal.dossiers.models import Dossier
from portal.events.operations import record
from portal.extensions import db
from portal.feedback import deadlines as feedback_deadlines
from portal.feedback.models import Feedback

from .labels import KIND_VI
from .policy import communes_for, reaches_every_agency


class DisasterError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Declared:
    kind: str
    communes: Sequence[str]
    starts_on: date
    ends_on: date
    locate_by: str
    legal_basis: str
    note: str = ""


def _check(actor: Account, facts: Declared) -> list[str]:
    codes = sorted(set(facts.communes))
    if not codes:
        raise DisasterError("communes")
    if not set(codes) <= communes_for(actor):
        raise DisasterError("communes")  # a commune leader declares for their own commune only
    if facts.ends_on < facts.starts_on:
        raise DisasterError("dates")
    if not clean(facts.legal_basis):
        raise DisasterError("legal_basis")
    return codes


def reason_text(event: DisasterEvent) -> str:
    """The reason as the citizen and the timeline read it, in Vietnamese (the record's language)."""
    with force_locale("vi"):
        return _(
            "%(kind)s declared (force majeure) from %(start)s to %(end)s: the processing time does not run"
            " on these days. Legal basis: %(basis)s",
            kind=KIND_VI[event.kind],
            start=event.starts_on.strftime("%d/%m/%Y"),
            end=event.ends_on.strftime("%d/%m/%Y"),
            basis=event.legal_basis,
        )


def declare(actor: Account, facts: Declared, now: datetime | None = None) -> DisasterEvent:
    codes = _check(actor, facts)
    event = DisasterEvent(
        kind=facts.kind,
        agency_id=actor.agency_id,
        locate_by=facts.locate_by,
        starts_on=facts.starts_on,
        ends_on=facts.ends_on,
        legal_basis=clean(facts.legal_basis),
        note=clean_lines(facts.note),
        declared_by_id=actor.id,
        declared_at=now or utcnow(),
        communes=[DisasterCommune(admin_unit_code=code) for code in codes],
    )
    db.session.add(event)
    db.session.flush()
    record("disaster", event.id, "disaster_declared", actor_id=actor.id, note=_summary(event))
    recompute(event)
    return event


def change(
    event: DisasterEvent, actor: Account, ends_on: date, note: str, now: datetime | None = None
) -> None:
    """Shorten or end early (an earlier last day; "end now" is today), or extend it; the note may change."""
    if ends_on < event.starts_on:
        raise DisasterError("dates")
    action = "disaster_ended" if ends_on < event.ends_on else "disaster_changed"
    event.ends_on = ends_on
    event.note = clean_lines(note) or event.note
    if action == "disaster_ended":
        event.ended_at = now or utcnow()
    db.session.flush()
    record("disaster", event.id, action, actor_id=actor.id, note=_summary(event))
    recompute(event)


def _summary(event: DisasterEvent) -> str:
    return f"{event.kind} {event.starts_on.isoformat()}..{event.ends_on.isoformat()} {','.join(event.codes)}"


def _candidates(model, event: DisasterEvent, open_statuses) -> list:
    """Open items the event may cover (by either commune: each item's own rule decides), plus every item
    it already moved (a shortened event must move them back)."""
    codes = event.codes
    place = select(Agency.id).where(Agency.admin_unit_code.in_(codes))
    kind = "dossier" if model is Dossier else "feedback"
    stmt = select(model).where(
        or_(
            model.status.in_(open_statuses)
            & or_(model.admin_unit_code.in_(codes), model.agency_id.in_(place)),
            model.id.in_(
                select(DisasterEffect.subject_id).where(
                    DisasterEffect.event_id == event.id, DisasterEffect.subject_type == kind
                )
            ),
        )
    )
    if event.agency_id is not None and not reaches_every_agency(event.agency_id):
        stmt = stmt.where(model.agency_id == event.agency_id)
    return list(db.session.scalars(stmt.order_by(model.id)))


def recompute(event: DisasterEvent) -> None:
    """Every item the event may touch gets its dates from the rule again, with all events of its commune."""
    running = [s.value for s in dossier_status.RUNNING]
    for dossier in _candidates(Dossier, event, running):
        _recompute_dossier(event, dossier)
    for item in _candidates(Feedback, event, [s.value for s in feedback_status.OPEN]):
        _recompute_feedback(event, item)
    db.session.flush()


def note_new_feedback(item: Feedback) -> None:
    """A report dated with declared days (portal.calendar.disasters.dated): each event of its commune that
    moved its date gets its effect and timeline line, as if declared after the report was sent."""
    for event in events_covering([item.admin_unit_code], item.agency_id):
        _recompute_feedback(event, item)


def note_new_dossier(dossier: Dossier) -> None:
    """A dossier received with declared days counted (at the counter, or an online one at the desk)."""
    places = dossier_deadlines.places_of(dossier)
    if places is None:
        return
    applicant, place, agency_id = places
    for event in events_covering([applicant, place], agency_id):
        _recompute_dossier(event, dossier)


def _covers(event: DisasterEvent, spans) -> bool:
    return event.span() in spans


def _recompute_dossier(event: DisasterEvent, dossier: Dossier) -> None:
    if dossier.received_at is None or dossier.finished_at is not None:
        return
    spans = dossier_deadlines.spans_of(dossier)
    procedure = dossier.procedure
    before = dossier_deadlines.appointment_for(procedure, dossier.received_at, dossier.pauses)
    after = dossier_deadlines.appointment_for(procedure, dossier.received_at, dossier.pauses, spans)
    if after is not None and after != dossier.original_appointment_on:
        promised = max((a.new_date for a in dossier.apologies), default=None)
        dossier.original_appointment_on = after
        dossier.appointment_on = max(after, promised) if promised else after
    _effect(event, "dossier", dossier.id, dossier.agency_id, before, after, _covers(event, spans))


def _recompute_feedback(event: DisasterEvent, item: Feedback) -> None:
    spans = feedback_deadlines.spans_of(item)
    before = feedback_deadlines.compute(item, []).answer_by
    after = feedback_deadlines.compute(item, spans).answer_by
    if after is not None and after != item.due_on:
        item.due_on = after
    _effect(event, "feedback", item.id, item.agency_id, before, after, _covers(event, spans))


def _effect(event, kind: str, item_id: int, agency_id: int, before, after, covered: bool) -> None:
    """Keep the item's flag and tell its timeline when the event moved (or no longer moves) its date."""
    effect = db.session.scalar(
        select(DisasterEffect).where(
            DisasterEffect.event_id == event.id,
            DisasterEffect.subject_type == kind,
            DisasterEffect.subject_id == item_id,
        )
    )
    moved = covered and (before is None or after is None or after > before)
    if moved:
        if effect is None:
            effect = DisasterEffect(
                event_id=event.id, subject_type=kind, subject_id=item_id, agency_id=agency_id
            )
            db.session.add(effect)
        elif effect.due_after == after and effect.due_before == before:
            return  # nothing new to tell
        effect.due_before, effect.due_after, effect.updated_at = before, after, utcnow()
        record(kind, item_id, "disaster_pause", note=_item_note(event, after), public=True)
    elif effect is not None:
        db.session.delete(effect)
        record(kind, item_id, "disaster_pause_lifted", note=_item_note(event, after), public=True)


def _item_note(event: DisasterEvent, after: date | None) -> str:
    with force_locale("vi"):
        due = _("New date: %(date)s.", date=after.strftime("%d/%m/%Y")) if after else ""
    return f"{reason_text(event)} {due}".strip()
