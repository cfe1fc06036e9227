"""staff queue: partial indexes over open items for the queue's filters (status, assignee, commune, category
or procedure)

Revision ID: 9c4e7a1d2b60
Revises: 5e1f0a2b7c93
Create Date: 2026-12-06 00:30:00

Each index holds only the items in the queue (`queue_due IS NOT NULL`: about 2% of a mature province's
rows) in the queue's order after the filter's value, so a filtered page reads its 26 rows in order and
stops, instead of reading every open item of the agency with that value and sorting them. Only new
indexes: downgrading drops them.
"""

import sqlalchemy as sa
from alembic import op

revision = "9c4e7a1d2b60"
down_revision = "5e1f0a2b7c93"
branch_labels = None
depends_on = None

OPEN = sa.text("queue_due IS NOT NULL")
INDEXES = (
    ("feedback_items", "ix_feedback_queue_status", ["agency_id", "status", "queue_due", "id"]),
    ("feedback_items", "ix_feedback_queue_assignee", ["assignee_id", "queue_due", "id"]),
    ("feedback_items", "ix_feedback_queue_commune", ["agency_id", "admin_unit_code", "queue_due", "id"]),
    ("feedback_items", "ix_feedback_queue_category", ["agency_id", "category_id", "queue_due", "id"]),
    ("dossiers", "ix_dossiers_queue_status", ["agency_id", "status", "queue_due", "id"]),
    ("dossiers", "ix_dossiers_queue_assignee", ["assignee_id", "queue_due", "id"]),
    ("dossiers", "ix_dossiers_queue_commune", ["agency_id", "admin_unit_code", "queue_due", "id"]),
    ("dossiers", "ix_dossiers_queue_procedure", ["agency_id", "procedure_id", "queue_due", "id"]),
)


def upgrade():
    for table, name, columns in INDEXES:
        op.create_index(name, table, columns, unique=False, postgresql_where=OPEN, sqlite_where=OPEN)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
