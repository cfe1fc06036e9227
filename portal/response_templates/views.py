"""The /staff/admin pages of a feature's response templates (list, new, edit, (de)activate), mounted on the
feature's admin blueprint under the feature's path. Closed by default (portal.auth.access); opened to the
administrators. An agency administrator sees their agency's templates (another agency's answer 404) and,
read only, the province-wide ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from portal.admin.views import ADMINS, form_status, id_or_none, province, save, saved, toggle_wanted
from portal.agencies import queries as agencies
from portal.auth.access import allow
from portal.choices import options
from portal.extensions import db
from portal.forms import required

from . import operations
from .forms import TemplateForm
from .operations import TemplateKind


@dataclass(frozen=True)
class Pages:
    """How a feature shows its templates: the path under /staff/admin, the form (TemplateForm, with a
    `purpose` field when the kind has purposes), the list's order, its heading (also the breadcrumb), the
    hint under the text field, the hint under the heading and the purposes' names."""

    path: str
    form: type[TemplateForm]
    order: Sequence[Any]
    heading: Any
    body_hint: Any
    hint: Any = None
    purpose_names: Mapping[str, Any] = field(default_factory=dict)


def mount(bp: Blueprint, kind: TemplateKind, pages: Pages) -> None:
    """Add the views .templates, .template_new, .template and .template_active to `bp`."""
    model = kind.model

    def find(row_id: int):
        row = db.session.get(model, row_id)
        if row is None or not operations.can_edit(current_user, row):
            abort(404)
        return row

    def agency_choices(current: int | None = None) -> list:
        if province():
            return options([("", _("Every agency (province-wide)"))] + agencies.choices(current))
        return options(agencies.single_choice(current_user.agency_id, current_user.agency))

    def values(form: TemplateForm) -> dict:
        purpose = {"purpose": form["purpose"].data} if kind.purposes else {}
        return purpose | {
            "title": required(form.title),
            "body": required(form.body),
            "agency_id": id_or_none(form.agency.data),
            "is_active": form.is_active.data,
        }

    def page(form: TemplateForm, row):
        html = render_template("admin/response_template.html", form=form, template=row, pages=pages)
        return html, form_status()

    @bp.get(pages.path, endpoint="templates")
    @allow(*ADMINS)
    def templates():
        statement = select(model).order_by(*pages.order)
        if not province():  # their own (editable) and the province-wide ones their officers see (read only)
            statement = statement.where(
                or_(model.agency_id == current_user.agency_id, model.agency_id.is_(None))
            )
        rows = db.session.scalars(statement).all()
        return render_template(
            "admin/response_templates.html",
            templates=rows,
            pages=pages,
            agency_names=agencies.names_by_id(row.agency_id for row in rows),
            can_edit=lambda row: operations.can_edit(current_user, row),
        )

    @bp.route(f"{pages.path}/new", methods=["GET", "POST"], endpoint="template_new")
    @allow(*ADMINS)
    def template_new():
        form = pages.form()
        form.agency.choices = agency_choices()
        if request.method == "GET":
            form.is_active.data = True
            if kind.purposes:
                form["purpose"].data = request.args.get("purpose", kind.purposes[0])
            if not province():
                form.agency.data = str(current_user.agency_id)
        done = save(
            form,
            lambda: operations.create(kind, current_user, **values(form)),
            lambda created: url_for(".template", row_id=created.id),
        )
        return done or page(form, None)

    @bp.route(f"{pages.path}/<int:row_id>", methods=["GET", "POST"], endpoint="template")
    @allow(*ADMINS)
    def template(row_id: int):
        row = find(row_id)
        form = pages.form(obj=row)
        if request.method == "GET":
            form.agency.data = str(row.agency_id or "")
        form.agency.choices = agency_choices(row.agency_id)
        done = save(
            form,
            lambda: operations.update(kind, row, current_user, **values(form)),
            url_for(".template", row_id=row.id),
        )
        return done or page(form, row)

    @bp.post(f"{pages.path}/<int:row_id>/active", endpoint="template_active")
    @allow(*ADMINS)
    def template_active(row_id: int):
        row = find(row_id)
        wanted = toggle_wanted()
        if wanted is None:
            abort(400)
        saved(operations.set_active(kind, row, current_user, wanted))
        return redirect(url_for(".template", row_id=row.id))
