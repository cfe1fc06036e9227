"""/staff/admin/dossier-templates: the texts officers start a request for documents, a refusal or a result
note from (issue 16 item 10), as /staff/admin/templates for feedback answers. Closed by default; opened to
the administrators; every change is an audited Event (portal.dossiers.admin_operations)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from portal.admin.views import (
    ADMINS,
    admin_blueprint,
    form_status,
    id_or_none,
    province,
    save,
    saved,
    toggle_wanted,
)
from portal.agencies import queries as agencies
from portal.auth.access import allow, protect
from portal.choices import options
from portal.extensions import db
from portal.forms import required

from . import admin_operations as operations
from .forms import DossierTemplateForm
from .labels import TEMPLATE_PURPOSE
from .models import DossierTemplate

bp = protect(admin_blueprint("dossiers_admin", __name__))


def _template(row_id: int) -> DossierTemplate:
    row = db.session.get(DossierTemplate, row_id)
    if row is None or not operations.can_edit(current_user, row):
        abort(404)
    return row


def _agency_choices(current: int | None = None) -> list:
    if province():
        return options([("", _("Every agency (province-wide)"))] + agencies.choices(current))
    return options(agencies.single_choice(current_user.agency_id, current_user.agency))


def _values(form: DossierTemplateForm) -> dict:
    return {
        "purpose": form.purpose.data,
        "title": required(form.title),
        "body": required(form.body),
        "agency_id": id_or_none(form.agency.data),
        "is_active": form.is_active.data,
    }


@bp.get("/dossier-templates")
@allow(*ADMINS)
def templates():
    statement = select(DossierTemplate).order_by(
        DossierTemplate.purpose, DossierTemplate.agency_id.is_not(None), DossierTemplate.title
    )
    if not province():  # their own (editable) and the province-wide ones (read only)
        statement = statement.where(
            or_(DossierTemplate.agency_id == current_user.agency_id, DossierTemplate.agency_id.is_(None))
        )
    rows = db.session.scalars(statement).all()
    return render_template(
        "dossiers/admin/templates.html",
        templates=rows,
        purposes=TEMPLATE_PURPOSE,
        agency_names=agencies.names_by_id(row.agency_id for row in rows),
        can_edit=lambda row: operations.can_edit(current_user, row),
    )


@bp.route("/dossier-templates/new", methods=["GET", "POST"])
@allow(*ADMINS)
def template_new():
    form = DossierTemplateForm()
    form.agency.choices = _agency_choices()
    if request.method == "GET":
        form.is_active.data = True
        form.purpose.data = request.args.get("purpose", "supplement")
        if not province():
            form.agency.data = str(current_user.agency_id)
    done = save(
        form,
        lambda: operations.create(current_user, **_values(form)),
        lambda created: url_for(".template", row_id=created.id),
    )
    page = render_template("dossiers/admin/template.html", form=form, template=None)
    return done or (page, form_status())


@bp.route("/dossier-templates/<int:row_id>", methods=["GET", "POST"])
@allow(*ADMINS)
def template(row_id: int):
    row = _template(row_id)
    form = DossierTemplateForm(obj=row)
    if request.method == "GET":
        form.agency.data = str(row.agency_id or "")
    form.agency.choices = _agency_choices(row.agency_id)
    done = save(
        form,
        lambda: operations.update(row, current_user, **_values(form)),
        url_for(".template", row_id=row.id),
    )
    page = render_template("dossiers/admin/template.html", form=form, template=row)
    return done or (page, form_status())


@bp.post("/dossier-templates/<int:row_id>/active")
@allow(*ADMINS)
def template_active(row_id: int):
    row = _template(row_id)
    wanted = toggle_wanted()
    if wanted is None:
        abort(400)
    saved(operations.set_active(row, current_user, wanted))
    return redirect(url_for(".template", row_id=row.id))
