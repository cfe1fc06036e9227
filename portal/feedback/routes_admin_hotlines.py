"""/staff/admin/hotlines: the commune's emergency line shown with 112-115 on urgent reports
(admin_units.hotline). The province administrator edits every commune's, an agency administrator of a
commune's People's Committee their own commune's. Audited on the commune's People's Committee (agency)."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.admin.changes import administers
from portal.admin.views import ADMINS
from portal.agencies.models import Agency
from portal.auth.access import allow
from portal.domain.collation import sort_key
from portal.events.operations import record
from portal.extensions import db
from portal.forms import PortalForm
from portal.places.models import AdminUnit

from .routes_admin import bp

HOTLINE = re.compile(r"[0-9+][0-9 .]{2,18}")


def _editable() -> list[tuple[AdminUnit, int | None]]:
    """The communes this administrator may edit, each with the agency its change is audited on (the
    commune's agency that the administrator administers; None for a commune without an agency)."""
    agencies: dict[str, list[int]] = {}
    for agency_id, code in db.session.execute(
        select(Agency.id, Agency.admin_unit_code)
        .where(Agency.admin_unit_code.is_not(None))
        .order_by(Agency.id)
    ):
        if code is not None:  # filtered above; the column's type does not know it
            agencies.setdefault(code, []).append(agency_id)
    editable = []
    for unit in db.session.scalars(select(AdminUnit)):
        mine = [
            agency_id for agency_id in agencies.get(unit.code, []) if administers(current_user, agency_id)
        ]
        if mine or administers(current_user, None):
            editable.append((unit, mine[0] if mine else None))
    return sorted(editable, key=lambda pair: sort_key(pair[0].name))


@bp.get("/hotlines")
@allow(*ADMINS)
def hotlines():
    return render_template("feedback/admin/hotlines.html", units=_editable(), form=PortalForm())


@bp.post("/hotlines/<code>")
@allow(*ADMINS)
def set_hotline(code: str):
    found = next(((unit, agency_id) for unit, agency_id in _editable() if unit.code == code), None)
    if found is None or not PortalForm().validate_on_submit():
        abort(404)
    unit, agency_id = found
    number = " ".join(request.form.get("hotline", "").split())
    if number and not HOTLINE.fullmatch(number):
        flash(_("Enter a telephone number, for example 0212 3852 111."), "error")
        return redirect(url_for(".hotlines"))
    if number != unit.hotline:
        note = f"{unit.name}: {unit.hotline or '—'} → {number or '—'}"
        unit.hotline = number
        if agency_id is not None:
            record("agency", agency_id, "hotline_changed", actor_id=current_user.id, note=note)
        db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".hotlines"))
