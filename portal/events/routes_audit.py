"""/staff/audit: the Event log for leaders and administrators, filtered by actor, subject, action and date,
newest first with keyset pages (?before=<event id>).

Scope: the province administrator sees every event. A leader sees the events whose *subject* belongs to
their agency today: its dossiers and feedback items, its staff accounts, the agency itself, its procedures,
the feedback categories it receives by default and its response templates. Scoping by subject rather than
by actor keeps what citizens and other agencies did to the agency's items (submissions, payments,
forwarding in) and leaves out what the agency's officers did elsewhere. A feedback item forwarded to
another agency moves with its whole history. Province-wide subjects (the calendar, the bank account,
refused bank notifications, province-wide templates) are for the province administrator only.

What each subject type is, how it is found and whose it is come from the features' declarations in
`portal.events.registry`; this module knows none of them by name.

A page costs a fixed number of queries: one for the events with their actors, one per subject type shown
for the subjects' names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, false, or_, select

from portal import pagination
from portal.auth.access import allow, protect
from portal.choices import options
from portal.domain.ids import parse_id
from portal.domain.roles import Role
from portal.domain.working_days import LOCAL_TZ
from portal.extensions import db

from .forms import AuditFilterForm
from .models import Event
from .registry import Subject, actors, registry

bp = protect(Blueprint("staff_audit", __name__, url_prefix="/staff", template_folder="templates"))
PAGE = 50


def _tabled() -> dict[str, Subject]:
    """The subject types with a table of their own, a name column and an owning agency."""
    return {kind: s for kind, s in registry().subjects.items() if s.model is not None and s.owner is not None}


def agency_scope(agency_id: int | None):
    """SQL condition: the event's subject belongs to `agency_id` (see the module's docstring)."""
    if agency_id is None:
        return false()
    return or_(
        *(
            # an agency is its own owner: the event is about the agency itself
            and_(Event.subject_type == kind, Event.subject_id == agency_id)
            if subject.owner is subject.model.id
            else and_(
                Event.subject_type == kind,
                Event.subject_id.in_(select(subject.model.id).where(subject.owner == agency_id)),
            )
            for kind, subject in _tabled().items()
        )
    )


def _subject_id(kind: str, text: str) -> int | None:
    """The subject id for a code, an e-mail, a date (calendar days) or a plain number."""
    if text.isdigit():
        return parse_id(text)
    subject = registry().subjects.get(kind)
    if subject is None:
        return None
    if subject.find is not None:
        return subject.find(text)
    if subject.model is not None and subject.name is not None:
        return db.session.scalar(
            select(subject.model.id).where(subject.name == subject.stored(text)).limit(1)
        )
    return None


def _names(rows) -> dict[tuple[str, int], str]:
    """(subject type, id) -> code, e-mail or name: one query per subject type on the page."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event, *_rest in rows:
        wanted[event.subject_type].add(event.subject_id)
    subjects = registry().subjects
    names: dict[tuple[str, int], str] = {}
    found: Iterable[tuple[int, str]]
    for kind, ids in wanted.items():
        subject = subjects.get(kind)
        if subject is None:
            continue
        if subject.model is not None and subject.name is not None:
            found = db.session.execute(
                select(subject.model.id, subject.name).where(subject.model.id.in_(ids))
            ).all()
        elif subject.names is not None:
            found = list(subject.names(ids).items())
        else:
            found = []
        for subject_id, label in found:
            names[(kind, subject_id)] = label
    return names


def _link(kind: str, label: str) -> str | None:
    subject = registry().subjects.get(kind)
    return subject.link(label) if subject is not None and subject.link is not None else None


@bp.get("/audit")
@allow(Role.LEADER.value, Role.ADMIN.value)
def audit():
    events, who = registry(), actors()
    subject_types = {kind: subject.label for kind, subject in events.subjects.items()}
    form = AuditFilterForm(formdata=request.args)
    form.subject_type.choices = options([("", _l("Any"))] + list(subject_types.items()))
    valid = form.validate()
    statement = select(Event, who.email, who.name).outerjoin(who.model, who.id == Event.actor_id)
    if current_user.role != Role.ADMIN:
        statement = statement.where(agency_scope(current_user.agency_id))
    nothing = not valid
    if valid and form.actor.data:
        actor_id = db.session.scalar(select(who.id).where(who.email == form.actor.data))
        nothing |= actor_id is None
        statement = statement.where(Event.actor_id == actor_id)
    if valid and form.subject_type.data:
        statement = statement.where(Event.subject_type == form.subject_type.data)
        if form.subject.data:
            subject_id = _subject_id(form.subject_type.data, form.subject.data)
            nothing |= subject_id is None
            statement = statement.where(Event.subject_id == subject_id)
    if valid and form.action.data:
        statement = statement.where(Event.action == form.action.data)
    if valid and form.since.data:
        statement = statement.where(Event.occurred_at >= datetime.combine(form.since.data, time(0), LOCAL_TZ))
    if valid and form.until.data:
        end = datetime.combine(form.until.data + timedelta(days=1), time(0), LOCAL_TZ)
        statement = statement.where(Event.occurred_at < end)
    before = pagination.decode(request.args.get("before", ""), pagination.row_id(18))
    if before:
        statement = statement.where(Event.id < before[0])
    found = [] if nothing else db.session.execute(statement.order_by(Event.id.desc()).limit(PAGE + 1)).all()
    rows, next_key = pagination.page(found, PAGE, lambda row: row[0].id)
    args = {key: value for key, value in request.args.items() if key != "before"}
    next_url = pagination.next_url(".audit", "before", next_key, **args)
    names = _names(rows)
    return render_template(
        "events/audit.html",
        form=form,
        rows=rows,
        names=names,
        next_url=next_url,
        subject_types=subject_types,
        action_labels=events.actions,
        link=_link,
        show_ip=current_user.role == Role.ADMIN,
        filtered=bool(request.args),
    ), 200 if valid else 400
