"""/staff/disasters: declare an event, change or end it, see the items it moved, draft and issue form 04s."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.auth.access import agency_scope, allow, protect
from portal.calendar.disasters import DisasterEffect, DisasterEvent
from portal.calendar.queries import local_now
from portal.choices import options
from portal.domain.collation import sorted_vi
from portal.domain.roles import CASE_WORKERS, DESK, LEADERS
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.feedback.models import Feedback
from portal.places.models import AdminUnit

from . import letters, operations
from .forms import BulkForm, ChangeForm, DeclareForm
from .labels import CHANNELS, ERRORS, KINDS, LOCATE_BY
from .policy import can_change, can_see, communes_for

bp = protect(Blueprint("disasters", __name__, url_prefix="/staff/disasters", template_folder="templates"))


def _form() -> DeclareForm:
    form = DeclareForm()
    allowed = communes_for(current_user)
    units = sorted_vi(
        db.session.scalars(select(AdminUnit).where(AdminUnit.code.in_(allowed))), key=lambda unit: unit.name
    )  # Vietnamese alphabetical order: the database's byte order puts "Bó Sinh" before "Bắc Yên"
    form.communes.choices = options((unit.code, unit.name) for unit in units)
    return form


def _event(event_id: int) -> DisasterEvent:
    event = db.session.get(DisasterEvent, event_id)
    if event is None or not can_see(event):
        abort(404)  # another agency's event does not exist for this officer
    return event


@bp.get("/")
@allow(*CASE_WORKERS)
def index():
    events = [
        e
        for e in db.session.scalars(select(DisasterEvent).order_by(DisasterEvent.starts_on.desc()))
        if can_see(e)
    ]
    may_declare = current_user.role in LEADERS
    return render_template(
        "disasters/index.html", events=events, kinds=KINDS, form=_form() if may_declare else None
    )


@bp.post("/")
@allow(*LEADERS)
def declare():
    form = _form()
    if not form.validate_on_submit() or form.starts_on.data is None or form.ends_on.data is None:
        flash(_("The form could not be read. Please try again."), "error")
        return redirect(url_for(".index"))
    facts = operations.Declared(
        kind=form.kind.data,
        communes=form.communes.data or [],
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        locate_by=form.locate_by.data,
        legal_basis=form.legal_basis.data or "",
        note=form.note.data or "",
    )
    try:
        event = operations.declare(current_user, facts)
    except operations.DisasterError as error:
        db.session.rollback()
        flash(str(ERRORS[error.reason]), "error")
        return redirect(url_for(".index"))
    db.session.commit()
    flash(_("Declared. The dates of the items in these communes have moved."), "success")
    return redirect(url_for(".event", event_id=event.id))


@bp.get("/<int:event_id>")
@allow(*CASE_WORKERS)
def event(event_id: int):
    event = _event(event_id)
    scope = agency_scope()
    # The declaring agency sees every item its event moved (the province's reach all agencies); others, theirs.
    items_scope = None if scope is None or event.agency_id == scope else scope
    effects = select(DisasterEffect).where(DisasterEffect.event_id == event.id)
    if items_scope is not None:
        effects = effects.where(DisasterEffect.agency_id == items_scope)
    rows = []
    for effect in db.session.scalars(
        effects.order_by(DisasterEffect.subject_type, DisasterEffect.subject_id)
    ):
        model = Dossier if effect.subject_type == "dossier" else Feedback
        item = db.session.get(model, effect.subject_id)
        if item is not None:
            rows.append((effect, item))
    change = ChangeForm(ends_on=event.ends_on, note=event.note) if can_change(event) else None
    return render_template(
        "disasters/event.html",
        event=event,
        kinds=KINDS,
        locate_by=LOCATE_BY,
        rows=rows,
        letters=letters.letters_of(event, scope),
        channels=CHANNELS,
        change_form=change,
        bulk_form=BulkForm(),
        may_issue=current_user.role in DESK,
        units={
            u.code: u.name
            for u in db.session.scalars(select(AdminUnit).where(AdminUnit.code.in_(event.codes)))
        },
    )


@bp.post("/<int:event_id>/change")
@allow(*LEADERS)
def change(event_id: int):
    event = _event(event_id)
    if not can_change(event):
        abort(403)
    form = ChangeForm()
    if not form.validate_on_submit() or form.ends_on.data is None:
        flash(_("The form could not be read. Please try again."), "error")
        return redirect(url_for(".event", event_id=event.id))
    try:
        operations.change(event, current_user, form.ends_on.data, form.note.data or "")
    except operations.DisasterError as error:
        db.session.rollback()
        flash(str(ERRORS[error.reason]), "error")
        return redirect(url_for(".event", event_id=event.id))
    db.session.commit()
    flash(_("Saved. The dates of the items have been computed again."), "success")
    return redirect(url_for(".event", event_id=event.id))


@bp.post("/<int:event_id>/letters/draft")
@allow(*DESK)
def draft_letters(event_id: int):
    event = _event(event_id)
    if not BulkForm().validate_on_submit():
        abort(400)
    made = letters.draft(event, agency_scope(), local_now().date())
    db.session.commit()
    flash(_("%(count)d apology letters drafted: review them below, then issue them.", count=made), "success")
    return redirect(url_for(".event", event_id=event.id) + "#letters")


@bp.post("/<int:event_id>/letters/issue")
@allow(*DESK)
def issue_letters(event_id: int):
    event = _event(event_id)
    if not BulkForm().validate_on_submit():
        abort(400)
    issued = letters.issue(event, current_user, agency_scope())
    db.session.commit()
    flash(_("%(count)d apology letters issued and sent.", count=issued), "success")
    return redirect(url_for(".event", event_id=event.id) + "#letters")
