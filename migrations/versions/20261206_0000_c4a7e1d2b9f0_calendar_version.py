"""calendar version: a token that changes with every change of calendar_days

Revision ID: c4a7e1d2b9f0
Revises: 9c4e7a1d2b60
Create Date: 2026-12-06 00:00:00

Each process keeps the working-day calendar it built while this token is unchanged
(portal/calendar/version.py); every change of calendar_days through the portal writes a new token in the
same transaction. The table starts empty: no row is a version like any other (the calendar as it was when
this revision ran), and the first change inserts the row. The downgrade drops the table: the token is
derived state, nothing is lost.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4a7e1d2b9f0"
down_revision = "9c4e7a1d2b60"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_version")),
    )


def downgrade():
    op.drop_table("calendar_version")
