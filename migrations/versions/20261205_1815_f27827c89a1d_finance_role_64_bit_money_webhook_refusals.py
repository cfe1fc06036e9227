"""finance role, 64-bit money columns, counted webhook refusals (issue 9, items 1, 3 and 12)

- accounts: the province-wide role `finance` (owns the provincial VietQR account, its statements and
  unmatched credits) is allowed by `role_known`, and like `admin` needs no agency (`staff_has_agency`).
- every money column (whole dong) becomes BIGINT on PostgreSQL; SQLite's INTEGER is already 64-bit, so
  nothing changes there (portal.db_types.Money).
- webhook_refusals: refused bank notifications counted per source and minute (portal/payments/refusals.py).

Revision ID: f27827c89a1d
Revises: 95b58b040fb5
Create Date: 2026-12-05 18:15:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f27827c89a1d"
down_revision = "95b58b040fb5"
branch_labels = None
depends_on = None

MONEY = (
    ("payments", "amount_vnd", False),
    ("payments", "received_vnd", False),
    ("bank_transactions", "amount_vnd", False),
    ("procedures", "charge_vnd", True),
    ("procedures", "fee_vnd", True),
    ("dossiers", "fee_vnd", False),
)
OLD_ROLES = "role IN ('citizen', 'receptionist', 'processor', 'leader', 'agency_admin', 'admin')"
OLD_AGENCY = "role IN ('citizen', 'admin') OR agency_id IS NOT NULL"
NEW_ROLES = "role IN ('citizen', 'receptionist', 'processor', 'leader', 'agency_admin', 'admin', 'finance')"
NEW_AGENCY = "role IN ('citizen', 'admin', 'finance') OR agency_id IS NOT NULL"
INT32_MAX = 2**31 - 1


def _role_constraints(roles: str, agency: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Batch mode rebuilds `accounts`, which other tables reference: migrations/env.py runs SQLite
        # migrations with foreign keys off in one transaction and checks them before the commit.
        with op.batch_alter_table("accounts", recreate="always") as batch_op:
            batch_op.drop_constraint(op.f("ck_accounts_role_known"), type_="check")
            batch_op.drop_constraint(op.f("ck_accounts_staff_has_agency"), type_="check")
            batch_op.create_check_constraint(op.f("ck_accounts_role_known"), sa.text(roles))
            batch_op.create_check_constraint(op.f("ck_accounts_staff_has_agency"), sa.text(agency))
        return
    op.drop_constraint(op.f("ck_accounts_role_known"), "accounts", type_="check")
    op.drop_constraint(op.f("ck_accounts_staff_has_agency"), "accounts", type_="check")
    op.create_check_constraint(op.f("ck_accounts_role_known"), "accounts", sa.text(roles))
    op.create_check_constraint(op.f("ck_accounts_staff_has_agency"), "accounts", sa.text(agency))


def upgrade():
    _role_constraints(NEW_ROLES, NEW_AGENCY)
    if op.get_bind().dialect.name == "postgresql":
        for table, column, nullable in MONEY:  # integer → bigint keeps every value
            op.alter_column(
                table, column, type_=sa.BigInteger(), existing_type=sa.Integer(), existing_nullable=nullable
            )
    op.create_table(
        "webhook_refusals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=45), nullable=False),
        sa.Column("minute", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_reason", sa.String(length=30), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_refusals")),
        sa.UniqueConstraint("source", "minute", name="uq_webhook_refusals_source_minute"),
    )


def downgrade():
    bind = op.get_bind()
    # Refuse rather than lose data: the older schema can hold neither a finance account nor 2^31 dong.
    finance = bind.execute(sa.text("SELECT count(*) FROM accounts WHERE role = 'finance'")).scalar_one()
    if finance:
        raise RuntimeError(
            f"{finance} finance account(s) exist; give them another role or delete them "
            "before downgrading (the older schema has no such role)"
        )
    if bind.dialect.name == "postgresql":
        for table, column, _nullable in MONEY:
            query = f"SELECT count(*) FROM {table} WHERE {column} > {INT32_MAX}"  # noqa: S608 - constants
            too_big = bind.execute(sa.text(query)).scalar_one()
            if too_big:
                raise RuntimeError(
                    f"{too_big} row(s) of {table}.{column} exceed 32 bits; the older schema cannot hold them"
                )
    op.drop_table("webhook_refusals")
    if bind.dialect.name == "postgresql":
        for table, column, nullable in MONEY:
            op.alter_column(
                table, column, type_=sa.Integer(), existing_type=sa.BigInteger(), existing_nullable=nullable
            )
    _role_constraints(OLD_ROLES, OLD_AGENCY)
