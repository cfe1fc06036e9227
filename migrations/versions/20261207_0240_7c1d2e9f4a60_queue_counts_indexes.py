"""The staff queue's counts: partial covering indexes over the open items

Revision ID: 7c1d2e9f4a60
Revises: 04167e531e1b
Create Date: 2026-12-07 02:40:00

The quick-filter counts of an agency (portal/staff/queue_counts.py) read a few columns of every open item
(queue_due IS NOT NULL). Through the queue's other indexes that meant reading ~9,600 dossiers and ~9,900
feedback items of the busiest agency from ~9,000 table pages at 1M rows: most of the count's ~70 ms on
PostgreSQL and ~230 ms on SQLite. These hold exactly those columns (queue_due too: SQLite reads the column
of a partial index's condition) over the open items only, about 2% of the rows, so the count is an
index-only scan in assignee order (bench/notes/queue7.md). Only new indexes: downgrading drops them.
"""

from alembic import op
from sqlalchemy import text

revision = "7c1d2e9f4a60"
down_revision = "04167e531e1b"
branch_labels = None
depends_on = None

OPEN_ONLY = {"postgresql_where": text("queue_due IS NOT NULL"), "sqlite_where": text("queue_due IS NOT NULL")}


def upgrade():
    op.create_index(
        "ix_feedback_queue_counts",
        "feedback_items",
        ["agency_id", "assignee_id", "queue_due", "reopened_late", "info_request_late"],
        **OPEN_ONLY,
    )
    op.create_index(
        "ix_dossiers_queue_counts",
        "dossiers",
        [
            "agency_id",
            "assignee_id",
            "status",
            "original_appointment_on",
            "received_at",
            "finished_at",
            "returned_at",
            "queue_due",
            "id",
        ],
        **OPEN_ONLY,
    )


def downgrade():
    op.drop_index("ix_dossiers_queue_counts", table_name="dossiers")
    op.drop_index("ix_feedback_queue_counts", table_name="feedback_items")
