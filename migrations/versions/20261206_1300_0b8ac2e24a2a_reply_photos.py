"""photos with the citizen's reply to a request for information (issue 18 item 5)

Revision ID: 0b8ac2e24a2a
Revises: 7c2e9a4b1d63
Create Date: 2026-12-06 13:00:00

feedback_photos.reply_event_id: the reply's timeline line (events.id) for a photo sent with the reply;
NULL for a photo of the report itself. The photos are stored, served, redacted, exported and erased as the
report's are (same table). The downgrade drops the column: reply photos then count as the report's.
"""

import sqlalchemy as sa
from alembic import op

revision = "0b8ac2e24a2a"
down_revision = "7c2e9a4b1d63"
branch_labels = None
depends_on = None

FK = "fk_feedback_photos_reply_event_id_events"
INDEX = "ix_feedback_photos_reply_event_id"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":  # SQLite takes the reference inline only
        op.execute("ALTER TABLE feedback_photos ADD COLUMN reply_event_id INTEGER REFERENCES events (id)")
    else:
        op.add_column("feedback_photos", sa.Column("reply_event_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FK, "feedback_photos", "events", ["reply_event_id"], ["id"])
    op.create_index(INDEX, "feedback_photos", ["reply_event_id"])


def downgrade():
    op.drop_index(INDEX, table_name="feedback_photos")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("feedback_photos", recreate="always") as batch:
            batch.drop_column("reply_event_id")
    else:
        op.drop_constraint(FK, "feedback_photos", type_="foreignkey")
        op.drop_column("feedback_photos", "reply_event_id")
