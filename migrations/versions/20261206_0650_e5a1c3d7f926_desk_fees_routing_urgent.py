"""the officer's desk: an officer-entered fee's legal basis, the urgent-first queue key, feedback routed to the
commune where its first responder is the commune

Revision ID: e5a1c3d7f926
Revises: e5a1c3b7d902
Create Date: 2026-12-06 06:00:00

- dossiers.fee_basis: the legal basis of the fee (the officer's, when the catalogue has no amount).
- feedback_items.queue_rank: for an open item 0 if its category is urgent, 1 otherwise; NULL once closed
  (like queue_due), so an index range skips closed items. The staff queue reads (queue_rank, queue_due, id)
  from its indexes, so urgent items come first and a page still reads its 26 rows in index order. The
  feedback queue indexes are rebuilt with queue_rank before queue_due. Only open rows are updated.
- Existing open items of urgent categories get rank 0. Categories whose first responder is the commune
  (village roads, waste, lighting, natural hazards) and still routed to the department they were seeded
  with now go to the People's Committee of the commune (default_agency_id NULL); an administrator's own
  choice (any other agency) is kept.
"""

import sqlalchemy as sa
from alembic import op

revision = "e5a1c3d7f926"
down_revision = "e5a1c3b7d902"
branch_labels = None
depends_on = None

OPEN = sa.text("queue_due IS NOT NULL")
# name, columns before this revision (queue_rank goes before queue_due), partial (open items only)
INDEXES = (
    ("ix_feedback_queue_due", ["agency_id", "queue_due", "id", "assignee_id"], False),
    ("ix_feedback_queue_due_all", ["queue_due", "id"], False),
    ("ix_feedback_queue_status", ["agency_id", "status", "queue_due", "id"], True),
    ("ix_feedback_queue_assignee", ["assignee_id", "queue_due", "id"], True),
    ("ix_feedback_queue_commune", ["agency_id", "admin_unit_code", "queue_due", "id"], True),
    ("ix_feedback_queue_category", ["agency_id", "category_id", "queue_due", "id"], True),
)
# The categories seeded with a department whose first responder is the commune (portal/feedback/seed.py).
COMMUNE_FIRST = (
    ("giao-thong", "so-xay-dung"),
    ("moi-truong", "so-nong-nghiep-moi-truong"),
    ("dien-chieu-sang", "so-xay-dung"),
    ("thien-tai", "ubnd-tinh"),
)


def _ranked(columns: list[str]) -> list[str]:
    at = columns.index("queue_due")
    return [*columns[:at], "queue_rank", *columns[at:]]


def _create(name: str, columns: list[str], partial: bool) -> None:
    where = {"postgresql_where": OPEN, "sqlite_where": OPEN} if partial else {}
    op.create_index(name, "feedback_items", columns, unique=False, **where)


def upgrade():
    # A constant default: no rows rewritten on PostgreSQL 11+ or SQLite (as in 7d2f9b4e1a58).
    op.add_column("dossiers", sa.Column("fee_basis", sa.Text(), server_default=sa.text("''"), nullable=False))
    op.add_column("feedback_items", sa.Column("queue_rank", sa.SmallInteger(), nullable=True))
    # Only the open items (queue_due set: a few per cent of the rows) get a rank; closed ones keep NULL.
    op.execute(
        "UPDATE feedback_items SET queue_rank = CASE WHEN category_id IN "
        "(SELECT id FROM feedback_categories WHERE is_urgent) THEN 0 ELSE 1 END "
        "WHERE queue_due IS NOT NULL"
    )
    for name, columns, partial in INDEXES:
        op.drop_index(name, table_name="feedback_items")
        _create(name, _ranked(columns), partial)
    for category, department in COMMUNE_FIRST:
        op.execute(
            sa.text(
                "UPDATE feedback_categories SET default_agency_id = NULL WHERE slug = :category "
                "AND default_agency_id = (SELECT id FROM agencies WHERE slug = :department)"
            ).bindparams(category=category, department=department)
        )


def downgrade():
    for name, columns, partial in reversed(INDEXES):
        op.drop_index(name, table_name="feedback_items")
        _create(name, columns, partial)
    op.drop_column("feedback_items", "queue_rank")
    op.drop_column("dossiers", "fee_basis")
    # The categories' routing is data an administrator may since have changed: it is left as it is.
