"""dossier pauses: a covering index for the staff queue's per-row look-ups

Revision ID: e3b8f05c9a41
Revises: 9bb6d5adddaa
Create Date: 2026-12-06 13:00:00

Each queue row of a dossier counts its supplement requests and reads when its open request started, and
the "overdue" filter asks the same of every open dossier in 2, 4 or 6 of the agency. With only the
`dossier_id` index PostgreSQL scanned the whole (small) pauses table once per row (33 ms for the overdue
filter of a 100,000-dossier data set); with (dossier_id, reason, resumed_at, started_at) each look-up is an
index-only probe. Only a new index: downgrading drops it.
"""

from alembic import op

revision = "e3b8f05c9a41"
down_revision = "9bb6d5adddaa"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_dossier_pauses_lookup", "dossier_pauses", ["dossier_id", "reason", "resumed_at", "started_at"]
    )


def downgrade():
    op.drop_index("ix_dossier_pauses_lookup", table_name="dossier_pauses")
