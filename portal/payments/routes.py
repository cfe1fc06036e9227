"""Public payment pages (/payments/<reference>) and the bank webhook (/webhooks/bank)."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import qr
from portal.domain.payment_reference import is_valid
from portal.domain.vietqr import parse_payload
from portal.extensions import csrf, db

from . import operations
from .labels import STATUS
from .models import Payment

bp = Blueprint("payments", __name__, template_folder="templates")


@bp.app_context_processor
def payment_labels():
    return {"payment_status": STATUS}
WEBHOOK_WINDOW = 300  # seconds either side of our clock (SECURITY.md G24)


def _payment(reference: str) -> Payment:
    reference = reference.upper()
    if not is_valid(reference):
        abort(404)
    payment = db.session.scalar(select(Payment).where(Payment.reference == reference))
    if payment is None:
        abort(404)
    return payment


@bp.get("/payments/<reference>")
def page(reference: str):
    """Amount, bank, account, reference and the QR. No personal data: the reference is all it shows."""
    payment = _payment(reference)
    return render_template("payments/page.html", payment=payment, bank=operations.current_bank())


@bp.get("/payments/<reference>/qr.png")
def qr_png(reference: str):
    payment = _payment(reference)
    response = Response(qr.png(operations.payload_for(payment)), mimetype="image/png")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="VietQR-{payment.reference}.png"'
    response.headers["Cache-Control"] = "public, max-age=300"  # the bank account may change
    return response


@bp.get("/payments/<reference>/qr.svg")
def qr_svg(reference: str):
    payment = _payment(reference)
    response = Response(qr.svg(operations.payload_for(payment)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=300"  # the bank account may change
    return response


@bp.get("/payments/<reference>.json")
def as_json(reference: str):
    payment = _payment(reference)
    payload = operations.payload_for(payment)
    fields = parse_payload(payload)
    return jsonify(reference=payment.reference, status=payment.status, amount=payment.amount_vnd, payload=payload,
                   fields={"bin": fields.bin, "account": fields.account, "service": fields.service,
                           "amount": fields.amount, "currency": fields.currency, "country": fields.country,
                           "reference": fields.reference, "crc": fields.crc})


@bp.get("/payments/<reference>/receipt")
def receipt(reference: str):
    """E-receipt (biên lai) of a paid reference."""
    payment = _payment(reference)
    from portal.dossiers.routes import can_view

    # The receipt names the payer: only for the dossier's citizen and its agency's staff.
    if payment.paid_at is None or not can_view(payment.dossier):
        abort(404)
    return render_template("payments/receipt.html", payment=payment,
                           bank=operations.current_bank())


def _signature_ok(timestamp: str, body: bytes, given: str) -> bool:
    secrets_ = current_app.config["PORTAL_SETTINGS"].bank_webhook_secrets
    message = timestamp.encode() + b"." + body
    return any(hmac.compare_digest(hmac.new(secret.encode(), message, hashlib.sha256).hexdigest(), given.lower())
               for secret in secrets_)


@bp.post("/webhooks/bank")
@csrf.exempt  # authenticated by its HMAC signature instead
def bank_webhook():
    """A credit to the fee account. Signed: X-Portal-Timestamp and X-Portal-Signature (see README)."""
    body = request.get_data(cache=False)
    timestamp = request.headers.get("X-Portal-Timestamp", "")
    signature = request.headers.get("X-Portal-Signature", "")
    if not re.fullmatch(r"[0-9]{1,12}", timestamp) or abs(time.time() - int(timestamp)) > WEBHOOK_WINDOW \
            or not _signature_ok(timestamp, body, signature):
        return jsonify(error="unauthorized"), 401
    try:
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("not an object")
        transaction_id, amount = data["transaction_id"], data["amount"]
        # Whole dong only: 20000.5, true or "20k" is malformed, never rounded into a payment.
        if isinstance(amount, bool) or not (isinstance(amount, int) or (isinstance(amount, str)
                                                                       and re.fullmatch(r"[0-9]{1,13}", amount))):
            raise ValueError("amount")
        if isinstance(transaction_id, bool) or not isinstance(transaction_id, str | int) or not str(transaction_id):
            raise ValueError("transaction_id")
        credit = operations.Credit(
            bank_transaction_id=str(transaction_id)[:80], amount_vnd=int(amount),
            description=str(data.get("description", "")), account_number=str(data.get("account_number", ""))[:19],
            occurred_at=datetime.fromisoformat(data["occurred_at"]).astimezone(UTC) if data.get("occurred_at")
            else None)
    except (ValueError, KeyError, TypeError):
        return jsonify(error="malformed"), 400
    if not credit.bank_transaction_id or credit.amount_vnd <= 0:
        return jsonify(error="malformed"), 400
    for _attempt in range(3):
        try:
            row, new = operations.record_credit(credit, "webhook")
            db.session.commit()
            break
        except IntegrityError:  # the same notification committed concurrently: answer with its result
            db.session.rollback()
    else:
        abort(503)
    return jsonify(status=row.state, duplicate=not new, reference=row.payment.reference if row.payment else None)
