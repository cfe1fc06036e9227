"""the "precise map pin" consent on feedback items (issue 10)

Revision ID: 9bb6d5adddaa
Revises: e41f6b2c9a85
Create Date: 2026-12-06 12:40:00

- feedback_items.precise_pin: the reporter's current "precise map pin" consent (its record is a
  privacy_consents row); without it public views round the position to about 1 km. Existing items had no
  such box on their form: false.
"""

import sqlalchemy as sa
from alembic import op

revision = "9bb6d5adddaa"
down_revision = "e41f6b2c9a85"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN, not a batch copy: on SQLite a copy of feedback_items would drop the search index's
    # triggers (7b3e5f9a1c24).
    op.add_column(
        "feedback_items",
        sa.Column("precise_pin", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    op.execute("ALTER TABLE feedback_items DROP COLUMN precise_pin")
