"""/staff/admin/bank: the province administrator saves the VietQR account citizens pay fees into (over the
environment's VIETQR_* settings). Closed by default (portal.auth.access); opened per view. Every change writes
an Event (portal.payments.admin_operations)."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_login import current_user

from portal.admin.views import admin_blueprint, form_status, save
from portal.auth.access import allow, protect
from portal.domain.roles import Role
from portal.forms import required

from .admin_forms import BankForm
from .admin_operations import bank_fields, save_bank
from .bank_account import bank_in_force

bp = protect(admin_blueprint("payments_admin", __name__))


@bp.route("/bank", methods=["GET", "POST"])
@allow(Role.ADMIN)
def bank():
    in_force, source = bank_in_force()
    current = bank_fields(in_force)
    form = BankForm(data=current) if request.method == "GET" else BankForm()
    done = save(
        form,
        lambda: save_bank(
            current_user,
            bank_bin=required(form.bank_bin),
            account_number=required(form.account_number),
            account_name=required(form.account_name),
        ),
        url_for(".bank"),
    )
    return done or (
        render_template("payments/admin/bank.html", form=form, current=current, source=source),
        form_status(),
    )
