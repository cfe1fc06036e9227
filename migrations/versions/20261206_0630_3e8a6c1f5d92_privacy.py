"""privacy: consent notices and consents, privacy requests, export archives, contact corrections; restricted dossiers

Revision ID: 3e8a6c1f5d92
Revises: b81d4c6e2f35
Create Date: 2026-12-06 06:00:00

Issue 10 items 1-5 (portal/privacy). The existing feedback items and dossiers keep their consent_version
strings; consent rows start with the items submitted from now on. The downgrade drops the new tables and
the dossiers' restricted_at column (a restricted dossier becomes visible again: say so before running it).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3e8a6c1f5d92"
down_revision = "b81d4c6e2f35"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "privacy_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("first_shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_notices")),
        sa.UniqueConstraint("version", name=op.f("uq_privacy_notices_version")),
        sa.UniqueConstraint("text_hash", name=op.f("uq_privacy_notices_text_hash")),
    )
    op.create_table(
        "privacy_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("notice_version", sa.String(length=40), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "channel IN ('web', 'counter', 'intermediary')", name=op.f("ck_privacy_consents_channel_known")
        ),
        sa.CheckConstraint(
            "purpose IN ('notice', 'publish_name', 'precise_pin')",
            name=op.f("ck_privacy_consents_purpose_known"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_privacy_consents_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["accounts.id"], name=op.f("fk_privacy_consents_officer_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["notice_version"],
            ["privacy_notices.version"],
            name=op.f("fk_privacy_consents_notice_version_privacy_notices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_consents")),
    )
    op.create_index("ix_privacy_consents_subject", "privacy_consents", ["subject_type", "subject_id"])
    op.create_index(op.f("ix_privacy_consents_account_id"), "privacy_consents", ["account_id"])
    op.create_table(
        "privacy_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("kept_until", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
    )
    op.create_index("ix_privacy_requests_subject", "privacy_requests", ["subject_type", "subject_id"])
    op.create_table(
        "privacy_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_exports")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_privacy_exports_token_hash")),
    )
    op.create_index(op.f("ix_privacy_exports_expires_at"), "privacy_exports", ["expires_at"])
    op.create_table(
        "privacy_contact_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("new_name", sa.String(length=120), nullable=False),
        sa.Column("new_email", sa.String(length=254), nullable=False),
        sa.Column("new_phone", sa.String(length=16), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_contact_changes")),
    )
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("restricted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("restricted_at")
    op.drop_table("privacy_contact_changes")
    op.drop_index(op.f("ix_privacy_exports_expires_at"), table_name="privacy_exports")
    op.drop_table("privacy_exports")
    op.drop_index("ix_privacy_requests_subject", table_name="privacy_requests")
    op.drop_table("privacy_requests")
    op.drop_index(op.f("ix_privacy_consents_account_id"), table_name="privacy_consents")
    op.drop_index("ix_privacy_consents_subject", table_name="privacy_consents")
    op.drop_table("privacy_consents")
    op.drop_table("privacy_notices")
