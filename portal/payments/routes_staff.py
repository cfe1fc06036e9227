"""Staff side of payments: flagged payments, unmatched credits, statement import, counter confirmation."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.domain.text import clean
from portal.extensions import db
from portal.staff.access import allow, can_see_agency, protect

from . import operations
from .models import BankTransaction, Payment
from .routes import _payment

bp = protect(Blueprint("payments_staff", __name__, url_prefix="/staff/payments", template_folder="templates"))
DESK = ("receptionist", "leader", "admin")
STATEMENT_COLUMNS = ("transaction_id", "date", "amount", "description")


def _own(payment: Payment) -> Payment:
    if not can_see_agency(payment.dossier.agency_id):
        abort(404)
    return payment


@bp.get("")
@allow(*DESK)
def index():
    statement = select(Payment).where(Payment.status.in_(("underpaid", "overpaid", "pending")))
    if current_user.role != "admin":
        from portal.dossiers.models import Dossier

        statement = statement.join(Dossier).where(Dossier.agency_id == current_user.agency_id)
    payments = db.session.scalars(statement.order_by(Payment.created_at.desc()).limit(200)).all()
    unmatched = db.session.scalars(select(BankTransaction).where(BankTransaction.state == "unmatched")
                                   .order_by(BankTransaction.received_at.desc()).limit(200)).all()
    return render_template("payments/staff_index.html", payments=payments, unmatched=unmatched)


@bp.get("/<reference>/counter")
@allow(*DESK, "processor")
def counter(reference: str):
    """The QR large on the desk's screen, for the citizen to scan with their banking app."""
    payment = _own(_payment(reference))
    return render_template("payments/counter.html", payment=payment, bank=operations.current_bank())


@bp.post("/<reference>/confirm")
@allow(*DESK)
def confirm(reference: str):
    payment = _own(_payment(reference))
    method = request.form.get("method", "")
    try:
        operations.confirm_at_counter(payment, current_user, method, request.form.get("note", ""))
    except operations.PaymentError:
        db.session.rollback()
        flash(_("This payment cannot be confirmed."), "error")
        return redirect(url_for(".counter", reference=payment.reference))
    db.session.commit()
    flash(_("Payment %(reference)s confirmed.", reference=payment.reference), "success")
    return redirect(url_for(".counter", reference=payment.reference))


@bp.post("/unmatched/<int:row_id>/resolve")
@allow("leader", "admin")
def resolve(row_id: int):
    row = db.session.get(BankTransaction, row_id) or abort(404)
    reference = clean(request.form.get("reference", "")).upper()
    payment = db.session.scalar(select(Payment).where(Payment.reference == reference))
    if payment is None or not can_see_agency(payment.dossier.agency_id):
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


def _parse_date(text: str) -> datetime | None:
    for pattern in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"):
        try:
            value = datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


@bp.post("/statement")
@allow("leader", "admin")
def import_statement():
    """A bank statement CSV: every line is checked first; then matched exactly like the webhook."""
    upload = request.files.get("statement")
    try:
        text = upload.read().decode("utf-8-sig") if upload else ""
    except UnicodeDecodeError:
        text = None
    reader = csv.DictReader(io.StringIO(text or ""))
    if text is None or not reader.fieldnames or any(c not in reader.fieldnames for c in STATEMENT_COLUMNS):
        flash(_("The statement must be a UTF-8 CSV with the columns transaction_id, date, amount, description."),
              "error")
        return redirect(url_for(".index"))
    credits, errors = [], []
    for row in reader:
        amount = (row.get("amount") or "").strip()
        # Whole dong, optionally grouped by thousands ("15.000", "15,000"); "20000.00" is refused, not x100.
        amount = amount.replace(".", "").replace(",", "") if re.fullmatch(r"\d{1,3}([.,]\d{3})+|\d+", amount) else ""
        occurred = _parse_date(row.get("date") or "")
        if not (row.get("transaction_id") or "").strip() or not amount.isdigit() or int(amount) <= 0 or not occurred:
            errors.append(reader.line_num)
            continue
        credits.append(operations.Credit(row["transaction_id"].strip()[:80], int(amount), row.get("description") or "",
                                         occurred_at=occurred))
    if errors:
        flash(_("Lines %(lines)s are not valid; nothing was imported.", lines=", ".join(map(str, errors[:20]))),
              "error")
        return redirect(url_for(".index"))
    created = 0
    try:
        for credit in credits:
            _row, new = operations.record_credit(credit, "statement")
            created += new
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("The statement was being imported at the same time; please try again."), "error")
        return redirect(url_for(".index"))
    flash(_("%(new)d new credits, %(known)d already known.", new=created, known=len(credits) - created), "success")
    return redirect(url_for(".index"))
