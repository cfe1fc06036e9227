"""/staff/audit: the Event log for leaders and administrators, filtered by actor, subject, action and date,
newest first with keyset pages (?before=<event id>).

Scope: the province administrator sees every event. A leader sees the events whose *subject* belongs to
their agency today: its dossiers and feedback items, its staff accounts, the agency itself, its procedures,
the feedback categories it receives by default and its response templates. Scoping by subject rather than
by actor keeps what citizens and other agencies did to the agency's items (submissions, payments,
forwarding in) and leaves out what the agency's officers did elsewhere. A feedback item forwarded to
another agency moves with its whole history. Province-wide subjects (the calendar, the bank account,
refused bank notifications, province-wide templates) are for the province administrator only.

A page costs a fixed number of queries: one for the events with their actors, one per subject type shown
for the subjects' names.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from flask import Blueprint, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, false, or_, select

from portal.accounts.labels import EVENT as ACCOUNT_EVENTS
from portal.accounts.labels import POLICY_EVENT
from portal.accounts.models import Account
from portal.admin.forms import AuditFilterForm
from portal.agencies.models import Agency
from portal.auth.access import allow, protect
from portal.calendar.queries import LOCAL_TZ
from portal.catalog.models import Procedure
from portal.choices import options
from portal.dossiers.labels import EVENT as DOSSIER_EVENTS
from portal.dossiers.models import Dossier
from portal.events.models import Event
from portal.extensions import db
from portal.feedback.labels import EVENT as FEEDBACK_EVENTS
from portal.feedback.models import Feedback, FeedbackCategory, ResponseTemplate
from portal.payments.labels import WEBHOOK_EVENT

bp = protect(Blueprint("staff_audit", __name__, url_prefix="/staff", template_folder="templates"))
PAGE = 50
SUBJECT_TYPES = {
    "dossier": _l("Dossier"),
    "feedback": _l("Feedback"),
    "account": _l("Account"),
    "agency": _l("Agency"),
    "procedure": _l("Procedure"),
    "feedback_category": _l("Feedback category"),
    "response_template": _l("Response template"),
    "calendar_day": _l("Calendar day"),
    "vietqr_account": _l("Bank account"),
    "province": _l("Province"),
    "bank_webhook": _l("Refused bank notifications"),
    "sign_in_policy": _l("Sign-in policy"),
}
# Translated names of actions, per subject type; the action's code is shown beside them (and when none).
EXPORTED = {"dashboard_exported": _l("Dashboard figures exported (CSV)")}
ACTION_LABELS = {
    "dossier": DOSSIER_EVENTS,
    "feedback": FEEDBACK_EVENTS,
    "account": ACCOUNT_EVENTS,
    "sign_in_policy": POLICY_EVENT,
    "bank_webhook": WEBHOOK_EVENT,
    "agency": EXPORTED,
    "province": EXPORTED,
}
# (model, column naming the subject, column holding its agency) for subjects found by code or listed by name.
SUBJECTS = {
    "dossier": (Dossier, Dossier.code, Dossier.agency_id),
    "feedback": (Feedback, Feedback.code, Feedback.agency_id),
    "account": (Account, Account.email, Account.agency_id),
    "procedure": (Procedure, Procedure.code, Procedure.agency_id),
    "agency": (Agency, Agency.code, Agency.id),
    "feedback_category": (FeedbackCategory, FeedbackCategory.name, FeedbackCategory.default_agency_id),
    "response_template": (ResponseTemplate, ResponseTemplate.title, ResponseTemplate.agency_id),
}


def agency_scope(agency_id: int | None):
    """SQL condition: the event's subject belongs to `agency_id` (see the module's docstring)."""
    if agency_id is None:
        return false()
    return or_(
        *(
            and_(Event.subject_type == kind, Event.subject_id.in_(select(model.id).where(owner == agency_id)))
            for kind, (model, _name, owner) in SUBJECTS.items()
            if kind != "agency"
        ),
        and_(Event.subject_type == "agency", Event.subject_id == agency_id),
    )


def _subject_id(kind: str, text: str) -> int | None:
    """The subject id for a code, an e-mail, a date (calendar days) or a plain number."""
    if text.isdigit():
        return int(text)
    if kind == "calendar_day":
        digits = text.replace("-", "")
        return int(digits) if len(digits) == 8 and digits.isdigit() else None
    if kind in SUBJECTS:
        model, name, _owner = SUBJECTS[kind]
        if kind == "account":
            value = text.lower()
        elif kind in ("dossier", "feedback", "agency", "procedure"):
            value = text.upper()  # codes are stored in capitals
        else:
            value = text
        return db.session.scalar(select(model.id).where(name == value).limit(1))
    return None


def _names(rows) -> dict[tuple[str, int], str]:
    """(subject type, id) -> code, e-mail or name: one query per subject type on the page."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event, *_rest in rows:
        wanted[event.subject_type].add(event.subject_id)
    names: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        if kind in SUBJECTS:
            model, name, _owner = SUBJECTS[kind]
            for subject_id, label in db.session.execute(select(model.id, name).where(model.id.in_(ids))):
                names[(kind, subject_id)] = label
        elif kind == "bank_webhook":  # one event per source and minute; the row keeps the count
            from portal.payments.models import WebhookRefusal

            for row in db.session.scalars(select(WebhookRefusal).where(WebhookRefusal.id.in_(ids))):
                names[(kind, row.id)] = str(
                    _l("%(source)s: %(count)d refused in this minute", source=row.source, count=row.count)
                )
        elif kind == "calendar_day":
            for subject_id in ids:
                text = str(subject_id)
                names[(kind, subject_id)] = f"{text[:4]}-{text[4:6]}-{text[6:]}" if len(text) == 8 else text
    return names


def _link(kind: str, label: str) -> str | None:
    if kind == "dossier":
        return url_for("dossiers_staff.item", code=label)
    if kind == "feedback":
        return url_for("feedback_staff.item", code=label)
    return None


@bp.get("/audit")
@allow("leader", "admin")
def audit():
    form = AuditFilterForm(formdata=request.args)
    form.subject_type.choices = options([("", _l("Any"))] + list(SUBJECT_TYPES.items()))
    valid = form.validate()
    statement = select(Event, Account.email, Account.full_name).outerjoin(
        Account, Account.id == Event.actor_id
    )
    if current_user.role != "admin":
        statement = statement.where(agency_scope(current_user.agency_id))
    nothing = not valid
    if valid and form.actor.data:
        actor_id = db.session.scalar(select(Account.id).where(Account.email == form.actor.data))
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
    before = request.args.get("before", "")
    if before.isdigit() and len(before) < 19:
        statement = statement.where(Event.id < int(before))
    rows = [] if nothing else db.session.execute(statement.order_by(Event.id.desc()).limit(PAGE + 1)).all()
    next_url = None
    if len(rows) > PAGE:
        rows = rows[:PAGE]
        args = {key: value for key, value in request.args.items() if key != "before"}
        next_url = url_for(".audit", **args, before=rows[-1][0].id)
    names = _names(rows)
    return render_template(
        "events/audit.html",
        form=form,
        rows=rows,
        names=names,
        next_url=next_url,
        subject_types=SUBJECT_TYPES,
        action_labels=ACTION_LABELS,
        link=_link,
        show_ip=current_user.role == "admin",
        filtered=bool(request.args),
    ), 200 if valid else 400
