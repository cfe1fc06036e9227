"""the desk's intake checklist, running register number, paper consent and dossier response templates

Revision ID: 7c4e2a9d1b63
Revises: e5a1c3d7f926
Create Date: 2026-12-06 07:00:00

- dossiers.register_number: "Số thứ tự" of form 01, the desk's running number in its yearly register book
  (the daily code sequence repeated every day). Existing received dossiers keep NULL: form 01 then prints
  their daily sequence, as it did when they were issued.
- dossiers.paper_consent_at: the counter officer's tick that the citizen signed the paper notice.
- dossier_received_documents: what the desk ticked as handed in (original, copy or electronic), listed on
  form 01.
- dossier_templates: reusable texts for requests for documents, refusals and result notes.
"""

import sqlalchemy as sa
from alembic import op

revision = "7c4e2a9d1b63"
down_revision = "e5a1c3d7f926"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("dossiers", sa.Column("register_number", sa.Integer(), nullable=True))
    op.add_column("dossiers", sa.Column("paper_consent_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "dossier_received_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("required_document_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("form", sa.String(length=12), nullable=False),
        sa.Column("received_by_id", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "form IN ('original', 'copy', 'electronic')",
            name=op.f("ck_dossier_received_documents_form_known"),
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_dossier_received_documents_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["required_document_id"],
            ["required_documents.id"],
            name=op.f("fk_dossier_received_documents_required_document_id_required_documents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["received_by_id"],
            ["accounts.id"],
            name=op.f("fk_dossier_received_documents_received_by_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_received_documents")),
    )
    op.create_index(
        op.f("ix_dossier_received_documents_dossier_id"),
        "dossier_received_documents",
        ["dossier_id"],
        unique=False,
    )
    op.create_table(
        "dossier_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('supplement', 'refusal', 'result')", name=op.f("ck_dossier_templates_purpose_known")
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_dossier_templates_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_templates")),
    )
    op.create_index(op.f("ix_dossier_templates_agency_id"), "dossier_templates", ["agency_id"], unique=False)


def downgrade():
    op.drop_index("ix_dossier_templates_agency_id", table_name="dossier_templates")
    op.drop_table("dossier_templates")
    op.drop_index("ix_dossier_received_documents_dossier_id", table_name="dossier_received_documents")
    op.drop_table("dossier_received_documents")
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("paper_consent_at")
        batch.drop_column("register_number")
