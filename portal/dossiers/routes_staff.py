"""Staff side of dossiers: queue, scan-to-open search, counter intake, actions. Closed by default."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import form_nonce, mail, pagination
from portal.accounts import queries as account_queries
from portal.auth.access import agency_scope, allow, protect
from portal.calendar.queries import local_now
from portal.catalog.models import Procedure
from portal.catalog.queries import procedure_by_code
from portal.choices import options
from portal.domain.collation import sort_key
from portal.domain.dossier_status import DossierAction, InvalidTransition, NotPermitted
from portal.domain.phone import mask
from portal.domain.roles import DESK, QUEUE_ROLES
from portal.domain.text import clean
from portal.domain.working_days import apology_refusal
from portal.events.operations import record
from portal.extensions import db
from portal.i18n import local_date, locale_code
from portal.uploads.documents import DocumentRejected

from . import admin_operations, checklist, deadlines, operations, queries
from .forms import DossierActionForm, IntakeForm
from .intake import Upload, counter_intake
from .labels import (
    ACTION,
    EMAIL_MESSAGE,
    RATING,
    STATUS,
    TEMPLATE_ACTIONS,
    TIMELINESS,
    document_error,
    received_forms,
)
from .models import Dossier
from .policy import can_handle, sees_restricted
from .routes import (
    already_sent,
    applicant_from,
    collect_uploads,
    fill_communes,
    payments_of,
    sent_with,
    tracking_link,
)
from .timeline import staff_timeline

bp = protect(Blueprint("dossiers_staff", __name__, url_prefix="/staff/dossiers", template_folder="templates"))
DISPLAY_ORDER = (
    "receive",
    "start",
    "finish",
    "propose_result",
    "approve",
    "return_result",
    "request_supplement",
    "supplement",
    "request_fee",
    "confirm_fee",
    "assign",
    "apologise",
    "note",
    "refuse",
    "stop",
    "withdraw",
)


def _error(reason: str, dossier: Dossier | None = None) -> str:
    if reason == "apology_letter_sent" and dossier is not None and dossier.appointment_on is not None:
        return _(
            "The apology letter (form 04) already sent set the new date %(date)s, and the due date has come: no"
            " other letter can be sent. Finish the dossier and return the result by %(date)s.",
            date=local_date(dossier.appointment_on),
        )
    messages = {
        "note": _("Write the text."),
        "assignee": _("Choose an officer of this agency."),
        "new_date": _("Choose a new working day after the current appointment date."),
        "apology_too_late": _(
            "An apology letter (form 04) must be sent before the due date. This dossier has reached or passed"
            " its due date, so the letter can no longer be issued: finish the dossier as soon as possible."
        ),
        "apology_paused": _(
            "No apology letter (form 04) while the dossier waits for the citizen's documents or fee: it has"
            " no appointment date to move until the clock runs again."
        ),
        "agency": _("This procedure is not handled by your agency for that commune."),
        "files": _("Attach at most 10 files."),
        "commune": _("Choose the commune or ward."),
        "no_fee": _("The catalogue lists this procedure as free: there is no fee to request."),
        "fee_amount": _("The catalogue has no amount for this procedure: enter the amount to pay, in dong."),
        "fee_basis": _(
            "Enter the legal basis of the amount (for example the provincial council's resolution)."
        ),
        "payment_method": _("Choose how the fee was paid: cash, or a transfer checked at the desk."),
    }
    return messages.get(reason, _("This action is not possible."))


def _transition_refusal(why: str) -> str:
    """Why the domain refused the step (InvalidTransition.why), where it names a rule of its own."""
    if why == "fee_taken":
        return _(
            "The fee of this dossier was already requested: a dossier owes its fee once. A new request is"
            " possible only after the earlier one was cancelled."
        )
    return _("This action is not possible in the current status.")


def _refusal_text(reason: str | None, dossier: Dossier) -> str | None:
    return None if reason is None else _error(reason, dossier)


def _dossier(code: str) -> Dossier:
    dossier = queries.by_code(code)
    if dossier is None or not can_handle(dossier):
        abort(404)
    return dossier


@bp.get("")
@allow(*QUEUE_ROLES)
def queue():
    query = clean(request.args.get("q", ""))[:300]
    code = queries.code_from_scan(query) if query else None
    if code:  # a scanned receipt QR or a typed code opens the dossier directly
        found = queries.by_code(code)
        if found is not None and (can_handle(found) or sees_restricted(found)):
            return redirect(url_for(".item", code=found.code))
    status = request.args.get("status", "")
    status = status if status.isdigit() and len(status) <= 2 else ""
    after = pagination.decode(request.args.get("after", ""), _day_or_none, pagination.row_id(11))
    dossiers, next_key = queries.agency_queue(
        agency_scope(), int(status) if status else None, "" if code else query, after=after
    )
    today = local_now().date()
    return render_template(
        "dossiers/staff_queue.html",
        dossiers=dossiers,
        query=query,
        status=status,
        status_labels=STATUS,
        timeliness=deadlines.timeliness_of_page(dossiers, today),
        timeliness_labels=TIMELINESS,
        mask=mask,
        next_url=pagination.next_url(
            ".queue",
            "after",
            None if next_key is None else (next_key[0] or "-", next_key[1]),
            **{key: value for key, value in (("q", query), ("status", status)) if value},
        ),
    )


def _day_or_none(text: str) -> date | None:
    """A page key's appointment date, or "-" for the dossiers without one (they come last)."""
    return None if text == "-" else date.fromisoformat(text)


@bp.get("/<code>")
@allow(*QUEUE_ROLES)
def item(code: str):
    restricted = queries.by_code(code)
    if restricted is not None and sees_restricted(restricted):
        return redirect(url_for("privacy_staff.restricted_notice", code=restricted.code))
    dossier = _dossier(code)
    form = DossierActionForm()
    form.assignee.choices = options(
        (a.id, a.full_name) for a in account_queries.assignable(dossier.agency_id)
    )
    actions = operations.allowed(dossier, current_user.role)
    actions.sort(key=lambda a: DISPLAY_ORDER.index(a.value) if a.value in DISPLAY_ORDER else 99)
    record("dossier", dossier.id, "viewed", actor_id=current_user.id)
    db.session.commit()
    today = local_now().date()
    return (
        render_template(
            "dossiers/staff_item.html",
            dossier=dossier,
            rating_labels=RATING,
            form=form,
            actions=actions,
            action_labels=ACTION,
            entries=staff_timeline(dossier),
            received_forms=received_forms(),
            templates=admin_operations.for_dossier(dossier.agency_id),
            template_actions=TEMPLATE_ACTIONS,
            uploaded={file.required_document_id for file in dossier.files if file.kind == "submitted"},
            status_labels=STATUS,
            timeliness=deadlines.timeliness(dossier, today),
            timeliness_labels=TIMELINESS,
            link=tracking_link(dossier),
            payments=payments_of(dossier),
            apology_refusal=_refusal_text(
                apology_refusal(dossier.appointment_on, today, legal_due=dossier.original_appointment_on),
                dossier,
            ),
        ),
        200,
        {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@bp.post("/<code>/<action>")
@allow(*QUEUE_ROLES)
def act(code: str, action: str):
    dossier = _dossier(code)
    try:
        chosen = DossierAction(action)
    except ValueError:
        abort(404)
    form = DossierActionForm()
    form.assignee.choices = []
    if not form.validate_on_submit():
        errors = form.fee_amount.errors or form.fee_basis.errors
        flash(str(errors[0]) if errors else _("The form could not be read. Please try again."), "error")
        return redirect(url_for(".item", code=code))
    uploads = [Upload(f.read(), f.filename) for f in request.files.getlist("files") if f and f.filename]
    try:
        notice = operations.staff_act(
            dossier,
            chosen,
            current_user,
            note=form.note.data or "",
            assignee_id=form.assignee.data,
            new_date=form.new_date.data,
            uploads=uploads,
            fee_vnd=form.fee_amount.data,
            fee_basis=form.fee_basis.data or "",
            received=checklist.ticks_from(request.form, dossier.procedure),
            payment_method=request.form.get("payment_method", ""),  # no default: the officer chooses
        )
    except NotPermitted:
        db.session.rollback()
        abort(403)
    except InvalidTransition as refused:
        db.session.rollback()
        flash(_transition_refusal(refused.why), "error")
        return redirect(url_for(".item", code=code))
    except operations.DossierError as error:
        db.session.rollback()
        flash(_error(error.reason, dossier), "error")
        return redirect(url_for(".item", code=code))
    except DocumentRejected as rejected:
        db.session.rollback()
        flash(document_error(rejected.reason), "error")
        return redirect(url_for(".item", code=code))
    if notice is not None:
        mail.queue(
            dossier.email,
            "dossiers/email/update.txt",
            dossier.locale,
            dossier=dossier,
            link=tracking_link(dossier),
            action=chosen.value,
            message=EMAIL_MESSAGE[chosen],
        )
    db.session.commit()
    flash(_("Done: %(action)s.", action=ACTION[chosen]), "success")
    return redirect(url_for(".item", code=code))


def _intake_page(form: IntakeForm, procedure: Procedure) -> str:
    return render_template(
        "dossiers/staff_intake.html",
        form=form,
        procedure=procedure,
        received_forms=received_forms(),
        chosen={key: value for key, value in request.form.items() if key.startswith("received-")},
    )


@bp.route("/intake", methods=["GET", "POST"])
@allow(*DESK)
def intake():
    """Counter intake for a walk-in citizen: the same receipt as online, received at once."""
    procedure = (
        procedure_by_code(request.args.get("procedure", "")) if request.args.get("procedure") else None
    )
    if procedure is None:
        en = locale_code() == "en"
        procedures = db.session.scalars(select(Procedure).where(Procedure.is_active)).all()
        named = [(p.code, p.name_en if en and p.name_en else p.name) for p in procedures]
        return render_template(
            "dossiers/staff_pick_procedure.html", procedures=sorted(named, key=lambda p: sort_key(p[1]))
        )
    form = IntakeForm()
    fill_communes(form)
    nonce = form_nonce.prepare(form.nonce)
    if request.method == "POST" and (first := sent_with("intake", procedure, nonce)) is not None:
        return already_sent(first, nonce, request.full_path)
    if request.method == "GET" and current_user.agency and current_user.agency.admin_unit_code:
        form.commune.data = current_user.agency.admin_unit_code
    if not form.validate_on_submit():
        return _intake_page(form, procedure), 400 if request.method == "POST" else 200
    try:
        dossier = counter_intake(
            procedure,
            applicant_from(form),
            collect_uploads(procedure),
            current_user,
            form.channel.data,
            locale_code(),
            nonce=nonce,
            received=checklist.ticks_from(request.form, procedure),
            paper_consent=form.paper_consent.data,
        )
        db.session.commit()
    except IntegrityError as error:  # the same form, sent at the same moment, was stored first
        return already_sent(
            form_nonce.lost_race(error, lambda: sent_with("intake", procedure, nonce)),
            nonce,
            request.full_path,
        )
    except DocumentRejected as rejected:
        db.session.rollback()
        flash(document_error(rejected.reason), "error")
        return _intake_page(form, procedure), 400
    except operations.DossierError as error:
        db.session.rollback()
        flash(_error(error.reason), "error")
        return _intake_page(form, procedure), 400
    flash(_("Dossier %(code)s received. Print the receipt for the citizen.", code=dossier.code), "success")
    return redirect(url_for("dossiers.receipt", code=dossier.code))
