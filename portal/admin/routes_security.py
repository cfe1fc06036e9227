"""/staff/admin/security: the sign-in policy (two-step sign-in required for staff), and an administrator's
reset of one member's two-step sign-in (a lost phone). Both audited (portal.accounts.two_factor)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import two_factor
from portal.auth.access import allow
from portal.extensions import db

from . import forms
from .routes import ADMINS, _account, _saved, _status, bp


@bp.route("/security", methods=["GET", "POST"])
@allow("admin")
def security():
    required, source = two_factor.staff_two_factor_required()
    form = (
        forms.SignInPolicyForm(data={"require_staff_two_factor": required})
        if request.method == "GET"
        else forms.SignInPolicyForm()
    )
    if form.validate_on_submit():
        wanted = bool(form.require_staff_two_factor.data)
        _saved(two_factor.set_staff_two_factor_required(current_user, wanted))
        return redirect(url_for(".security"))
    return render_template("admin/security.html", form=form, required=required, source=source), _status()


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
