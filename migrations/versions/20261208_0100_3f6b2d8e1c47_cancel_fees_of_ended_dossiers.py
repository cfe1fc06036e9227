"""Cancel the open fee requests of dossiers that had already ended

Revision ID: 3f6b2d8e1c47
Revises: b7e3d91c2a45
Create Date: 2026-12-08 01:00:00

Before this revision a dossier that ended (refused 3, withdrawn 7, stopped 8; returned 10 too: the final
statuses of portal/domain/dossier_status.py) kept its open payment request (pending or underpaid), which
could still be paid by transfer or confirmed at the desk. The portal now cancels it when the dossier ends
(portal/payments/ended.py); this does the same for the requests left open before, so their QR and JSON stop
offering payment. Money already received on one (underpaid) is then listed for a refund (its whole amount:
Payment.refund_due_vnd of a cancelled request). Their dossiers' page versions change.

The downgrade leaves them cancelled: the earlier code reads a cancelled request as it reads one today.
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "3f6b2d8e1c47"
down_revision = "b7e3d91c2a45"
branch_labels = None
depends_on = None

# The final statuses at this revision (dossier_status.is_final), as numbers: a migration keeps its own copy.
ENDED = (3, 7, 8, 10)
OPEN = ("pending", "underpaid")

dossiers = sa.table(
    "dossiers",
    sa.column("id", sa.Integer),
    sa.column("status", sa.Integer),
    sa.column("page_version", sa.BigInteger),
)
payments = sa.table("payments", sa.column("dossier_id", sa.Integer), sa.column("status", sa.String))


def cancel_open_fees_of_ended_dossiers(connection) -> None:
    ended = sa.select(dossiers.c.id).where(dossiers.c.status.in_(ENDED))
    open_of_ended = sa.exists().where(payments.c.dossier_id == dossiers.c.id, payments.c.status.in_(OPEN))
    connection.execute(
        dossiers.update()
        .where(dossiers.c.status.in_(ENDED), open_of_ended)
        .values(page_version=secrets.randbits(62))
    )
    connection.execute(
        payments.update()
        .where(payments.c.status.in_(OPEN), payments.c.dossier_id.in_(ended))
        .values(status="cancelled")
    )


def upgrade():
    cancel_open_fees_of_ended_dossiers(op.get_bind())


def downgrade():
    pass
