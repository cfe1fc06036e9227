"""form nonce on feedback and dossiers: a form sent twice creates one item

Revision ID: 95b58b040fb5
Revises: 1a8281467e27
Create Date: 2026-12-05 18:06:00

Each new feedback item and dossier stores the SHA-256 of its submission form's one-time nonce
(portal/form_nonce.py) under a unique index. Rows from before keep NULL (both databases allow any
number of NULLs in a unique index), so nothing has to be made up for them and the downgrade loses
nothing but the column.

No table is rebuilt on SQLite: ADD COLUMN, CREATE/DROP INDEX and (SQLite >= 3.35) DROP COLUMN work in
place, so the rows, their foreign keys and the tables that point at them are never copied.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "95b58b040fb5"
down_revision = "1a8281467e27"
branch_labels = None
depends_on = None

TABLES = ("feedback_items", "dossiers")


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column("form_nonce", sa.String(length=64), nullable=True))
        op.create_index(op.f(f"ix_{table}_form_nonce"), table, ["form_nonce"], unique=True)


def downgrade():
    for table in TABLES:
        op.drop_index(op.f(f"ix_{table}_form_nonce"), table_name=table)
        op.drop_column(table, "form_nonce")
