"""payments: e-receipt series and number, the refund of an overpayment

Revision ID: 3997ab13b0a2
Revises: b9aa27b4a378
Create Date: 2026-12-06 09:00:00

- payments.receipt_series, receipt_number: the e-receipt's series ("SL-26E") and its gap-free number in it
  (portal/payments/receipts.py), unique together. Payments settled before this revision keep no number:
  numbering one afterwards would put old receipts after new ones; they print without a number.
- payments.refunded_vnd, refunded_at, refunded_by_id: the excess of an overpaid fee that staff returned to
  the payer (never more than was received).
"""

import sqlalchemy as sa
from alembic import op

revision = "3997ab13b0a2"
down_revision = "b9aa27b4a378"
branch_labels = None
depends_on = None

MONEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_series", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("receipt_number", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("refunded_vnd", MONEY, server_default=sa.text("0"), nullable=False))
        batch_op.add_column(sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("refunded_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_payments_refunded_by_id_accounts"), "accounts", ["refunded_by_id"], ["id"]
        )
        batch_op.create_unique_constraint("uq_payments_receipt", ["receipt_series", "receipt_number"])
        batch_op.create_check_constraint(
            "refund_within_received", "refunded_vnd >= 0 AND refunded_vnd <= received_vnd"
        )


def downgrade():
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_payments_refund_within_received"), type_="check")
        batch_op.drop_constraint("uq_payments_receipt", type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_payments_refunded_by_id_accounts"), type_="foreignkey")
        batch_op.drop_column("refunded_by_id")
        batch_op.drop_column("refunded_at")
        batch_op.drop_column("refunded_vnd")
        batch_op.drop_column("receipt_number")
        batch_op.drop_column("receipt_series")
