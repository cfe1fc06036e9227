"""The intermediary's dossier pages (/intermediary/dossiers): a dossier filed for a villager through the online
submission (portal.dossiers.intake.submit_online, its rules unchanged), the filed dossier while it is open, and
its slip. The blueprint's gate (routes.py) lets in only an enabled intermediary."""

from __future__ import annotations

from dataclasses import replace

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import NotFound

from portal import form_nonce, qr
from portal.catalog.models import Procedure
from portal.catalog.queries import procedure_by_code
from portal.domain.collation import sorted_vi
from portal.dossiers import intake, upload_drafts
from portal.dossiers import operations as dossier_operations
from portal.dossiers.errors import DossierError
from portal.dossiers.labels import STATUS, document_error
from portal.dossiers.routes import applicant_from, fill_communes, sent_with
from portal.extensions import db
from portal.forms import required
from portal.papers.routes import _slip, slip_size
from portal.privacy.notices import dossier_notice
from portal.uploads import draft_posts, drafts
from portal.uploads.documents import DocumentRejected

from . import operations, policy
from .forms import DossierForVillagerForm
from .routes import PRIVATE, TOKENS, bp, consent_from, consent_missing, filed, sheet, slip_context


def _online_procedures() -> list[Procedure]:
    """In Vietnamese alphabetical order (the database's byte order puts "Cấp Phiếu" before "Cấp bản sao" and
    "Đăng ký" after "Xác nhận"); by code between equal names."""
    procedures = db.session.scalars(
        select(Procedure)
        .where(Procedure.online_level.in_(("full", "partial")), Procedure.is_active)
        .order_by(Procedure.code)
    )
    return sorted_vi(procedures, key=lambda procedure: procedure.name)


@bp.get("/dossiers/new")
def choose_procedure():
    """Which procedure: a plain GET form (works without JavaScript), then the procedure's own form."""
    chosen = request.args.get("procedure", "")
    if chosen:
        procedure = procedure_by_code(chosen)
        if procedure is not None and procedure.is_online:
            return redirect(url_for(".file_dossier", procedure_code=procedure.code))
    return (
        render_template("intermediaries/procedures.html", procedures=_online_procedures()),
        200,
        PRIVATE,
    )


def _own_repeat(dossier, procedure: Procedure, nonce: str, drafted: bool):
    """A second post of the same form: the first dossier, if this intermediary filed it (documents the post
    kept as drafts go: the dossier has its own)."""
    if drafted:
        upload_drafts.drop(procedure, nonce)
    try:
        policy.own_open_dossier(dossier.code)
    except NotFound:  # another's dossier, or a closed one: name nothing
        return form_nonce.already_sent_page(request.path)
    flash(_("This form had already been sent, so nothing was sent again."), "success")
    return redirect(url_for(".dossier", code=dossier.code))


@bp.route("/dossiers/new/<procedure_code>", methods=["GET", "POST"])
def file_dossier(procedure_code: str):
    procedure = procedure_by_code(procedure_code)
    if procedure is None or not procedure.is_online:
        abort(404)
    form = DossierForVillagerForm()
    fill_communes(form)
    nonce = form_nonce.prepare(form.nonce)
    drafted = draft_posts.drafting(nonce)
    if request.method == "POST" and (first := sent_with("apply", procedure, nonce)) is not None:
        return _own_repeat(first, procedure, nonce, drafted)
    if request.method == "GET" and current_user.agency and current_user.agency.admin_unit_code:
        form.commune.data = current_user.agency.admin_unit_code
    # The documents are kept as drafts of the form first, as on the citizen's form: an error never loses them.
    removing, file_errors = upload_drafts.keep_posted(procedure, nonce) if drafted else (False, [])
    error = file_errors[-1] if file_errors else None
    valid = not removing and form.validate_on_submit()  # a "remove" press is not a send: no complaints
    if valid and error is None:
        documents = upload_drafts.sending(
            procedure, nonce, drafted, lambda: sent_with("apply", procedure, nonce)
        )
        if documents.first is not None:  # another post of this form was filed meanwhile, with these documents
            return _own_repeat(documents.first, procedure, nonce, drafted)
        error = documents.error
        if error is None:
            consent = consent_from(form, required(form.applicant_name), intake.CONSENT_VERSION)
            try:
                # No phone: many villagers have none; the slip's QR is then how they follow the dossier.
                applicant = replace(applicant_from(form), phone=form.phone.data or "")
                dossier = operations.file_dossier(
                    current_user,
                    procedure,
                    applicant,
                    documents.uploads,
                    consent,
                    nonce=nonce,
                    kept=documents.kept,
                )
                db.session.commit()
            except IntegrityError as err:  # the same form, sent at the same moment, was stored first
                winner = form_nonce.lost_race(err, lambda: sent_with("apply", procedure, nonce))
                return _own_repeat(winner, procedure, nonce, drafted)
            except operations.ConsentMissing as missing:
                db.session.rollback()
                consent_missing(form, missing)
            except DocumentRejected as rejected:
                db.session.rollback()
                error = document_error(rejected.reason)
            except DossierError:
                db.session.rollback()
                error = _("This procedure cannot be submitted for this commune.")
            else:
                drafts.delete_files(documents.duplicates)
                flash(
                    _("Dossier %(code)s filed for %(name)s.", code=dossier.code, name=dossier.applicant_name),
                    "success",
                )
                filed("dossier", dossier, dossier_operations.secret_token(dossier))
                return redirect(url_for(".dossier", code=dossier.code))
    status = 200 if request.method == "GET" or removing else 400
    return (
        render_template(
            "intermediaries/file_dossier.html",
            form=form,
            procedure=procedure,
            notice=dossier_notice(),
            upload_error=error,
            kept=upload_drafts.kept(procedure, nonce) if request.method == "POST" else [],
        ),
        status,
        PRIVATE,
    )


@bp.get("/dossiers/<code>")
def dossier(code: str):
    """What the intermediary entered (no staff notes, no result, no payments), while the dossier is open."""
    item, filing = policy.own_open_dossier(code)
    files = [file for file in item.files if file.kind == "submitted"]
    return (
        render_template(
            "intermediaries/dossier.html",
            item=item,
            filing=filing,
            files=files,
            status=STATUS,
            has_link=item.code in session.get(TOKENS, {}),
        ),
        200,
        PRIVATE,
    )


@bp.get("/dossiers/<code>/qr.svg")
def dossier_qr(code: str):
    """The private link's QR, only in the session that filed the dossier (as for a report)."""
    item, _filing = policy.own_open_dossier(code)
    if item.code not in session.get(TOKENS, {}):
        abort(404)
    link = current_app.config["PORTAL_SETTINGS"].base_url + url_for(
        "dossiers.secret_link", code=item.code, token=dossier_operations.secret_token(item)
    )
    return Response(qr.svg(link), mimetype="image/svg+xml", headers={"Cache-Control": "private, no-store"})


@bp.get("/dossiers/<code>/slip")
def dossier_slip(code: str):
    item, _filing = policy.own_open_dossier(code)
    if item.code not in session.get(TOKENS, {}):
        return sheet([item])
    return _slip(
        "dossier",
        item,
        url_for(".dossier_qr", code=item.code),
        slip_size(),
        back=url_for(".dossier", code=item.code),
        **slip_context(),
    )
