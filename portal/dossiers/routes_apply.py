"""/dossiers/apply/<procedure>: the citizen's online submission (a view of the dossiers blueprint, split from
routes.py). The documents are kept as drafts of the form as soon as they are posted (upload_drafts.py), so a
form that comes back with an error (a field, a refused document, a "remove" press) lists them and the citizen
never chooses them again; sending it gives them to the dossier."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from portal import form_nonce, mail, throttle
from portal.catalog.queries import procedure_by_code
from portal.extensions import db
from portal.i18n import locale_code
from portal.tracking import access
from portal.uploads import draft_posts, drafts
from portal.uploads.documents import DocumentRejected

from . import intake, operations, routes, upload_drafts
from .forms import ApplyForm
from .labels import document_error
from .models import Dossier
from .routes import (
    APPLICATIONS_PER_ADDRESS_HOUR,
    already_sent,
    applicant_from,
    bp,
    fill_communes,
    tracking_link,
)


def apply_page(form, procedure, nonce: str, upload_error: str | None, status: int):
    """The online form, with the documents already received from earlier posts of it (never for a GET)."""
    kept = upload_drafts.kept(procedure, nonce) if request.method == "POST" else []
    page = render_template(
        "dossiers/apply.html", form=form, procedure=procedure, upload_error=upload_error, kept=kept
    )
    return page, status


@bp.route("/apply/<procedure_code>", methods=["GET", "POST"])
def apply(procedure_code: str):
    procedure = procedure_by_code(procedure_code)
    if procedure is None or not procedure.is_online:
        abort(404)
    form = ApplyForm()
    fill_communes(form)
    nonce = form_nonce.prepare(form.nonce)
    drafted = draft_posts.drafting(nonce)
    # routes.sent_with looked up on its module: the double-submission tests hold it there.
    if request.method == "POST" and (first := routes.sent_with("apply", procedure, nonce)) is not None:
        return _sent_already(first, procedure, nonce, drafted)
    if request.method == "GET" and current_user.is_authenticated and not current_user.is_staff:
        form.applicant_name.data, form.email.data = current_user.full_name, current_user.email
    # Documents are kept (drafts of this form) before anything else is checked: an error never loses them.
    removing, file_errors = upload_drafts.keep_posted(procedure, nonce) if drafted else (False, [])
    if removing:  # a "remove" press: the form again, with what was typed, nothing sent
        return apply_page(form, procedure, nonce, file_errors[-1] if file_errors else None, 200)
    if not form.validate_on_submit() or file_errors:
        status = 400 if request.method == "POST" else 200
        return apply_page(form, procedure, nonce, file_errors[-1] if file_errors else None, status)
    throttle.enforce(f"dossier:ip:{throttle.client_source()}", APPLICATIONS_PER_ADDRESS_HOUR, 3600)
    documents = upload_drafts.sending(
        procedure, nonce, drafted, lambda: routes.sent_with("apply", procedure, nonce)
    )
    if documents.first is not None:  # another post of this form was sent meanwhile, with these documents
        return _sent_already(documents.first, procedure, nonce, drafted)
    error = documents.error
    if error is None:
        try:
            dossier = intake.submit_online(
                procedure,
                applicant_from(form),
                documents.uploads,
                current_user if current_user.is_authenticated else None,
                locale_code(),
                nonce=nonce,
                kept=documents.kept,
            )
            mail.queue(
                dossier.email,
                "dossiers/email/submitted.txt",
                dossier.locale,
                key=f"mail:dossier:{dossier.code}:submitted",
                dossier=dossier,
                link=tracking_link(dossier),
            )
            db.session.commit()  # the confirmation leaves with the dossier, or not at all
        except IntegrityError as err:  # the same form, sent at the same moment, was stored first
            winner = form_nonce.lost_race(err, lambda: routes.sent_with("apply", procedure, nonce))
            return _sent_already(winner, procedure, nonce, drafted)
        except DocumentRejected as rejected:
            error = document_error(rejected.reason)
        except operations.DossierError:
            error = _("This procedure cannot be submitted for this commune.")
    if error is not None:
        db.session.rollback()  # the drafts taken are the form's again
        flash(error, "error")
        return apply_page(form, procedure, nonce, error, 400)
    drafts.delete_files(documents.duplicates)
    access.grant("dossier", dossier.id)
    return redirect(url_for(".receipt", code=dossier.code))


def _sent_already(dossier: Dossier, procedure, nonce: str, drafted: bool):
    """A post of a form already sent: documents it kept as drafts go (the dossier has its own), then the
    first receipt or the neutral page (`already_sent`)."""
    if drafted:
        upload_drafts.drop(procedure, nonce)
    return already_sent(dossier, nonce, request.path)
