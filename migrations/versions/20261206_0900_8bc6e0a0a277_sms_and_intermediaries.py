"""SMS and village intermediaries (issue 13 items 1 and 3).

- accounts: the `intermediary` role (a commune's agency, like the agency staff: `staff_has_agency` holds).
- sms_messages: each text sent, its purpose, size and cost (never the number or the words).
- intermediary_filings: a case filed on behalf of a villager, and the villager's consent.

Revision ID: 8bc6e0a0a277
Revises: 7c4e2a9d1b63
Create Date: 2026-12-06 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "8bc6e0a0a277"
down_revision = "7c4e2a9d1b63"
branch_labels = None
depends_on = None

AGENCY = "role IN ('citizen', 'admin', 'finance') OR agency_id IS NOT NULL"
OLD_ROLES = "role IN ('citizen', 'receptionist', 'processor', 'leader', 'agency_admin', 'admin', 'finance')"
NEW_ROLES = (
    "role IN ('citizen', 'receptionist', 'processor', 'leader', 'agency_admin', 'admin', 'finance', "
    "'intermediary')"
)


def _role_constraint(roles: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Batch mode rebuilds `accounts` (see f27827c89a1d: foreign keys are checked before the commit).
        with op.batch_alter_table("accounts", recreate="always") as batch_op:
            batch_op.drop_constraint(op.f("ck_accounts_role_known"), type_="check")
            batch_op.drop_constraint(op.f("ck_accounts_staff_has_agency"), type_="check")
            batch_op.create_check_constraint(op.f("ck_accounts_role_known"), sa.text(roles))
            batch_op.create_check_constraint(op.f("ck_accounts_staff_has_agency"), sa.text(AGENCY))
        return
    op.drop_constraint(op.f("ck_accounts_role_known"), "accounts", type_="check")
    op.create_check_constraint(op.f("ck_accounts_role_known"), "accounts", sa.text(roles))


def upgrade():
    _role_constraint(NEW_ROLES)
    op.create_table(
        "sms_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("encoding", sa.String(length=4), nullable=False),
        sa.Column("segments", sa.SmallInteger(), nullable=False),
        sa.Column("cost_vnd", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_messages")),
        sa.UniqueConstraint("key", name=op.f("uq_sms_messages_key")),
    )
    op.create_index(op.f("ix_sms_messages_purpose"), "sms_messages", ["purpose"])
    op.create_index(op.f("ix_sms_messages_sent_at"), "sms_messages", ["sent_at"])
    op.create_table(
        "intermediary_filings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intermediary_id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=10), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("villager_name", sa.String(length=120), nullable=False),
        sa.Column("consent_method", sa.String(length=10), nullable=False),
        sa.Column("consent_photo", sa.String(length=80), nullable=True),
        sa.Column("notice_version", sa.String(length=40), nullable=False),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "subject_type IN ('feedback', 'dossier')", name=op.f("ck_intermediary_filings_subject_known")
        ),
        sa.CheckConstraint(
            "consent_method IN ('paper', 'witnessed')",
            name=op.f("ck_intermediary_filings_consent_method_known"),
        ),
        sa.CheckConstraint(
            "(consent_method = 'paper') = (consent_photo IS NOT NULL)",
            name=op.f("ck_intermediary_filings_consent_photo_with_paper"),
        ),
        sa.ForeignKeyConstraint(
            ["intermediary_id"],
            ["accounts.id"],
            name=op.f("fk_intermediary_filings_intermediary_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intermediary_filings")),
        sa.UniqueConstraint("subject_type", "subject_id", name="uq_intermediary_filings_subject"),
    )
    op.create_index(
        "ix_intermediary_filings_intermediary", "intermediary_filings", ["intermediary_id", "filed_at"]
    )


def downgrade():
    bind = op.get_bind()
    count = bind.execute(sa.text("SELECT count(*) FROM accounts WHERE role = 'intermediary'")).scalar_one()
    if count:
        raise RuntimeError(
            f"{count} intermediary account(s) exist; delete them or give them another role before downgrading"
        )
    op.drop_index("ix_intermediary_filings_intermediary", table_name="intermediary_filings")
    op.drop_table("intermediary_filings")
    op.drop_index(op.f("ix_sms_messages_sent_at"), table_name="sms_messages")
    op.drop_index(op.f("ix_sms_messages_purpose"), table_name="sms_messages")
    op.drop_table("sms_messages")
    _role_constraint(OLD_ROLES)
