"""/staff/admin/categories and /staff/admin/templates: feedback categories (answer deadline, urgency, the
agency that receives new reports) and response templates (the pages of portal.response_templates). The
province administrator sees them all; an agency administrator those of their agency (another agency's rows
answer 404) and, read only, the province-wide templates. Closed by default (portal.auth.access); opened per
view. Every change writes an Event (portal.feedback.admin_operations)."""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from portal.admin.views import (
    ADMINS,
    admin_blueprint,
    form_status,
    id_or_none,
    province,
    save,
)
from portal.agencies import queries as agencies
from portal.auth.access import allow, protect
from portal.choices import options
from portal.extensions import db
from portal.forms import required
from portal.i18n import locale_code
from portal.response_templates.forms import TemplateForm
from portal.response_templates.views import Pages, mount

from . import admin_operations as operations
from . import queries
from .admin_forms import CategoryForm
from .closure import configured_days
from .models import FeedbackCategory, ResponseTemplate

bp = protect(admin_blueprint("feedback_admin", __name__))


def _own_agency_choice() -> list[tuple[str, str]]:
    return agencies.single_choice(current_user.agency_id, current_user.agency)


# ---------------------------------------------------------------------------------- feedback categories


def _category(row_id: int) -> FeedbackCategory:
    row = db.session.get(FeedbackCategory, row_id)
    if row is None or not operations.can_edit_category(current_user, row):
        abort(404)
    return row


@bp.get("/categories")
@allow(*ADMINS)
def categories():
    statement = select(FeedbackCategory)
    if not province():
        statement = statement.where(FeedbackCategory.default_agency_id == current_user.agency_id)
    rows = db.session.scalars(statement).all()
    return render_template(
        "feedback/admin/categories.html",
        categories=queries.categories_in_order(rows, locale_code()),
        agency_names=agencies.names_by_id(r.default_agency_id for r in rows),
    )


@bp.route("/categories/<int:row_id>", methods=["GET", "POST"])
@allow(*ADMINS)
def category(row_id: int):
    row = _category(row_id)
    form = CategoryForm(obj=row, receiving_agency=str(row.default_agency_id or ""))
    if province():
        form.receiving_agency.choices = options(
            [("", _("The People's Committee of the commune where the problem is"))]
            + agencies.choices(row.default_agency_id)
        )
    else:
        form.receiving_agency.choices = options(_own_agency_choice())
    done = save(
        form,
        lambda: operations.update_category(
            row,
            current_user,
            name=required(form.name),
            name_en=required(form.name_en),
            response_days=required(form.response_days),
            is_urgent=form.is_urgent.data,
            subject=form.subject.data,
            default_agency_id=id_or_none(form.receiving_agency.data),
            is_active=form.is_active.data,
            protects_reporter=form.protects_reporter.data,
            after_photo_required=form.after_photo_required.data,
            fix_check=form.fix_check.data,
            fix_check_days=form.fix_check_days.data,
        ),
        url_for(".category", row_id=row.id),
    )
    return done or (
        render_template(
            "feedback/admin/category.html", category=row, form=form, default_fix_days=configured_days()
        ),
        form_status(),
    )


# -------------------------------------------------------------------------------------- response templates

mount(
    bp,
    operations.TEMPLATES,
    Pages(
        path="/templates",
        form=TemplateForm,
        order=(ResponseTemplate.agency_id.is_not(None), ResponseTemplate.agency_id, ResponseTemplate.title),
        heading=_l("Response templates"),
        body_hint=_l("Officers start their answer from this text and complete it."),
    ),
)

from . import routes_admin_hotlines  # noqa: E402,F401  (its views join this blueprint)
