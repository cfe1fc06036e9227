"""Public payment pages (/payments/<reference>) and the bank webhook (/webhooks/bank)."""

from __future__ import annotations

import hmac
import json
import re
import time
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, url_for
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from portal import http_cache, qr
from portal.domain.digests import keyed_digest
from portal.domain.vietqr import parse_payload
from portal.extensions import csrf, db
from portal.settings import BankAccount

from . import amounts, banks, operations, payable_cache, policy, receipts
from .labels import METHOD, STATUS, bank_time
from .refusals import record_refusal

bp = Blueprint("payments", __name__, template_folder="templates")


@bp.record_once
def _remember_payable(state) -> None:
    """The QR images' short memory of what is payable (payable_cache), forgotten when the app's engines
    write a payment or the fee account."""
    with state.app.app_context():
        payable_cache.init_app(state.app, list(db.engines.values()))


@bp.app_context_processor
def payment_labels():
    return {
        "payment_status": STATUS,
        "payment_methods": METHOD,
        "payment_list_roles": policy.LIST,
        "payment_qr_url": qr_url,
        "receipt_number": receipts.formatted,
        "payment_desk_methods": operations.METHODS_AT_DESK,
        # Whether this browser may open a payment's e-receipt: the receipt route's own rule, so no page links
        # a receipt that answers 404.
        "may_see_receipt": policy.may_see_receipt,
    }


bp.add_app_template_filter(
    bank_time, "bank_time"
)  # a time the bank gave: its date alone when it gave no time


WEBHOOK_WINDOW = 300  # seconds either side of our clock (SECURITY.md G24)


@bp.get("/payments/<reference>")
def page(reference: str):
    """Amount, bank, account, reference and the QR. No personal data: the reference is all it shows."""
    payment = policy.public_payment(reference)
    if payment.status == "cancelled":
        return _ended_page(payment)
    bank = operations.current_bank()
    return render_template(
        "payments/page.html",
        payment=payment,
        bank=bank,
        bank_info=banks.by_bin(bank.bin),
        shows_dossier=policy.may_see_dossier(payment),
    )


def _ended_page(payment):
    """A cancelled request (its dossier ended, payments/ended.py): says so, with no QR, account or anything
    to copy into a transfer; only the refund owed if money reached it anyway."""
    return render_template(
        "payments/ended.html", payment=payment, shows_dossier=policy.may_see_dossier(payment)
    )


# The QR of a reference changes when an administrator saves another fee account, and it is gone (404) once
# the payment is settled or cancelled: the bare address is cached briefly and revalidated by its ETag. The
# pages link `?v=<version of the payload>` (qr_url), an address whose image never changes: cached a year.
# Whether a reference is still payable comes from policy.payable, kept up to 5 s in this process
# (payable_cache.py: forgotten at once when this process writes a payment; other processes within 5 s).
UNVERSIONED = "public, max-age=300"


def qr_url(payment, bank: BankAccount, kind: str = "svg", **values) -> str:
    """The address of `payment`'s QR image as it is now (`?v=` names its content)."""
    version = qr.version_of(operations.payload_for(payment, bank))
    return url_for(f"payments.qr_{kind}", reference=payment.reference, v=version, **values)


def _qr_image(reference: str, kind: str) -> tuple[Response, str]:
    """The QR image of a payment still to pay (404 otherwise: the payment page shows none) and its reference.

    Sessionless, rendered once per payload (portal.qr), 304 for a known ETag."""
    payable = policy.payable(reference) or abort(404)
    payload = operations.payload(payable.bank, payable.amount_vnd, payable.reference)
    image = qr.image(kind, payload)
    cache_control = http_cache.IMMUTABLE if request.args.get("v") == qr.version_of(payload) else UNVERSIONED
    answer = http_cache.cached_answer(image.body, image.mimetype, image.etag, cache_control, image.gzipped)
    return answer, payable.reference


@bp.get("/payments/<reference>/qr.png")
@http_cache.sessionless
def qr_png(reference: str):
    response, reference = _qr_image(reference, "png")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="VietQR-{reference}.png"'
    return response


@bp.get("/payments/<reference>/qr.svg")
@http_cache.sessionless
def qr_svg(reference: str):
    return _qr_image(reference, "svg")[0]


@bp.get("/payments/<reference>.json")
def as_json(reference: str):
    payment = policy.public_payment(reference)
    if payment.status == "cancelled":  # its dossier ended: no payload to pay with (410, like its QR's 404)
        return jsonify(reference=payment.reference, status=payment.status, payable=False), 410
    payload = operations.payload_for(payment)
    fields = parse_payload(payload)
    return jsonify(
        reference=payment.reference,
        status=payment.status,
        amount=payment.amount_vnd,
        payload=payload,
        fields={
            "bin": fields.bin,
            "account": fields.account,
            "service": fields.service,
            "amount": fields.amount,
            "currency": fields.currency,
            "country": fields.country,
            "reference": fields.reference,
            "crc": fields.crc,
        },
    )


@bp.get("/payments/<reference>/receipt")
def receipt(reference: str):
    """E-receipt (biên lai) of a paid reference."""
    payment = policy.public_payment(reference)
    if not policy.may_see_receipt(payment):  # it names the payer
        abort(404)
    return render_template("payments/receipt.html", payment=payment, bank=operations.current_bank())


def _signature_ok(timestamp: str, body: bytes, given: str) -> bool:
    secrets_ = current_app.config["PORTAL_SETTINGS"].bank_webhook_secrets
    message = timestamp.encode() + b"." + body
    return any(hmac.compare_digest(keyed_digest(secret, message).hex(), given.lower()) for secret in secrets_)


class Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def _authenticate(body: bytes) -> None:
    timestamp = request.headers.get("X-Portal-Timestamp", "")
    signature = request.headers.get("X-Portal-Signature", "")
    if not timestamp or not signature:
        raise Refused(401, "missing_signature")
    if not re.fullmatch(r"[0-9]{1,12}", timestamp):
        raise Refused(401, "bad_timestamp")
    if abs(time.time() - int(timestamp)) > WEBHOOK_WINDOW:
        raise Refused(401, "stale_timestamp")
    if not _signature_ok(timestamp, body, signature):
        raise Refused(401, "bad_signature")


def _credit(body: bytes) -> operations.Credit:
    """The credit a signed body describes; Refused(400, reason) when it does not describe one."""
    try:
        data = json.loads(body)
    except ValueError:  # not UTF-8 or not JSON
        raise Refused(400, "not_json") from None
    if not isinstance(data, dict):
        raise Refused(400, "not_an_object")
    transaction_id = data.get("transaction_id")
    if (
        isinstance(transaction_id, bool)
        or not isinstance(transaction_id, str | int)
        or not str(transaction_id).strip()
    ):
        raise Refused(400, "transaction_id")
    if "amount" not in data:
        raise Refused(400, "amount_missing")
    try:
        amount = amounts.from_json(data["amount"])
    except amounts.AmountError as error:
        raise Refused(400, f"amount_{error.reason}") from None
    occurred_at = None
    if data.get("occurred_at"):
        try:
            occurred_at = datetime.fromisoformat(str(data["occurred_at"]))
        except ValueError:
            raise Refused(400, "occurred_at") from None
        occurred_at = operations.bank_instant(occurred_at)
    return operations.Credit(
        bank_transaction_id=str(transaction_id).strip()[:80],
        amount_vnd=amount,
        description=str(data.get("description") or ""),
        account_number=str(data.get("account_number") or "")[:19],
        occurred_at=occurred_at,
    )


def _refuse(refusal: Refused, body: bytes):
    """Audit the refusal (rate-limited per source, portal/payments/refusals.py) and answer it."""
    try:
        record_refusal(refusal.reason, request.remote_addr, body)
        db.session.commit()
    except SQLAlchemyError:  # the audit must never turn a refusal into a 500 the bank would retry
        db.session.rollback()
        current_app.logger.exception("could not audit a refused bank notification (%s)", refusal.reason)
    if refusal.status == 401:
        return jsonify(error="unauthorized"), 401  # no detail for an unauthenticated caller
    return jsonify(error="malformed", reason=refusal.reason), 400


@bp.post("/webhooks/bank")
@csrf.exempt  # authenticated by its HMAC signature instead
def bank_webhook():
    """A credit to the fee account. Signed: X-Portal-Timestamp and X-Portal-Signature (see README).

    401: bad or stale signature. 400 {"error": "malformed", "reason": …}: a signed body that is not a
    credit of 1 to 10^15 whole dong (nothing is stored). Both are audited. 200: stored once, matched or not.
    """
    body = request.get_data(cache=False)
    try:
        _authenticate(body)
        credit = _credit(body)
    except Refused as refusal:
        return _refuse(refusal, body)
    for _attempt in range(3):
        try:
            row, new = operations.record_credit(credit, "webhook")
            db.session.commit()
            break
        except IntegrityError:  # the same notification committed concurrently: answer with its result
            db.session.rollback()
    else:
        abort(503)
    return jsonify(
        status=row.state, duplicate=not new, reference=row.payment.reference if row.payment else None
    )
