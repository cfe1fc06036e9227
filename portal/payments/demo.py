"""Demo payments: one pending, one paid by VietQR transfer, one underpaid (flagged for staff)."""

from sqlalchemy import func, select

from portal.db_types import utcnow
from portal.dossiers.models import Dossier
from portal.extensions import db

from . import operations
from .models import BankTransaction, Payment


def seed_demo_payments() -> int:
    """Settle two of the demo dossiers' fee requests with bank credits, once. Returns credits added."""
    if db.session.scalar(
        select(func.count(BankTransaction.id)).where(BankTransaction.bank_transaction_id.like("DEMO-%"))
    ):
        return 0
    names = ("Quàng Thị Nga", "Sồng A Chứ")
    payments = {
        dossier.applicant_name: payment
        for payment, dossier in db.session.execute(
            select(Payment, Dossier)
            .join(Dossier)
            .where(Dossier.applicant_name.in_(names), Dossier.email.like("%@demo%"))
        )
    }
    added = 0
    for number, (name, share) in enumerate(((names[0], 1.0), (names[1], 0.5)), 1):
        payment = payments.get(name)
        if payment is None:
            continue
        amount = int(payment.amount_vnd * share)
        operations.record_credit(
            operations.Credit(
                bank_transaction_id=f"DEMO-{number:04d}",
                amount_vnd=amount,
                description=f"MBVCB.{number}.{payment.reference}.CT tu {name}",
                occurred_at=utcnow(),
            ),
            "webhook",
        )
        added += 1
    return added
