"""photo drafts kept after a form error; staff redaction of a report's public text and photos

Revision ID: a7c41e9d2b60
Revises: f7d2a9c4e1b3
Create Date: 2026-12-06 09:00:00

- photo_drafts: photos uploaded with a report form that came back with an error, keyed by a hash of the
  form's one-time nonce (portal/uploads/drafts.py); deleted after a day by the retention job.
- feedback_items.public_title / public_description: the text the public sees once staff redacted it
  (NULL: the citizen's own, with personal details masked).
- feedback_photos.is_redacted: a photo staff hid from the public.
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c41e9d2b60"
down_revision = "f7d2a9c4e1b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "photo_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("thumbnail_name", sa.String(length=80), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_photo_drafts_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo_drafts")),
    )
    op.create_index(op.f("ix_photo_drafts_form_key"), "photo_drafts", ["form_key"], unique=False)
    op.create_index(op.f("ix_photo_drafts_created_at"), "photo_drafts", ["created_at"], unique=False)
    op.create_index(op.f("ix_photo_drafts_account_id"), "photo_drafts", ["account_id"], unique=False)
    op.add_column("feedback_items", sa.Column("public_title", sa.String(length=200), nullable=True))
    op.add_column("feedback_items", sa.Column("public_description", sa.Text(), nullable=True))
    # A constant default: no rows rewritten on PostgreSQL 11+ or SQLite.
    op.add_column(
        "feedback_photos", sa.Column("is_redacted", sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade():
    with op.batch_alter_table("feedback_photos") as batch:
        batch.drop_column("is_redacted")
    with op.batch_alter_table("feedback_items") as batch:
        batch.drop_column("public_description")
        batch.drop_column("public_title")
    op.drop_index(op.f("ix_photo_drafts_account_id"), table_name="photo_drafts")
    op.drop_index(op.f("ix_photo_drafts_created_at"), table_name="photo_drafts")
    op.drop_index(op.f("ix_photo_drafts_form_key"), table_name="photo_drafts")
    op.drop_table("photo_drafts")
