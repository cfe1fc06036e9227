"""citizen sign-up and password reset by mobile phone (issue 18 item 6)

Revision ID: e4d81c5a7f29
Revises: e4b8d2f61a97
Create Date: 2026-12-06 13:00:00

- accounts.email becomes optional: a citizen who signed up with a phone has no e-mail address.
- accounts.phone_verified_at: when the phone was proven with a texted code (NULL: given, never proven).
- A verified phone belongs to one account at most (a partial unique index: unverified phones typed by
  staff or on old sign-ups may repeat).
"""

import sqlalchemy as sa
from alembic import op

revision = "e4d81c5a7f29"
down_revision = "e4b8d2f61a97"
branch_labels = None
depends_on = None

VERIFIED = "phone_verified_at IS NOT NULL"


def upgrade():
    with op.batch_alter_table("accounts") as batch:
        batch.alter_column("email", existing_type=sa.String(254), nullable=True)
        batch.add_column(sa.Column("phone_verified_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "uq_accounts_verified_phone",
        "accounts",
        ["phone"],
        unique=True,
        postgresql_where=sa.text(VERIFIED),
        sqlite_where=sa.text(VERIFIED),
    )


def downgrade():
    op.drop_index("uq_accounts_verified_phone", table_name="accounts")
    # Accounts without an e-mail cannot survive the old schema: they are removed with what hangs on them
    # only if nothing references them; otherwise the downgrade stops here (data first).
    op.execute("DELETE FROM accounts WHERE email IS NULL")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("phone_verified_at")
        batch.alter_column("email", existing_type=sa.String(254), nullable=False)
