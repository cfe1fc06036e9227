"""page version on feedback items and dossiers: changes with anything the citizen's status page shows

Revision ID: 7d2f9b4e1a58
Revises: 7b3e5f9a1c24
Create Date: 2026-12-06 03:00:00

The key under which each process keeps the rendered main part of an item's status page
(portal/tracking/versions.py, portal/tracking/page_cache.py). Existing rows start at 0, a version like any
other; new rows and every change get a random one from the portal. Adding a column with a constant default
rewrites no rows on PostgreSQL 11+ or SQLite. The downgrade drops the column: it is derived state.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7d2f9b4e1a58"
down_revision = "7b3e5f9a1c24"
branch_labels = None
depends_on = None

TABLES = ("feedback_items", "dossiers")


def upgrade():
    for table in TABLES:
        op.add_column(
            table, sa.Column("page_version", sa.BigInteger(), server_default=sa.text("0"), nullable=False)
        )


def downgrade():
    for table in TABLES:
        op.drop_column(table, "page_version")
