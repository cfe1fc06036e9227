"""A fee whose item ended: its request is cancelled, and money that reaches it anyway is owed back.

A dossier that ends without its result (refused, withdrawn, stopped: `dossier_status.is_final`) owes no
fee. Its open request (pending, or underpaid) is cancelled in the same transaction as the ending, so its
QR and JSON stop offering payment (policy.payable, routes) and the desk cannot confirm it. What the bank
still credits to a cancelled reference is not lost: the credit is stored and matched as usual, and the
whole of it is listed at /staff/payments for a refund (Payment.refund_due_vnd), as an overpayment's excess.
A dossier owes its fee once (`taken`): the fee is asked for again only after its request was cancelled.
Flush, never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select, update

from portal.database import changed_rows
from portal.events.operations import record
from portal.extensions import db

from . import fees
from .models import PAYABLE, TAKEN, Payment


def taken(item: fees.FeeItem) -> bool:
    """The item's fee was asked for and not called off (a request pending, underpaid or settled)."""
    return bool(
        db.session.scalar(select(exists().where(Payment.dossier_id == item.id, Payment.status.in_(TAKEN))))
    )


def cancel_open(item: fees.FeeItem, actor_id: int | None, now: datetime) -> list[Payment]:
    """Cancel the item's open requests because the item ended; returns those cancelled here.

    A conditional UPDATE, like settling (operations._take_open): a bank credit settling the same reference
    at the same moment either wins (the fee is paid, nothing to cancel) or waits and finds it cancelled, and
    then its money is owed back (`credit_after_cancel`). Money already received on an underpaid request is
    owed back at once."""
    cancelled = []
    for payment in db.session.scalars(
        select(Payment).where(Payment.dossier_id == item.id, Payment.status.in_(PAYABLE))
    ):
        won = changed_rows(
            update(Payment)
            .where(Payment.id == payment.id, Payment.status.in_(PAYABLE))
            .values(status="cancelled")
            .execution_options(synchronize_session=False)
        )
        if won != 1:
            continue
        db.session.expire(payment, ["status"])
        record(
            "dossier",
            payment.dossier_id,
            "payment_cancelled",
            actor_id=actor_id,
            note=f"{payment.reference} {payment.amount_vnd}",
            public=True,
            at=now,
        )
        if payment.received_vnd:
            _owed_back(payment, payment.received_vnd)
        cancelled.append(payment)
    db.session.flush()
    return cancelled


def credit_after_cancel(payment: Payment, amount: int) -> None:
    """A credit reached a cancelled request (`payment.received_vnd` already counts it): all of it is owed
    back, listed for a refund like an overpayment's excess."""
    _owed_back(payment, amount)


def _owed_back(payment: Payment, amount: int) -> None:
    record("dossier", payment.dossier_id, "payment_refund_due", note=f"{payment.reference} {amount}")
