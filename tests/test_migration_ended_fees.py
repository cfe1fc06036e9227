"""Migration 3f6b2d8e1c47 cancels the open fee requests of dossiers that ended before the portal did so
itself (payments/ended.py); settled requests and the requests of running dossiers are left alone."""

from __future__ import annotations

import itertools

from portal.extensions import db
from portal.payments.models import Payment
from tests.support.dossiers import make_dossier
from tests.support.migrations import script

NUMBERS = itertools.count(1)


def with_payment(status: int, payment_status: str, received: int = 0) -> Payment:
    """A dossier left in `status` by the earlier code, with a fee request in `payment_status`."""
    dossier = make_dossier("1.004222")
    dossier.status, dossier.fee_vnd = status, 10_000
    payment = Payment(
        reference=f"SLMIGRATION{next(NUMBERS)}", dossier=dossier, amount_vnd=10_000, received_vnd=received
    )
    payment.status = payment_status
    db.session.add(payment)
    db.session.flush()
    return payment


def test_open_requests_of_ended_dossiers_are_cancelled_and_owed_back(app):
    stopped = with_payment(8, "pending")
    withdrawn = with_payment(7, "underpaid", received=4_000)
    paid_then_stopped = with_payment(8, "paid", received=10_000)
    waiting = with_payment(6, "pending")
    version = stopped.dossier.page_version

    script("3f6b2d8e1c47").cancel_open_fees_of_ended_dossiers(db.session.connection())
    db.session.expire_all()

    assert (stopped.status, withdrawn.status) == ("cancelled", "cancelled")
    assert withdrawn.refund_due_vnd == 4_000 and stopped.refund_due_vnd == 0
    assert (paid_then_stopped.status, waiting.status) == ("paid", "pending")
    assert stopped.dossier.page_version != version
