"""conduct complaints above the named unit (issue 14 item 4)

Revision ID: 7c2e9a4b1d63
Revises: 3997ab13b0a2
Create Date: 2026-12-06 09:00:00

- agencies.supervisor_id: the agency above this one for complaints about its officials (NULL: the province).
- feedback_categories.protects_reporter: reports of the category go above the unit they name and hide the
  reporter's identity from staff until an audited reveal.
- feedback_items.named_agency_id, reporter_hidden: the unit a conduct complaint names, and the hiding.
- The category "conduct of an official" (hanh-vi-can-bo), as portal/feedback/seed.py seeds it, is added where
  categories exist and it does not (a fresh database gets it from the seed).
"""

import sqlalchemy as sa
from alembic import op

revision = "7c2e9a4b1d63"
down_revision = "3997ab13b0a2"
branch_labels = None
depends_on = None


# (table, column, constraint name) of the two references to agencies.
REFERENCES = (
    ("agencies", "supervisor_id", "fk_agencies_supervisor_id_agencies"),
    ("feedback_items", "named_agency_id", "fk_feedback_items_named_agency_id_agencies"),
)


def upgrade():
    # Plain ADD COLUMN, not a batch copy: on SQLite a copy of feedback_items would drop the search index's
    # triggers (7b3e5f9a1c24). SQLite takes the reference inline (Alembic cannot add a constraint there).
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, name in REFERENCES:
        if sqlite:
            op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES agencies (id)")
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, table, "agencies", [column], ["id"])
    op.add_column(
        "feedback_categories",
        sa.Column("protects_reporter", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "feedback_items",
        sa.Column("reporter_hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.execute(
        sa.text(
            "INSERT INTO feedback_categories (slug, name, name_en, response_days, is_urgent, subject, "
            "default_agency_id, position, is_active, protects_reporter) "
            "SELECT 'hanh-vi-can-bo', :name, 'Conduct of an official', 15, :false, 'conduct', NULL, "
            "(SELECT MAX(position) FROM feedback_categories), :true, :true "
            "WHERE EXISTS (SELECT 1 FROM feedback_categories) "
            "AND NOT EXISTS (SELECT 1 FROM feedback_categories WHERE slug = 'hanh-vi-can-bo')"
        ).bindparams(name="Hành vi, thái độ của cán bộ, công chức", false=False, true=True)
    )


def downgrade():
    op.execute(
        "DELETE FROM feedback_categories WHERE slug = 'hanh-vi-can-bo' AND id NOT IN "
        "(SELECT category_id FROM feedback_items)"
    )
    op.drop_column("feedback_items", "reporter_hidden")
    op.drop_column("feedback_categories", "protects_reporter")
    # SQLite drops a column with its inline REFERENCES (3.35+); PostgreSQL drops the constraint with it.
    for table, column, _name in REFERENCES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
