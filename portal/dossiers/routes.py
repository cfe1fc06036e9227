"""Citizen side of dossiers: apply online (routes_apply.py), receipt with QR, private status, supplements, files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import form_nonce, qr, throttle
from portal.accounts.models import Account
from portal.calendar.queries import LOCAL_TZ, local_now
from portal.choices import options
from portal.domain import dossier_rating
from portal.domain.dossier_status import InvalidTransition
from portal.domain.phone import national_format
from portal.extensions import db
from portal.payments.models import Payment
from portal.places import queries as places
from portal.tracking import access, page_cache
from portal.uploads import serving
from portal.uploads.documents import DocumentRejected

from . import deadlines, intake, operations, queries, rating, upload_drafts
from .forms import RatingForm, SupplementForm, WithdrawForm
from .labels import CRITERIA, RATING, STATUS, TIMELINESS, document_error, received_forms
from .models import Dossier, DossierFile
from .policy import can_view, may_act_as_citizen
from .timeline import public_timeline

bp = Blueprint("dossiers", __name__, url_prefix="/dossiers", template_folder="templates")
# Online applications per source address an hour; private-link (QR) openings per source address a minute.
APPLICATIONS_PER_ADDRESS_HOUR, LINK_OPENINGS_PER_ADDRESS_MINUTE = 10, 30


def tracking_link(dossier: Dossier) -> str:
    """The absolute secret link printed as the receipt's QR code."""
    return current_app.config["PORTAL_SETTINGS"].base_url + url_for(
        "dossiers.secret_link", code=dossier.code, token=operations.secret_token(dossier)
    )


def payments_of(dossier: Dossier) -> list:
    return list(
        db.session.scalars(select(Payment).where(Payment.dossier_id == dossier.id).order_by(Payment.id))
    )


def private_dossier(code: str, find: Callable[[str], Dossier | None] = queries.by_code) -> Dossier:
    dossier = find(code)
    if dossier is None or not can_view(dossier):
        abort(404)  # the code alone proves nothing: someone else's dossier does not exist for you
    return dossier


def received_by(dossier: Dossier) -> Account | None:
    """The officer who received the dossier: the counter clerk, or whoever received it online."""
    from portal.events.models import Event

    actor_id = dossier.created_by_id or db.session.scalar(
        select(Event.actor_id)
        .where(Event.subject_type == "dossier", Event.subject_id == dossier.id, Event.action == "receive")
        .order_by(Event.id.desc())
        .limit(1)
    )
    return db.session.get(Account, actor_id) if actor_id else None


def citizen_dossier(code: str) -> Dossier:
    """For the citizen's own actions (supplement, withdraw): staff act through their own pages."""
    dossier = queries.by_code(code)
    if dossier is None or not may_act_as_citizen(dossier):
        abort(404)
    return dossier


def fill_communes(form) -> None:
    form.commune.choices = options([("", _("Choose…")), *places.choices()])


def collect_uploads(procedure) -> list[intake.Upload]:
    """The documents of this post, each with the required document its input answers."""
    return upload_drafts.posted(procedure)


def applicant_from(form) -> intake.Applicant:
    return intake.Applicant(
        name=form.applicant_name.data,
        id_number=form.id_number.data,
        birth_date=form.birth_date.data,
        phone=form.phone.data,
        email=form.email.data or "",
        address=form.address.data,
        admin_unit_code=form.commune.data,
    )


def sent_with(form: str, procedure, nonce: str) -> Dossier | None:
    return queries.by_form_nonce(intake.nonce_key(form, procedure, nonce))


def already_sent(dossier: Dossier, nonce: str, again_url: str):
    """A second post of one form: the first receipt for whoever may see it (staff of the agency, the
    applicant's account or browser) or for the browser that was given the form; anyone else posting
    a copied nonce gets a page that names no dossier (portal/form_nonce.py)."""
    if form_nonce.issued_here(nonce) and not (current_user.is_authenticated and current_user.is_staff):
        access.grant("dossier", dossier.id)
    if not can_view(dossier):
        return form_nonce.already_sent_page(again_url)
    flash(_("This form had already been sent, so nothing was sent again. Here is its receipt."), "success")
    return redirect(url_for("dossiers.receipt", code=dossier.code))


@bp.get("/<code>/receipt")
def receipt(code: str):
    """Form 01 once the desk has received the dossier, printed as issued then: the register's line and the
    appointment given (a dossier received before the register had its daily sequence printed; one from
    before the kept appointment, its legal due date). Before that, an online dossier gets a provisional
    acknowledgement of its submission: no register number, its appointment only an estimate."""
    dossier = private_dossier(code)
    settings = current_app.config["PORTAL_SETTINGS"]
    is_received = dossier.received_at is not None
    received = dossier.received_at or dossier.submitted_at
    receiver = received_by(dossier)
    if is_received:
        number = dossier.register_number or dossier.sequence
        appointment = dossier.receipt_appointment_on or dossier.original_appointment_on
    else:
        number, appointment = None, dossier.appointment_on
    return (
        render_template(
            "dossiers/receipt.html",
            dossier=dossier,
            is_received=is_received,
            number=number,
            appointment=appointment,
            received=received,
            issued=received.astimezone(LOCAL_TZ).date(),
            closing=settings.office_closing.strftime("%H:%M"),
            phone=national_format(dossier.phone),
            receiver=receiver.full_name if receiver else _("Submitted online"),
            payments=payments_of(dossier),
            paper="a4" if request.args.get("paper") == "a4" else "a5",  # form 01 is usually printed on A5
            received_forms=received_forms(),
        ),
        200,
        {"Cache-Control": "no-store"},
    )


@bp.get("/<code>/qr.svg")
def receipt_qr(code: str):
    dossier = private_dossier(code)  # the session says who may see it: not sessionless
    return Response(
        # A private link: rendered on each request (qr.svg), never kept in the process's image cache
        qr.svg(tracking_link(dossier)),
        mimetype="image/svg+xml",
        headers={"Cache-Control": "private, no-store"},
    )


@bp.get("/t/<code>/<token>")
def secret_link(code: str, token: str):
    """The receipt's QR: opens the dossier's private page in this browser."""
    throttle.enforce(f"dossier-link:{throttle.client_source()}", LINK_OPENINGS_PER_ADDRESS_MINUTE, 60)
    dossier = queries.by_code(code)
    if dossier is None or len(token) > 100 or not operations.token_matches(dossier, token):
        abort(404)
    access.grant("dossier", dossier.id)
    return redirect(url_for(".status", code=dossier.code))


@bp.get("/<code>")
def status(code: str):
    """One statement when the page's main part is kept (portal/tracking/page_cache.py): the dossier's
    access columns, page version and shown names. The access check comes first; then the part kept under
    everything it shows, or rendered now (queries.for_status_page, then the public timeline)."""
    key = queries.status_page_key(code)
    if key is None or not can_view(key):
        abort(404)  # the code alone proves nothing: someone else's dossier does not exist for you
    return page_cache.status_page("dossier", key, local_now().date(), _status_part, "dossiers/status.html")


def _status_part(code: str, today: date) -> str:
    """The main part of the status page, the same for everyone who may see it (the citizen, the agency's
    staff): the dossier with its files, pauses, letters and payments, and its public timeline."""
    dossier = queries.for_status_page(code) or abort(404)
    no_token = {"csrf": False}  # the token is the viewer's: page_cache.CSRF_FIELD is its slot
    return render_template(
        "dossiers/_status_content.html",
        dossier=dossier,
        entries=(entries := public_timeline(dossier)),
        status_labels=STATUS,
        timeliness=deadlines.timeliness(dossier, today),
        timeliness_labels=TIMELINESS,  # the staff page's words for the same verdict (dossiers/_timeliness.html)
        supplement_form=SupplementForm(meta=no_token),
        withdraw_form=WithdrawForm(meta=no_token),
        rating_form=RatingForm(meta=no_token),
        criteria=[(key, f"c_{key}") for key in dossier_rating.CRITERIA],
        criteria_labels=CRITERIA,
        rating_labels=RATING,
        may_rate=dossier_rating.may_rate(dossier.status_enum, dossier.rating is not None),
        csrf_field=page_cache.CSRF_FIELD,
        can_withdraw="withdraw" in operations.allowed(dossier, "citizen"),
        open_request=next((p for p in dossier.pauses if p.resumed_at is None), None),
        payments=dossier.payments,
        # The last "clock paused by a declared disaster" line of the public timeline already read (no query
        # more: the status page has a statement budget); its note holds the reason and the new date.
        disaster_notes=[e.note for e in entries if e.label == _("Clock paused by a declared disaster")][-1:],
    )


@bp.post("/<code>/supplement")
def supplement(code: str):
    dossier = citizen_dossier(code)
    form = SupplementForm()
    if not form.validate_on_submit():
        abort(400)
    uploads = [
        intake.Upload(f.read(), f.filename) for f in request.files.getlist("files") if f and f.filename
    ]
    try:
        operations.citizen_supplement(dossier, uploads, form.note.data or "")
    except DocumentRejected as rejected:
        db.session.rollback()
        flash(document_error(rejected.reason), "error")
        return redirect(url_for(".status", code=code))
    except operations.DossierError:
        db.session.rollback()
        flash(_("Attach at least one document."), "error")
        return redirect(url_for(".status", code=code))
    except InvalidTransition:
        db.session.rollback()
        flash(_("No documents are being asked for at the moment."), "error")
        return redirect(url_for(".status", code=code))
    db.session.commit()
    flash(_("Thank you. Your documents were sent; the processing time runs again."), "success")
    return redirect(url_for(".status", code=code))


@bp.post("/<code>/withdraw")
def withdraw(code: str):
    dossier = citizen_dossier(code)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.citizen_withdraw(dossier, form.reason.data or "")
    except InvalidTransition:
        db.session.rollback()
        flash(_("This dossier can no longer be withdrawn."), "error")
        return redirect(url_for(".status", code=code))
    db.session.commit()
    flash(_("Your dossier was withdrawn."), "success")
    return redirect(url_for(".status", code=code))


@bp.post("/<code>/rating")
def rate(code: str):
    """The applicant's rating, once, after the result was returned (issue 11 item 7)."""
    dossier = citizen_dossier(code)
    form = RatingForm()
    if not form.validate_on_submit():
        flash(_("Choose how satisfied you are."), "error")
        return redirect(url_for(".status", code=code, _anchor="rating"))
    scores = {
        key: int(value) if (value := getattr(form, f"c_{key}").data) in ("0", "1", "2") else None
        for key in dossier_rating.CRITERIA
    }
    try:
        rating.rate(dossier, dossier_rating.Overall(form.overall.data), form.reason.data or "", scores)
    except operations.DossierError as refused:
        db.session.rollback()
        messages = {
            "reason_required": _("Tell us why you are not satisfied: the office reads every reason."),
            "rating_closed": _(
                "This dossier cannot be rated: it is rated once, after the result is returned."
            ),
        }
        flash(messages.get(refused.reason, messages["rating_closed"]), "error")
        return redirect(url_for(".status", code=code, _anchor="rating"))
    db.session.commit()
    flash(_("Thank you for rating the service."), "success")
    return redirect(url_for(".status", code=code))


@bp.get("/<code>/files/<int:file_id>")
def download(code: str, file_id: int):
    """Always a download, never rendered by the browser, never cached (SECURITY.md D17); audited."""
    dossier = private_dossier(code)
    record = db.session.get(DossierFile, file_id)
    if record is None or record.dossier_id != dossier.id:
        abort(404)
    handle = serving.open_stored(record.stored_name)
    if handle is None:
        return serving.missing_file_page()
    serving.audit_download("dossier", dossier.id, f"#{record.id} {record.display_name} ({record.kind})")
    db.session.commit()
    return serving.attachment(handle, record.stored_name, record.mimetype, record.display_name)


@bp.get("/<code>/apology/<int:apology_id>")
def apology(code: str, apology_id: int):
    dossier = private_dossier(code)
    letter = next((a for a in dossier.apologies if a.id == apology_id), None) or abort(404)
    return render_template("dossiers/apology.html", dossier=dossier, letter=letter)


@bp.get("/mine")
@login_required
def mine():
    return render_template(
        "dossiers/mine.html", dossiers=queries.for_account(current_user.id), status_labels=STATUS
    )


from . import routes_apply  # noqa: E402,F401  (its views join this blueprint)
