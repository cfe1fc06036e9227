"""outbox_jobs: the transactional outbox of background jobs (e-mail now; SMS, exports, reminders later)

Revision ID: 3c9d4e1f2a70
Revises: c4a7e1d2b9f0
Create Date: 2026-12-05 23:45:00

A new table only. Downgrading drops it with every job still pending: stop the web processes and let the
worker empty it first (`flask --app portal jobs status` shows what is left).
"""

import sqlalchemy as sa
from alembic import op

revision = "3c9d4e1f2a70"
down_revision = "c4a7e1d2b9f0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'done', 'failed')", name=op.f("ck_outbox_jobs_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_jobs_key")),
    )
    op.create_index(
        "ix_outbox_jobs_status_next_attempt_at", "outbox_jobs", ["status", "next_attempt_at"], unique=False
    )


def downgrade():
    op.drop_index("ix_outbox_jobs_status_next_attempt_at", table_name="outbox_jobs")
    op.drop_table("outbox_jobs")
