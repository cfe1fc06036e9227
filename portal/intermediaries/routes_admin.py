"""/staff/admin/intermediaries: a commune agency's administrator names the village intermediaries of the
agency, and revokes or restores them (each change an audited event). The province administrator sees and
revokes every intermediary; a new one is named by the agency's own administrator."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.models import Account
from portal.accounts.operations import AccountError
from portal.accounts.passwords import WeakPassword
from portal.admin.forms import ToggleForm
from portal.admin.views import admin_blueprint
from portal.auth.access import allow, protect
from portal.domain.collation import person_key
from portal.domain.roles import Role
from portal.extensions import db
from portal.forms import required

from . import operations
from .forms import GrantForm

bp = protect(admin_blueprint("intermediaries_admin", __name__))
ADMINS = (Role.AGENCY_ADMIN.value, Role.ADMIN.value)


def _scope():
    query = select(Account).where(Account.role == Role.INTERMEDIARY.value)
    if current_user.role != Role.ADMIN:
        query = query.where(Account.agency_id == current_user.agency_id)
    return query


@bp.route("/intermediaries", methods=["GET", "POST"])
@allow(*ADMINS)
def intermediaries():
    form = GrantForm()
    if form.validate_on_submit():
        if current_user.role != Role.AGENCY_ADMIN or current_user.agency is None:
            abort(403)
        try:
            operations.grant(
                current_user,
                email=required(form.email),
                full_name=required(form.full_name),
                phone=form.phone.data or None,
                password=required(form.password),
            )
        except (AccountError, WeakPassword) as error:
            db.session.rollback()
            form.email.errors = [_("This account cannot be created: %(reason)s", reason=str(error))]
        else:
            db.session.commit()
            flash(_("Intermediary %(name)s can now sign in.", name=form.full_name.data))
            return redirect(url_for(".intermediaries"))
    rows = sorted(  # as official lists order people: by given name, in Vietnamese alphabetical order
        db.session.scalars(_scope().order_by(Account.full_name).limit(500)),
        key=lambda account: person_key(account.full_name),
    )
    return render_template(
        "intermediaries/admin.html",
        rows=rows,
        form=form,
        toggle=ToggleForm(),
        can_grant=current_user.role == Role.AGENCY_ADMIN,
    )


@bp.post("/intermediaries/<int:row_id>/granted")
@allow(*ADMINS)
def granted(row_id: int):
    account = db.session.scalar(_scope().where(Account.id == row_id))
    if account is None:
        abort(404)
    form = ToggleForm()
    if not form.validate_on_submit():
        abort(400)
    operations.set_granted(current_user, account, form.active.data == "1")
    db.session.commit()
    flash(_("Saved."))
    return redirect(url_for(".intermediaries"))
