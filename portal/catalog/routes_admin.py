"""/staff/admin/procedures: fees, processing times, online level and leader approval of the catalogue's
procedures. The province administrator sees every procedure; an agency administrator those of their agency
(another agency's answer 404). Closed by default (portal.auth.access); opened per view. Every change writes
an Event (portal.catalog.admin_operations)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal import pagination
from portal.admin.changes import Invalid
from portal.admin.views import ADMINS, PAGE, admin_blueprint, fail, form_status, province, save, saved
from portal.auth.access import allow, protect
from portal.domain.roles import Role
from portal.domain.text import clean
from portal.extensions import db
from portal.forms import PortalForm, required
from portal.search import every_term

from . import blank_forms
from .admin_forms import BlankFormEditForm, BlankFormUploadForm, ProcedureForm, SynonymForm
from .admin_operations import (
    can_edit_procedure,
    document_lines,
    remove_synonym,
    save_synonym,
    update_documents,
    update_procedure,
)
from .labels import FILE_KINDS
from .models import BlankForm, Procedure, Synonym

bp = protect(admin_blueprint("catalog_admin", __name__))


def _procedure(row_id: int) -> Procedure:
    row = db.session.get(Procedure, row_id)
    if row is None or not can_edit_procedure(current_user, row):
        abort(404)
    return row


@bp.get("/procedures")
@allow(*ADMINS)
def procedures():
    query = clean(request.args.get("q", ""))[:200]
    after = pagination.decode(request.args.get("after", ""), pagination.text(20))
    statement = select(Procedure)
    if not province():
        statement = statement.where(Procedure.agency_id == current_user.agency_id)
    statement = statement.where(*every_term(Procedure.search_key, query))
    if after:
        statement = statement.where(Procedure.code > after[0])
    rows, next_key = pagination.page(
        db.session.scalars(statement.order_by(Procedure.code).limit(PAGE + 1)).all(),
        PAGE,
        lambda row: row.code,
    )
    next_url = pagination.next_url(".procedures", "after", next_key, q=query or None)
    return render_template("catalog/admin/procedures.html", procedures=rows, query=query, next_url=next_url)


@bp.route("/procedures/<int:row_id>", methods=["GET", "POST"])
@allow(*ADMINS)
def procedure(row_id: int):
    row = _procedure(row_id)
    form = ProcedureForm(obj=row)
    if request.method == "GET":
        form.documents.data = "\n".join(document.name for document in row.documents)

    def update() -> bool:
        # A form without the field (an older page, a script) leaves the documents as they are.
        changed = "documents" in request.form and update_documents(
            row, current_user, document_lines(form.documents.data or "")
        )
        return (
            update_procedure(
                row,
                current_user,
                charge_vnd=form.charge_vnd.data,
                fee_vnd=form.fee_vnd.data,
                # A form without the field (an older page, a script) leaves the online charge as it is.
                online_charge_vnd=(
                    form.online_charge_vnd.data
                    if "online_charge_vnd" in request.form
                    else row.online_charge_vnd
                ),
                processing_days=required(form.processing_days),
                same_day=form.same_day.data,
                afternoon_cutoff=form.afternoon_cutoff.data,
                online_level=form.online_level.data,
                needs_approval=form.needs_approval.data,
                is_active=form.is_active.data,
            )
            or changed
        )

    done = save(form, update, url_for(".procedure", row_id=row.id))
    return done or (_page(row, form, BlankFormUploadForm(formdata=None)), form_status())


def _page(row: Procedure, form: ProcedureForm, upload: BlankFormUploadForm) -> str:
    return render_template(
        "catalog/admin/procedure.html",
        procedure=row,
        form=form,
        upload=upload,
        edit_form=BlankFormEditForm(formdata=None),
        file_kinds=FILE_KINDS,
    )


@bp.post("/procedures/<int:row_id>/forms")
@allow(*ADMINS)
def add_blank_form(row_id: int):
    """A blank form (tờ khai) uploaded for the procedure's public page (issue 18 item 8)."""
    row = _procedure(row_id)
    upload = BlankFormUploadForm()
    file = request.files.get(upload.file.name)
    if upload.validate_on_submit():
        try:
            blank_forms.add_blank_form(
                row,
                current_user,
                upload.title.data or "",
                (file.filename or "") if file else "",
                file.read(blank_forms.MAX_READ) if file else b"",
            )
        except Invalid as error:
            fail(upload, error)
        else:
            saved(True)
            return redirect(url_for(".procedure", row_id=row.id) + "#blank-forms")
    form = ProcedureForm(formdata=None, obj=row)
    form.documents.data = "\n".join(document.name for document in row.documents)
    return _page(row, form, upload), 400


@bp.post("/procedures/<int:row_id>/forms/<int:form_id>")
@allow(*ADMINS)
def blank_form(row_id: int, form_id: int):
    """Rename, move up or down, or remove one blank form (the button pressed says which)."""
    row = _procedure(row_id)
    found = db.session.get(BlankForm, form_id)
    if found is None or found.procedure_id != row.id:
        abort(404)
    edit = BlankFormEditForm()
    if not edit.validate_on_submit():
        abort(400)
    action = edit.action.data
    try:
        if action == "remove":
            blank_forms.remove_blank_form(found, current_user)
            changed = True
        elif action == "rename":
            changed = blank_forms.rename_blank_form(found, current_user, edit.title.data or "")
        else:
            changed = blank_forms.move_blank_form(found, current_user, -1 if action == "up" else 1)
    except Invalid as error:
        flash(str(error.message), "error")
        return redirect(url_for(".procedure", row_id=row.id) + "#blank-forms")
    saved(changed)
    return redirect(url_for(".procedure", row_id=row.id) + "#blank-forms")


@bp.route("/synonyms", methods=["GET", "POST"])
@allow(Role.ADMIN)
def synonyms():
    """The everyday expressions the catalogue search understands: list, add (province administrator)."""
    form = SynonymForm()
    done = save(
        form,
        lambda: save_synonym(current_user, form.phrase.data or "", form.search_terms.data or ""),
        url_for(".synonyms"),
    )
    rows = db.session.scalars(select(Synonym).order_by(Synonym.phrase_key)).all()
    return done or (
        render_template("catalog/admin/synonyms.html", form=form, synonyms=rows, delete_form=PortalForm()),
        form_status(),
    )


@bp.post("/synonyms/<int:row_id>/delete")
@allow(Role.ADMIN)
def delete_synonym(row_id: int):
    row = db.session.get(Synonym, row_id) or abort(404)
    if not PortalForm().validate_on_submit():
        abort(400)
    remove_synonym(current_user, row)
    db.session.commit()
    flash(_("Removed."), "success")
    return redirect(url_for(".synonyms"))
