"""upload drafts: the photo drafts become the drafts of every upload (a dossier's documents too)

Revision ID: 8cb345dcae6b
Revises: 7c1d2e9f4a60
Create Date: 2026-12-07 12:00:00

photo_drafts (photos uploaded with a report form that came back with an error) becomes upload_drafts, which
keeps a dossier form's documents the same way (portal/uploads/drafts.py): each draft says which input it was
posted under (`field`: the dossier's required document), its stored type and size; the thumbnail and the size
in pixels are a photo's only, so they may be NULL. The rows are copied over (new ids: a "remove" button of a
page opened before the upgrade removes nothing, the draft is still sent), then photo_drafts goes.

Downgrading copies the photo drafts back; a document's draft has no place there and is dropped (its stored
files are then orphans that `flask --app portal check-files --delete-orphans` removes; drafts live a day).
"""

import sqlalchemy as sa
from alembic import op

revision = "8cb345dcae6b"
down_revision = "7c1d2e9f4a60"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "upload_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("mimetype", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("thumbnail_name", sa.String(length=80), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_upload_drafts_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload_drafts")),
    )
    op.create_index(op.f("ix_upload_drafts_form_key"), "upload_drafts", ["form_key"], unique=False)
    op.create_index(op.f("ix_upload_drafts_created_at"), "upload_drafts", ["created_at"], unique=False)
    op.create_index(op.f("ix_upload_drafts_account_id"), "upload_drafts", ["account_id"], unique=False)
    # The size of a photo draft was not kept: 0 (only the dossier forms' limit on bytes reads it).
    op.execute(
        "INSERT INTO upload_drafts (field, mimetype, size, form_key, position, stored_name, filename, "
        "created_at, account_id, thumbnail_name, width, height) "
        "SELECT 'photos', 'image/jpeg', 0, form_key, position, stored_name, filename, "
        "created_at, account_id, thumbnail_name, width, height FROM photo_drafts ORDER BY id"
    )
    op.drop_index(op.f("ix_photo_drafts_account_id"), table_name="photo_drafts")
    op.drop_index(op.f("ix_photo_drafts_created_at"), table_name="photo_drafts")
    op.drop_index(op.f("ix_photo_drafts_form_key"), table_name="photo_drafts")
    op.drop_table("photo_drafts")


def downgrade():
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
    op.execute(
        "INSERT INTO photo_drafts (form_key, position, stored_name, filename, created_at, account_id, "
        "thumbnail_name, width, height) "
        "SELECT form_key, position, stored_name, substr(filename, 1, 120), created_at, account_id, "
        "thumbnail_name, width, height FROM upload_drafts WHERE thumbnail_name IS NOT NULL ORDER BY id"
    )
    op.drop_index(op.f("ix_upload_drafts_account_id"), table_name="upload_drafts")
    op.drop_index(op.f("ix_upload_drafts_created_at"), table_name="upload_drafts")
    op.drop_index(op.f("ix_upload_drafts_form_key"), table_name="upload_drafts")
    op.drop_table("upload_drafts")
