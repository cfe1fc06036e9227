"""public feed: partial indexes over the published items, one per filter

Revision ID: 5f1e0c7d9a42
Revises: e4d81c5a7f29
Create Date: 2026-12-06 17:00:00

The feed lists published items newest first, optionally by category, commune or status. With only
(is_published, id) PostgreSQL's planner preferred walking the primary key backwards and filtering: at 1M
items it passed over the ~2,200 newest unpublished items on every page 1, a category page over ~4,600 rows,
and `?status=accepted` (a status with no published item) over the whole table (56 s). SQLite could not use
(is_published, id) for a bare `WHERE is_published` at all. Partial indexes over the published items, one per
filter, make each page an index range scan whatever the data's order. Downgrading restores the old index.
"""

from alembic import op
from sqlalchemy import text

revision = "5f1e0c7d9a42"
down_revision = "e4d81c5a7f29"
branch_labels = None
depends_on = None

# SQLite: the condition as SQLAlchemy writes it in the feed's WHERE clause, or SQLite would not match it.
PUBLISHED = {"postgresql_where": text("is_published"), "sqlite_where": text("is_published = 1")}
NEW = {
    "ix_feedback_public": ["id"],
    "ix_feedback_public_category": ["category_id", "id"],
    "ix_feedback_public_commune": ["admin_unit_code", "id"],
    "ix_feedback_public_status": ["status", "id"],
}


def upgrade():
    op.drop_index("ix_feedback_public", table_name="feedback_items")
    for name, columns in NEW.items():
        op.create_index(name, "feedback_items", columns, **PUBLISHED)


def downgrade():
    for name in NEW:
        op.drop_index(name, table_name="feedback_items")
    op.create_index("ix_feedback_public", "feedback_items", ["is_published", "id"])
