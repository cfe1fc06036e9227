"""sign-in security: staff two-factor (authenticators, recovery codes), the sign-in policy, password-reset links

Revision ID: 5e1f0a2b7c93
Revises: f27827c89a1d
Create Date: 2026-12-05 18:30:00

Only new tables: downgrading drops them (and with them every enrolment, recovery code and open reset link;
staff then sign in with the password alone).
"""

import sqlalchemy as sa
from alembic import op

revision = "5e1f0a2b7c93"
down_revision = "f27827c89a1d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "account_second_factors",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("secret_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_second_factors_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_account_second_factors")),
    )
    op.create_table(
        "account_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_recovery_codes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_account_recovery_codes_code_hash")),
    )
    op.create_index(
        op.f("ix_account_recovery_codes_account_id"), "account_recovery_codes", ["account_id"], unique=False
    )
    op.create_table(
        "password_reset_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("password_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_password_reset_tokens_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_tokens_token_hash")),
    )
    op.create_index(
        op.f("ix_password_reset_tokens_account_id"), "password_reset_tokens", ["account_id"], unique=False
    )
    op.create_table(
        "sign_in_policy",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("require_staff_two_factor", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_sign_in_policy_single_row")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["accounts.id"], name=op.f("fk_sign_in_policy_updated_by_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_policy")),
    )


def downgrade():
    op.drop_table("sign_in_policy")
    op.drop_index(op.f("ix_password_reset_tokens_account_id"), table_name="password_reset_tokens")
    op.drop_table("password_reset_tokens")
    op.drop_index(op.f("ix_account_recovery_codes_account_id"), table_name="account_recovery_codes")
    op.drop_table("account_recovery_codes")
    op.drop_table("account_second_factors")
