"""Payment (what a dossier owes), BankTransaction (what the bank says arrived), refused notifications."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, and_, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_types import Money, UTCDateTime, utcnow
from portal.extensions import Model

from .fees import FeeItem

STATUSES = ("pending", "paid", "underpaid", "overpaid", "cancelled")
# Settled: the fee was paid in full (an overpayment keeps its paid_at).
SETTLED = ("paid", "overpaid")
# Still to pay: the only payments whose QR is shown (the payment page, the desk's counter view) and served.
PAYABLE = ("pending", "underpaid")
# Owed or paid: the dossier's fee was asked for and not called off. A dossier owes its fee once, so no second
# request while one of these exists (dossiers' Context.fee_taken); only a cancelled request leaves room for one.
TAKEN = (*PAYABLE, *SETTLED)


def amount_due(status: str, amount_vnd: int, received_vnd: int) -> int:
    """What a payment's QR asks for: the rest of an underpaid fee (never the whole fee again), else the fee."""
    return amount_vnd - received_vnd if status == "underpaid" else amount_vnd


class Payment(Model):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'paid', 'underpaid', 'overpaid', 'cancelled')", name="status_known"
        ),
        CheckConstraint("amount_vnd > 0", name="amount_positive"),
        CheckConstraint("received_vnd >= 0", name="received_positive"),
        Index("ix_payments_flagged", "status", "created_at"),
        # An e-receipt's number is unique within its series (the series names its year: receipts.py).
        UniqueConstraint("receipt_series", "receipt_number", name="uq_payments_receipt"),
        CheckConstraint("refunded_vnd >= 0 AND refunded_vnd <= received_vnd", name="refund_within_received"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(25), unique=True)  # e.g. SL7K2M9Q4XAM, with check symbol
    # The dossier whose fee this is. Payments never imports dossiers (the dependency runs dossiers ->
    # payments): the relationship names its class, typed by what payments reads from it (fees.FeeItem),
    # and what payments needs to know about the dossier comes through the FeeOwner the dossiers feature
    # registers (portal/payments/fees.py).
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    amount_vnd: Mapped[int] = mapped_column(Money)  # computed by the server from the procedure
    received_vnd: Mapped[int] = mapped_column(Money, default=0)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    method: Mapped[str] = mapped_column(String(10), default="")  # transfer, cash, counter
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    # The e-receipt (biên lai điện tử) issued when the fee was settled: its series ("SL-26E") and its number
    # in that series, gap-free (portal/payments/receipts.py). None before the fee is settled.
    receipt_series: Mapped[str | None] = mapped_column(String(12), default=None)
    receipt_number: Mapped[int | None] = mapped_column(default=None)
    # What was received beyond the fee (excess_vnd) is owed back to the payer; staff record the refund.
    refunded_vnd: Mapped[int] = mapped_column(Money, default=0)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    refunded_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)

    dossier: Mapped[FeeItem] = relationship("Dossier", lazy="joined")  # portal.dossiers.models.Dossier
    transactions: Mapped[list["BankTransaction"]] = relationship(back_populates="payment")

    @property
    def settled(self) -> bool:
        """The fee is paid in full (an overpaid one too: the fee is settled, the excess is refunded)."""
        return self.status in SETTLED

    @property
    def excess_vnd(self) -> int:
        """Received beyond what is owed, whether refunded yet or not: beyond the fee when settled; all of it
        when the request was cancelled (its dossier ended: nothing is owed, a late transfer goes back)."""
        if self.status == "cancelled":
            return self.received_vnd
        return max(self.received_vnd - self.amount_vnd, 0) if self.status in SETTLED else 0

    @property
    def refund_due_vnd(self) -> int:
        """The excess not yet refunded."""
        return max(self.excess_vnd - self.refunded_vnd, 0)

    @property
    def money_paid_at(self) -> datetime | None:
        """When the payer paid, for the people who need it (the e-receipt's "paid on", the citizen's data):
        for a bank transfer the bank's own time, when the credits that make up the fee had all been made (a
        statement imported the next morning still says when the money was sent); at the desk, when the
        officer confirmed it. `paid_at` stays the portal's settlement (statistics, the receipt's series)."""
        if self.paid_at is None or self.method != "transfer":
            return self.paid_at
        total = 0
        for credit in sorted(self.transactions, key=lambda row: row.bank_at):
            total += credit.amount_vnd
            if total >= self.amount_vnd:
                return credit.bank_at
        return self.paid_at


def refund_due_condition():
    """SQL condition on Payment, the same rule as `refund_due_vnd > 0`: the staff list's refunds to make."""
    return or_(
        and_(Payment.status == "overpaid", Payment.refunded_vnd < Payment.received_vnd - Payment.amount_vnd),
        and_(Payment.status == "cancelled", Payment.refunded_vnd < Payment.received_vnd),
    )


class BankTransaction(Model):
    """One credit to the fee account, from the bank's notification or a statement line."""

    __tablename__ = "bank_transactions"
    __table_args__ = (
        CheckConstraint("state IN ('matched', 'unmatched', 'resolved', 'ignored')", name="state_known"),
        Index("ix_bank_transactions_state", "state", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The bank's own id: the same credit notified twice (or also in a statement) is stored once.
    bank_transaction_id: Mapped[str] = mapped_column(String(80), unique=True)
    amount_vnd: Mapped[int] = mapped_column(Money)
    description: Mapped[str] = mapped_column(Text, default="")
    account_number: Mapped[str] = mapped_column(String(19), default="")
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(10))  # webhook, statement
    state: Mapped[str] = mapped_column(String(10), default="unmatched")
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), default=None, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)

    payment: Mapped[Payment | None] = relationship(back_populates="transactions")

    @property
    def bank_at(self) -> datetime:
        """When the bank says the money came in (the statement line's or the notification's own time); a
        notification that gives none is taken as sent when it came. `received_at`: when the portal got it."""
        return self.occurred_at or self.received_at


class WebhookRefusal(Model):
    """Refused bank notifications, counted per source address and minute (portal/payments/refusals.py).

    The audit log gets one event per row, that is at most one per address per minute; the row keeps the count.
    """

    __tablename__ = "webhook_refusals"
    __table_args__ = (UniqueConstraint("source", "minute", name="uq_webhook_refusals_source_minute"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(45))  # an IPv4 address, an IPv6 /64, or "*" for the overflow
    minute: Mapped[datetime] = mapped_column(UTCDateTime)  # start of the minute, UTC
    count: Mapped[int] = mapped_column(default=1)
    last_reason: Mapped[str] = mapped_column(String(30), default="")
