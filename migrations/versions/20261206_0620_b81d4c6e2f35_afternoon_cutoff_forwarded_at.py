"""deadlines: the procedure's 15:00 cut-off, and the moment a feedback item was last forwarded

Revision ID: b81d4c6e2f35
Revises: 5e8a3c1f9d27
Create Date: 2026-12-06 06:10:00

Issue 11 items 1 and 5. `procedures.afternoon_cutoff`: a filing at/after 15:00 counts from the next working
day whatever the duration (VIETNAM.md §2.3 item 4); set for the catalogue's procedures whose legal basis
cites Decree 63/2024 (the linked birth/residence/health-insurance procedure), as the seed does on a first
load. `feedback_items.forwarded_at`: the answer clock restarts from the last forwarding (§6.2); filled from
the event log for items forwarded before this revision (their stored due date is recomputed at their next
change). The downgrade drops both columns.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b81d4c6e2f35"
down_revision = "5e8a3c1f9d27"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("procedures") as batch_op:
        batch_op.add_column(
            sa.Column("afternoon_cutoff", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("feedback_items") as batch_op:
        batch_op.add_column(sa.Column("forwarded_at", sa.DateTime(timezone=True), nullable=True))
    procedures = sa.table("procedures", sa.column("afternoon_cutoff", sa.Boolean()), sa.column("legal_basis"))
    op.execute(
        procedures.update()
        .where(procedures.c.legal_basis.like("%63/2024%"))
        .values(afternoon_cutoff=sa.true())
    )
    items = sa.table("feedback_items", sa.column("id"), sa.column("forwarded_at"))
    events = sa.table(
        "events",
        sa.column("subject_type"),
        sa.column("subject_id"),
        sa.column("action"),
        sa.column("occurred_at"),
    )
    last_forward = (
        sa.select(sa.func.max(events.c.occurred_at))
        .where(
            events.c.subject_type == "feedback",
            events.c.subject_id == items.c.id,
            events.c.action == "forward",
        )
        .scalar_subquery()
    )
    op.execute(items.update().values(forwarded_at=last_forward))


def downgrade():
    with op.batch_alter_table("feedback_items") as batch_op:
        batch_op.drop_column("forwarded_at")
    with op.batch_alter_table("procedures") as batch_op:
        batch_op.drop_column("afternoon_cutoff")
