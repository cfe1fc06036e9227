"""/staff/admin/security: the sign-in policy (two-step sign-in required for staff), and an administrator's
reset of one member's two-step sign-in (a lost phone). Both audited (portal.accounts.two_factor). Part of the
accounts_admin blueprint (portal.accounts.routes_admin)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.admin.views import ADMINS, form_status, saved
from portal.auth.access import allow
from portal.domain.roles import Role
from portal.extensions import db

from . import two_factor
from .admin_forms import SignInPolicyForm
from .routes_admin import _account, bp


@bp.route("/security", methods=["GET", "POST"])
@allow(Role.ADMIN)
def security():
    required, source = two_factor.staff_two_factor_required()
    form = (
        SignInPolicyForm(data={"require_staff_two_factor": required})
        if request.method == "GET"
        else SignInPolicyForm()
    )
    if form.validate_on_submit():
        wanted = bool(form.require_staff_two_factor.data)
        saved(two_factor.set_staff_two_factor_required(current_user, wanted))
        return redirect(url_for(".security"))
    return render_template(
        "accounts/admin/security.html", form=form, required=required, source=source
    ), form_status()


@bp.post("/accounts/<int:row_id>/two-factor")
@allow(*ADMINS)
def account_two_factor(row_id: int):
    row = _account(row_id)  # 404 outside the administrator's reach
    changed = two_factor.reset(row, current_user)
    db.session.commit()
    flash(
        _(
            "Two-step sign-in was reset. The person sets it up again at their next sign-in; every session of "
            "the account has ended."
        )
        if changed
        else _("Nothing was changed."),
        "success",
    )
    return redirect(url_for(".account", row_id=row.id))
