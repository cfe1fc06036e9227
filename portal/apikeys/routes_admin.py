"""/staff/admin/api-keys: the province administrator issues keys (each shown once) and revokes them.
Every change is audited (portal.apikeys.operations)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.admin.views import admin_blueprint
from portal.agencies.models import Agency
from portal.auth.access import allow, protect
from portal.domain.collation import sorted_vi
from portal.domain.roles import Role
from portal.extensions import db
from portal.forms import required

from . import operations
from .admin_forms import IssueForm, RevokeForm
from .models import ApiKey

bp = protect(admin_blueprint("apikeys_admin", __name__))
NO_STORE = {"Cache-Control": "no-store"}


def _form() -> IssueForm:
    form = IssueForm()
    agencies = sorted_vi(
        db.session.execute(select(Agency.id, Agency.name).where(Agency.is_active)), key=lambda row: row.name
    )
    form.agency.choices = [(0, _("The whole province")), *((row.id, row.name) for row in agencies)]
    return form


def _page(form: IssueForm, secret: str = "", status: int = 200):
    keys = db.session.scalars(select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())).all()
    body = render_template(
        "apikeys/admin/keys.html", keys=keys, form=form, revoke_form=RevokeForm(), secret=secret
    )
    return body, status, NO_STORE


@bp.get("/api-keys")
@allow(Role.ADMIN)
def keys():
    return _page(_form())


@bp.post("/api-keys")
@allow(Role.ADMIN)
def issue():
    form = _form()
    if not form.validate_on_submit():
        return _page(form, status=400)
    key, secret = operations.issue(
        required(form.name),
        current_user,
        agency_id=form.agency.data or None,
        writes_per_hour=form.writes_per_hour.data or 100,
        reads_per_hour=form.reads_per_hour.data or 3600,
    )
    db.session.commit()
    flash(_("API key %(name)s issued. Copy it now: it is shown only once.", name=key.name), "success")
    return _page(_form(), secret=secret)  # rendered, never redirected to: the key is in no URL or session


@bp.post("/api-keys/<int:row_id>/revoke")
@allow(Role.ADMIN)
def revoke(row_id: int):
    key = db.session.get(ApiKey, row_id) or abort(404)
    if not RevokeForm().validate_on_submit():
        abort(400)
    changed = operations.revoke(key, current_user)
    db.session.commit()
    flash(_("API key revoked.") if changed else _("Nothing was changed."), "success")
    return redirect(url_for(".keys"))
