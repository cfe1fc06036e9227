"""photo drafts hold a dossier form's documents too

Revision ID: 8cb345dcae6b
Revises: 50baf4de2598
Create Date: 2026-12-07 12:00:00

photo_drafts (photos uploaded with a report form that came back with an error) now also keeps a dossier form's
documents the same way (portal/uploads/drafts.py, model UploadDraft; the table keeps its name): each draft
says which input it was posted under (`field`: a dossier's required document), its stored type and size, and
its file name may be as long as a dossier file's (200). The thumbnail and the size in pixels are a photo's
only, so they may be NULL. The rows there are photos: 'photos', 'image/jpeg', and 0 for the size, which was
not kept (only the dossier forms' limit on bytes reads it).

Downgrading deletes the documents' drafts (they have no thumbnail; their stored files are then orphans that
`flask --app portal check-files --delete-orphans` removes; a draft lives a day anyway) and shortens the
names to 120 characters.
"""

import sqlalchemy as sa
from alembic import op

revision = "8cb345dcae6b"
down_revision = "50baf4de2598"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("photo_drafts") as batch:
        batch.add_column(sa.Column("field", sa.String(length=40), server_default="photos", nullable=False))
        batch.add_column(
            sa.Column("mimetype", sa.String(length=40), server_default="image/jpeg", nullable=False)
        )
        batch.add_column(sa.Column("size", sa.Integer(), server_default="0", nullable=False))
        batch.alter_column("filename", existing_type=sa.String(length=120), type_=sa.String(length=200))
        batch.alter_column("thumbnail_name", existing_type=sa.String(length=80), nullable=True)
        batch.alter_column("width", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("height", existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM photo_drafts WHERE thumbnail_name IS NULL OR width IS NULL OR height IS NULL")
    op.execute("UPDATE photo_drafts SET filename = substr(filename, 1, 120) WHERE length(filename) > 120")
    with op.batch_alter_table("photo_drafts") as batch:
        batch.alter_column("height", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("width", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("thumbnail_name", existing_type=sa.String(length=80), nullable=False)
        batch.alter_column("filename", existing_type=sa.String(length=200), type_=sa.String(length=120))
        batch.drop_column("size")
        batch.drop_column("mimetype")
        batch.drop_column("field")
