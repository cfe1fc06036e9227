"""Staff side of payments: flagged payments, unmatched credits, statement import, counter confirmation.

Who may do what is decided in portal/payments/policy.py: the agency's desk for its own payments, the
province's finance officers (and the admin) for the provincial account's statements and unmatched credits.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from portal.auth.access import allow, protect
from portal.domain.text import clean
from portal.extensions import db
from portal.i18n import vnd

from . import operations, policy, statement
from .amounts import MAX_CREDIT_VND
from .models import PAYABLE, BankTransaction, Payment, refund_due_condition

bp = protect(Blueprint("payments_staff", __name__, url_prefix="/staff/payments", template_folder="templates"))
LINE_PROBLEMS = {
    "transaction_id": _l("Line %(line)d: the transaction_id is empty."),
    "date": _l("Line %(line)d: the date is missing or not a date (2026-11-23, 23/11/2026 …)."),
    "amount_not_whole_dong": _l("Line %(line)d: the amount is not a whole number of dong."),
    "amount_not_positive": _l("Line %(line)d: the amount must be more than 0 dong."),
    "amount_too_large": _l(
        "Line %(line)d: the amount is above %(limit)s, which no fee payment can be; "
        "check the file with the bank."
    ),
}


@bp.get("")
@allow(*policy.LIST)
def index():
    payments = db.session.scalars(
        select(Payment)
        .where(or_(Payment.status.in_(PAYABLE), refund_due_condition()), policy.listed_payments(current_user))
        .order_by(Payment.created_at.desc())
        .limit(200)
    ).all()
    unmatched: Sequence[BankTransaction] = []
    if policy.owns_account(current_user):  # the provincial account's credits: payers' names, for finance only
        unmatched = db.session.scalars(
            select(BankTransaction)
            .where(BankTransaction.state == "unmatched")
            .order_by(BankTransaction.received_at.desc())
            .limit(200)
        ).all()
    return render_template(
        "payments/staff_index.html",
        payments=payments,
        unmatched=unmatched,
        owns_account=policy.owns_account(current_user),
        opens_counter=current_user.role in policy.COUNTER_VIEW,
        may_refund=lambda payment: policy.may_refund(current_user, payment),
    )


@bp.get("/<reference>/counter")
@allow(*policy.COUNTER_VIEW)
def counter(reference: str):
    """The QR large on the desk's screen, for the citizen to scan with their banking app."""
    payment = policy.staff_payment(reference)
    return render_template(
        "payments/counter.html",
        payment=payment,
        bank=operations.current_bank(),
        may_confirm=policy.may_confirm(current_user, payment),
    )


@bp.post("/<reference>/confirm")
@allow(*policy.DESK)
def confirm(reference: str):
    payment = policy.staff_payment(reference)
    if not policy.may_confirm(current_user, payment):
        abort(404)
    method = request.form.get("method", "")
    if method not in operations.METHODS_AT_DESK:  # nothing chosen in advance: the officer says how
        flash(_("Choose how the fee was paid: cash, or a transfer checked at the desk."), "error")
        return redirect(url_for(".counter", reference=payment.reference))
    try:
        operations.confirm_at_counter(payment, current_user, method, request.form.get("note", ""))
    except operations.PaymentError as refused:
        db.session.rollback()
        flash(_confirm_refusal(refused.reason), "error")
        return redirect(url_for(".counter", reference=payment.reference))
    db.session.commit()
    flash(_("Payment %(reference)s confirmed.", reference=payment.reference), "success")
    return redirect(url_for(".counter", reference=payment.reference))


def _confirm_refusal(reason: str) -> str:
    if reason == "cancelled":
        return _(
            "The dossier of this payment has ended (refused, withdrawn or stopped): its fee request was"
            " cancelled and nothing can be collected. Money already received is listed for a refund."
        )
    return _("This payment cannot be confirmed.")


@bp.post("/<reference>/refund")
@allow(*policy.REFUND)
def refund(reference: str):
    """The excess of an overpaid fee went back to the payer: recorded, audited, gone from the list."""
    payment = policy.refundable_payment(reference)
    try:
        amount = operations.mark_refunded(payment, current_user, request.form.get("note", ""))
    except operations.PaymentError:
        db.session.rollback()
        flash(_("Nothing is left to refund on this payment."), "error")
        return redirect(url_for(".index"))
    db.session.commit()
    flash(
        _(
            "Refund of %(amount)s recorded for %(reference)s.",
            amount=vnd(amount),
            reference=payment.reference,
        ),
        "success",
    )
    return redirect(url_for(".index"))


@bp.post("/unmatched/<int:row_id>/resolve")
@allow(*policy.ACCOUNT_OWNERS)
def resolve(row_id: int):
    row = db.session.get(BankTransaction, row_id) or abort(404)
    payment = policy.attachable_payment(clean(request.form.get("reference", "")))
    if payment is None:
        flash(_("No payment has this reference."), "error")
        return redirect(url_for(".index"))
    try:
        operations.resolve(row, payment, current_user)
    except operations.PaymentError:
        db.session.rollback()
        flash(_("This credit was already resolved."), "error")
        return redirect(url_for(".index"))
    db.session.commit()
    flash(_("Credit attached to %(reference)s.", reference=payment.reference), "success")
    return redirect(url_for(".index"))


@bp.post("/statement")
@allow(*policy.ACCOUNT_OWNERS)
def import_statement():
    """A statement of the provincial account: every line is checked first; then matched exactly like the webhook.

    A line that names a reference pays it, whatever the agency: that is the bank speaking (policy.py).
    """
    upload = request.files.get("statement")
    try:
        parsed = statement.parse(upload.read() if upload else b"")
    except statement.NotAStatement:
        flash(
            _(
                "The statement must be a UTF-8 CSV with the columns transaction_id, date, amount, description."
            ),
            "error",
        )
        return redirect(url_for(".index"))
    if parsed.problems:
        lines = [str(line) for line, _reason in parsed.problems]
        flash(_("Lines %(lines)s are not valid; nothing was imported.", lines=", ".join(lines[:20])), "error")
        for line, reason in parsed.problems[:20]:
            flash(str(LINE_PROBLEMS[reason]) % {"line": line, "limit": vnd(MAX_CREDIT_VND)}, "error")
        return redirect(url_for(".index"))
    created = 0
    try:
        for credit in parsed.credits:
            _row, new = operations.record_credit(credit, "statement")
            created += new
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("The statement was being imported at the same time; please try again."), "error")
        return redirect(url_for(".index"))
    known = len(parsed.credits) - created
    flash(_("%(new)d new credits, %(known)d already known.", new=created, known=known), "success")
    return redirect(url_for(".index"))
