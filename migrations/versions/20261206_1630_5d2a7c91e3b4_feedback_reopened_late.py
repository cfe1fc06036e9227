"""feedback_items.reopened_late: an answer given as fixed was late and the citizen reopened it (issue 14)

Revision ID: 5d2a7c91e3b4
Revises: a3c9e1f4b7d2
Create Date: 2026-12-06 16:30:00

- feedback_items.reopened_late: true once an answer given as fixed that was late (answered after its
  deadline) was reopened by the citizen's "not fixed" (or a confirming silence): Decision 766's 5.2 counts
  the item late whatever its next answer (portal/domain/fix_check.py `carried_late`). Kept on the item so
  the staff queue's 766 hint and its "costs points this week" filter read it from the row
  (portal/steering) instead of a look-up per row. Constant default (no rows rewritten), then the backfill
  from feedback_fixes: the dashboard's own test (statistics/queries/feedback.py `carried`).
"""

import sqlalchemy as sa
from alembic import op

revision = "5d2a7c91e3b4"
down_revision = "a3c9e1f4b7d2"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch copy: on SQLite a copy of feedback_items would drop its search triggers).
    op.add_column(
        "feedback_items",
        sa.Column("reopened_late", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    items = sa.table("feedback_items", sa.column("id", sa.Integer), sa.column("reopened_late", sa.Boolean))
    fixes = sa.table(
        "feedback_fixes",
        sa.column("feedback_id", sa.Integer),
        sa.column("reopened", sa.Boolean),
        sa.column("answered_on", sa.Date),
        sa.column("due_on", sa.Date),
    )
    late_and_reopened = sa.exists().where(
        fixes.c.feedback_id == items.c.id,
        fixes.c.reopened.is_(True),
        fixes.c.answered_on > fixes.c.due_on,  # a NULL deadline is never late
    )
    op.execute(items.update().where(late_and_reopened).values(reopened_late=True))


def downgrade():
    # The fact stays in feedback_fixes (the upgrade derives it again). SQLite (3.35+) drops the column in
    # place, keeping the table's triggers.
    op.execute("ALTER TABLE feedback_items DROP COLUMN reopened_late")
