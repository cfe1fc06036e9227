"""Payment operations: create a reference, match bank credits, confirm at the counter. Flush, never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import select, update

from portal.accounts.models import Account
from portal.calendar.queries import LOCAL_TZ
from portal.database import changed_rows
from portal.db_types import utcnow
from portal.domain.errors import ReasonedError
from portal.domain.payment_reference import find_references, new_reference
from portal.domain.text import clean
from portal.domain.vietqr import build_payload
from portal.events.operations import record
from portal.extensions import db
from portal.settings import BankAccount

from . import ended, fees, labels, receipts
from .amounts import MAX_CREDIT_VND
from .bank_account import current_bank
from .models import PAYABLE, SETTLED, BankTransaction, Payment, amount_due

METHODS_AT_DESK = ("cash", "counter")  # cash, or a transfer the officer saw on the citizen's phone


class PaymentError(ReasonedError):
    """Refused by a rule; `reason` names it."""


@dataclass(frozen=True)
class Credit:
    """A credit as the bank reports it."""

    bank_transaction_id: str
    amount_vnd: int
    description: str
    account_number: str = ""
    occurred_at: datetime | None = None


def bank_instant(value: datetime) -> datetime:
    """A time a bank wrote (webhook or statement), in UTC: without an offset it is Vietnam's local time."""
    return (value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)).astimezone(UTC)


@lru_cache(maxsize=1024)  # a pure function (its CRC is pure Python): the QR images ask it on every request
def payload(bank: BankAccount, amount_vnd: int, reference: str) -> str:
    """The VietQR payload (portal.domain.vietqr) asking for `amount_vnd` to `bank` with `reference`."""
    return build_payload(bin=bank.bin, account=bank.number, amount=amount_vnd, reference=reference)


def payload_for(payment: Payment, bank: BankAccount | None = None) -> str:
    """`payment`'s VietQR payload for the amount still due (models.amount_due), to the fee account in force
    (`bank` when the caller has it already)."""
    due = amount_due(payment.status, payment.amount_vnd, payment.received_vnd)
    return payload(bank or current_bank(), due, payment.reference)


def open_payment(dossier: fees.FeeItem) -> Payment | None:
    return next(
        (
            p
            for p in db.session.scalars(select(Payment).where(Payment.dossier_id == dossier.id))
            if p.status in ("pending", "underpaid")
        ),
        None,
    )


def create_for(dossier: fees.FeeItem) -> Payment:
    """The reference for what the dossier owes now; the amount is the server's, never the client's."""
    if dossier.fee_vnd <= 0:
        raise PaymentError("no_fee")
    existing = open_payment(dossier)
    if existing is not None:
        return existing
    while True:
        reference = new_reference(secrets.token_bytes(6))
        if db.session.scalar(select(Payment.id).where(Payment.reference == reference)) is None:
            break
    payment = Payment(reference=reference, dossier=dossier, amount_vnd=dossier.fee_vnd)
    db.session.add(payment)
    db.session.flush()  # the dossier's "request_fee" event already records the request
    return payment


def _take_open(payment: Payment) -> bool:
    """Move `payment` out of the payable states exactly once, whatever runs at the same time.

    A conditional UPDATE: on PostgreSQL a second transaction waits for the first's row lock and then finds
    the status changed (0 rows); SQLite serialises writers. Only the winner settles and takes a receipt
    number, so two officers confirming the same fee at once never consume two numbers.
    """
    won = changed_rows(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status.in_(PAYABLE))
        .values(status="paid")
        .execution_options(synchronize_session=False)
    )
    return won == 1


def _settle(
    payment: Payment, method: str, actor: Account | None, now: datetime, move_on: bool = True
) -> None:
    """Mark the fee paid (overpaid when more arrived) and number its e-receipt; record it and move the item
    the fee is for on (through its registered FeeOwner), unless the item's own action does both (`move_on`)."""
    payment.status = "overpaid" if payment.received_vnd > payment.amount_vnd else "paid"
    payment.method, payment.paid_at = method, now
    payment.confirmed_by_id = actor.id if actor else None
    payment.receipt_series, payment.receipt_number = receipts.issue(now)
    if payment.status == "overpaid":
        _record_excess(payment)
    if not move_on:
        return  # the item's own action ("fees paid" on the dossier) records the event and moves it on
    # One line says the fee was paid: the item's own when it moves on, else the payment's.
    line = labels.paid_line(payment)
    actor_id = actor.id if actor else None
    if not fees.owner().settled(payment, now, actor_id, line):
        record("dossier", payment.dossier_id, "payment_received", actor_id=actor_id, note=line, public=True)


def _record_excess(payment: Payment) -> None:
    """More than the fee arrived: the fee is settled; the excess is owed back (staff record the refund)."""
    record(
        "dossier", payment.dossier_id, "payment_overpaid", note=f"{payment.reference} {payment.excess_vnd}"
    )


def mark_paid_at_desk(payment: Payment, actor: Account, now: datetime, method: str = "cash") -> bool:
    """An officer confirmed the fee on the item itself (at the desk): its open reference is paid in full, in
    cash or by a transfer seen on the citizen's phone ("counter"). False when it was settled a moment ago.

    The item's own action records the event (its note from labels.paid_line) and moves it on, so the item is
    not moved here.
    """
    if method not in METHODS_AT_DESK:
        raise PaymentError("method")
    if not _take_open(payment):
        return False  # settled a moment ago (the bank, or another officer): nothing more is owed
    payment.received_vnd = max(payment.received_vnd, payment.amount_vnd)
    _settle(payment, method, actor, now, move_on=False)
    return True


def apply_credit(payment: Payment, amount: int, now: datetime) -> None:
    """Compare what arrived with what is owed: exact → paid; less → underpaid; more → settled as overpaid,
    the dossier moves on and the excess is recorded for a refund. The caller holds the payment's row lock."""
    payment.received_vnd += amount
    if payment.status == "cancelled":  # its dossier ended: nothing is owed, this credit goes back
        ended.credit_after_cancel(payment, amount)
        return
    if payment.status in ("paid", "overpaid"):
        # Paid already: the fee stays settled, receipt included; this credit is owed back.
        if payment.status in SETTLED:
            payment.status = "overpaid"
            _record_excess(payment)
        return
    if payment.received_vnd >= payment.amount_vnd:
        _settle(payment, "transfer", None, now)
    else:
        payment.status = "underpaid"


def mark_refunded(payment: Payment, actor: Account, note: str, now: datetime | None = None) -> int:
    """Staff returned the excess to the payer (by transfer or in cash): recorded and audited. Returns the
    amount. Guarded like settling: two officers marking the same refund at once record it once."""
    due = payment.refund_due_vnd
    if due <= 0:
        raise PaymentError("no_refund")
    marked = changed_rows(
        update(Payment)
        .where(Payment.id == payment.id, Payment.refunded_vnd == payment.refunded_vnd)
        .values(refunded_vnd=payment.refunded_vnd + due, refunded_at=now or utcnow(), refunded_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if marked != 1:
        raise PaymentError("no_refund")
    db.session.expire(payment, ["refunded_vnd", "refunded_at", "refunded_by_id"])
    record(
        "dossier",
        payment.dossier_id,
        "refund_done",
        actor_id=actor.id,
        note=f"{payment.reference} {due} {clean(note)[:500]}".strip(),
    )
    return due


def record_credit(credit: Credit, source: str, now: datetime | None = None) -> tuple[BankTransaction, bool]:
    """Store a credit once (by the bank's id) and match it. Returns the row and whether it is new.

    The caller commits; on a concurrent duplicate the unique constraint fails and the caller
    retries, finding the stored row.
    """
    if not 0 < credit.amount_vnd <= MAX_CREDIT_VND:  # the routes refuse these first, with their reason
        raise PaymentError("amount")
    now = now or utcnow()
    existing = db.session.scalar(
        select(BankTransaction).where(BankTransaction.bank_transaction_id == credit.bank_transaction_id)
    )
    if existing is not None:
        return existing, False
    row = BankTransaction(
        bank_transaction_id=credit.bank_transaction_id,
        amount_vnd=credit.amount_vnd,
        description=clean(credit.description)[:1000],
        account_number=credit.account_number,
        occurred_at=credit.occurred_at,
        received_at=now,
        source=source,
    )
    db.session.add(row)
    payment = None
    own_account = current_bank().number
    # A credit to another account never pays a fee (SECURITY.md G25): it waits for staff.
    references = (
        []
        if credit.account_number and credit.account_number != own_account
        else find_references(credit.description)
    )
    for reference in references:
        payment = db.session.scalar(
            select(Payment).where(Payment.reference == reference).with_for_update(of=Payment)
        )
        if payment is not None:
            break
    if payment is not None:
        row.payment, row.state = payment, "matched"
        apply_credit(payment, credit.amount_vnd, now)
    db.session.flush()
    return row, True


def resolve(row: BankTransaction, payment: Payment, actor: Account, now: datetime | None = None) -> None:
    """Staff attach an unmatched credit to the payment it was meant for."""
    if row.state != "unmatched":
        raise PaymentError("already_resolved")
    row.payment, row.state, row.resolved_by_id = payment, "resolved", actor.id
    apply_credit(payment, row.amount_vnd, now or utcnow())
    record("dossier", payment.dossier_id, "credit_resolved", actor_id=actor.id, note=row.bank_transaction_id)
    db.session.flush()


def confirm_at_counter(
    payment: Payment, actor: Account, method: str, note: str, now: datetime | None = None
) -> None:
    """Cash at the desk, or a transfer the officer has seen on the citizen's phone ("counter")."""
    if method not in METHODS_AT_DESK:
        raise PaymentError("method")
    if payment.status == "cancelled":  # its dossier ended (ended.py): nothing to collect
        raise PaymentError("cancelled")
    if payment.status not in PAYABLE or not _take_open(payment):
        raise PaymentError("not_open")
    payment.received_vnd = max(payment.received_vnd, payment.amount_vnd)
    payment.note = clean(note)[:1000]
    # The officer's note stays on the payment (staff see it on the counter page): the one line the payment
    # writes on the dossier is public, and this note was never meant for the citizen.
    _settle(payment, method, actor, now or utcnow())
    db.session.flush()
