"""help before and after a report: "my problem too", commune hotlines, former commune names, sign-up
codes, catalogue synonyms

Revision ID: b9aa27b4a378
Revises: a7c41e9d2b60
Create Date: 2026-12-06 09:00:00

- feedback_supports: one row per person (SHA-256 of a phone number or of a session id) who says a report is
  their problem too, unique per report; feedback_items.support_count counts them (constant default: no
  rows rewritten).
- ix_feedback_phone, ix_feedback_email: a citizen who lost their code gets the codes of the reports made
  with their phone or address (sent to it, never shown).
- admin_units.hotline: the commune's emergency line, shown with 112-115 on urgent reports.
- admin_unit_former_names: the pre-July-2025 commune names and the unit each became part of (filled by
  `flask seed`, from the legacy_sources column of portal/places/data/son_la_units.csv).
- one_time_codes: hashed, expiring codes that prove a citizen's e-mail address or phone at sign-up.
- catalog_synonyms: everyday expressions the catalogue search understands (seeded by `flask seed`).
"""

import sqlalchemy as sa
from alembic import op

revision = "b9aa27b4a378"
down_revision = "a7c41e9d2b60"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "feedback_items",
        sa.Column("support_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.create_index("ix_feedback_phone", "feedback_items", ["phone"])
    op.create_index("ix_feedback_email", "feedback_items", ["email"])
    op.create_table(
        "feedback_supports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("supporter", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback_items.id"],
            name=op.f("fk_feedback_supports_feedback_id_feedback_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_supports")),
    )
    op.create_index(
        "uq_feedback_supports_once", "feedback_supports", ["feedback_id", "supporter"], unique=True
    )
    op.add_column(
        "admin_units", sa.Column("hotline", sa.String(length=20), server_default="", nullable=False)
    )
    op.create_table(
        "admin_unit_former_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("former_code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("district", sa.String(length=120), nullable=False),
        sa.Column("admin_unit_code", sa.String(length=5), nullable=False),
        sa.Column("search_key", sa.String(length=240), nullable=False),
        sa.ForeignKeyConstraint(
            ["admin_unit_code"],
            ["admin_units.code"],
            name=op.f("fk_admin_unit_former_names_admin_unit_code_admin_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_unit_former_names")),
    )
    op.create_index(
        op.f("ix_admin_unit_former_names_admin_unit_code"), "admin_unit_former_names", ["admin_unit_code"]
    )
    op.create_index(op.f("ix_admin_unit_former_names_search_key"), "admin_unit_former_names", ["search_key"])
    op.create_table(
        "one_time_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=254), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("wrong_tries", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_codes")),
    )
    op.create_index(op.f("ix_one_time_codes_target"), "one_time_codes", ["target"])
    op.create_table(
        "catalog_synonyms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phrase", sa.String(length=120), nullable=False),
        sa.Column("phrase_key", sa.String(length=120), nullable=False),
        sa.Column("search_terms", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_synonyms")),
        sa.UniqueConstraint("phrase_key", name=op.f("uq_catalog_synonyms_phrase_key")),
    )


def downgrade():
    op.drop_table("catalog_synonyms")
    op.drop_index(op.f("ix_one_time_codes_target"), table_name="one_time_codes")
    op.drop_table("one_time_codes")
    op.drop_index(op.f("ix_admin_unit_former_names_search_key"), table_name="admin_unit_former_names")
    op.drop_index(op.f("ix_admin_unit_former_names_admin_unit_code"), table_name="admin_unit_former_names")
    op.drop_table("admin_unit_former_names")
    with op.batch_alter_table("admin_units") as batch:
        batch.drop_column("hotline")
    op.drop_index("uq_feedback_supports_once", table_name="feedback_supports")
    op.drop_table("feedback_supports")
    op.drop_index("ix_feedback_email", table_name="feedback_items")
    op.drop_index("ix_feedback_phone", table_name="feedback_items")
    with op.batch_alter_table("feedback_items") as batch:
        batch.drop_column("support_count")
