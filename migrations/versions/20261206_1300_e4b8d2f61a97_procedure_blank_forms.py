"""blank forms (tờ khai) of a procedure (issue 18 item 8)

Revision ID: e4b8d2f61a97
Revises: e3b8f05c9a41
Create Date: 2026-12-06 13:00:00

- procedure_blank_forms: the files citizens download from a procedure's page (title, original file name,
  checked content type, size, the key of the encrypted file in the private store, who uploaded it and
  when, position on the page).
"""

import sqlalchemy as sa
from alembic import op

revision = "e4b8d2f61a97"
down_revision = "e3b8f05c9a41"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "procedure_blank_forms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=120), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size_bytes >= 0", name=op.f("ck_procedure_blank_forms_size_positive")),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures.id"],
            name=op.f("fk_procedure_blank_forms_procedure_id_procedures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["accounts.id"],
            name=op.f("fk_procedure_blank_forms_uploaded_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedure_blank_forms")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_procedure_blank_forms_stored_name")),
    )
    op.create_index(op.f("ix_procedure_blank_forms_procedure_id"), "procedure_blank_forms", ["procedure_id"])


def downgrade():
    op.drop_index(op.f("ix_procedure_blank_forms_procedure_id"), table_name="procedure_blank_forms")
    op.drop_table("procedure_blank_forms")
