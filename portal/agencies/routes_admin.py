"""/staff/admin/agencies: the province administrator edits agencies' names and receiving-unit codes and
switches them on or off. Closed by default (portal.auth.access); opened per view. Every change writes an
Event (portal.agencies.admin_operations)."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.admin.views import admin_blueprint, form_status, save, saved, toggle_wanted
from portal.auth.access import allow, protect
from portal.choices import options
from portal.domain.roles import Role
from portal.extensions import db
from portal.forms import required

from .admin_forms import AgencyForm
from .admin_operations import set_agency_active, update_agency
from .models import Agency
from .queries import choices, in_order

bp = protect(admin_blueprint("agencies_admin", __name__))


def _agency(row_id: int) -> Agency:
    return db.session.get(Agency, row_id) or abort(404)


@bp.get("/agencies")
@allow(Role.ADMIN)
def agencies():
    rows = in_order(db.session.scalars(select(Agency)).all(), kinds_descending=True)
    return render_template("agencies/admin/agencies.html", agencies=rows)


@bp.route("/agencies/<int:row_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def agency(row_id: int):
    row = _agency(row_id)
    form = AgencyForm(obj=row, supervisor=str(row.supervisor_id or ""))
    form.supervisor.choices = options(
        [("", _("The province"))] + [c for c in choices(row.supervisor_id) if c[0] != str(row.id)]
    )
    done = save(
        form,
        lambda: update_agency(
            row,
            current_user,
            name=required(form.name),
            name_en=required(form.name_en),
            code=required(form.code),
            supervisor_id=int(form.supervisor.data) if form.supervisor.data else None,
        ),
        url_for(".agency", row_id=row.id),
    )
    return done or (render_template("agencies/admin/agency.html", agency=row, form=form), form_status())


@bp.post("/agencies/<int:row_id>/active")
@allow(Role.ADMIN)
def agency_active(row_id: int):
    row = _agency(row_id)
    wanted = toggle_wanted()
    if wanted is None:
        abort(400)
    saved(set_agency_active(row, current_user, wanted))
    return redirect(url_for(".agency", row_id=row.id))
