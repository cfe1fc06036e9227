"""closure the citizen can verify (issue 14 item 5)

Revision ID: e41f6b2c9a85
Revises: 922c5f742cbb
Create Date: 2026-12-06 12:30:00

- feedback_categories.after_photo_required, fix_check ('off' | 'ask' | 'confirm'), fix_check_days: an "after"
  photo to answer as fixed, the "is it fixed?" question and its reply days (NULL: PORTAL_FIX_CHECK_DAYS).
- feedback_items.restarted_at: the citizen said "not fixed": the answer clock restarts from then.
- feedback_fixes: one answer given as fixed, its after photo and the question (token hash, reply).
- The place-based categories seeded by portal/feedback/seed.py get the values it seeds (only where the
  administrator has not changed them from the defaults, which are all "off" before this revision).
"""

import sqlalchemy as sa
from alembic import op

revision = "e41f6b2c9a85"
down_revision = "922c5f742cbb"
branch_labels = None
depends_on = None

# slug → (after photo required, question) as portal/feedback/seed.py seeds them (FIX_CHECKS).
PLACE_BASED = {
    "sat-lo": (True, "confirm"),
    "lu-quet": (True, "confirm"),
    "moi-truong": (True, "ask"),
    "giao-thong": (True, "confirm"),
    "trat-tu-xay-dung": (True, "ask"),
    "dien-chieu-sang": (True, "ask"),
    "cap-thoat-nuoc": (True, "confirm"),
}


def upgrade():
    # Plain ADD COLUMN (no batch copy: on SQLite a copy of feedback_items would drop its search triggers);
    # SQLite takes a CHECK inline with the column.
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column(
        "feedback_categories",
        sa.Column("after_photo_required", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    if sqlite:
        op.execute(
            "ALTER TABLE feedback_categories ADD COLUMN fix_check VARCHAR(8) DEFAULT 'off' NOT NULL "
            "CONSTRAINT ck_feedback_categories_fix_check_known CHECK (fix_check IN ('off', 'ask', 'confirm'))"
        )
        op.execute(
            "ALTER TABLE feedback_categories ADD COLUMN fix_check_days SMALLINT "
            "CONSTRAINT ck_feedback_categories_fix_check_days_range "
            "CHECK (fix_check_days IS NULL OR fix_check_days BETWEEN 1 AND 30)"
        )
    else:
        op.add_column(
            "feedback_categories",
            sa.Column("fix_check", sa.String(length=8), server_default="off", nullable=False),
        )
        op.add_column("feedback_categories", sa.Column("fix_check_days", sa.SmallInteger(), nullable=True))
        op.create_check_constraint(
            "fix_check_known", "feedback_categories", "fix_check IN ('off', 'ask', 'confirm')"
        )
        op.create_check_constraint(
            "fix_check_days_range",
            "feedback_categories",
            "fix_check_days IS NULL OR fix_check_days BETWEEN 1 AND 30",
        )
    op.add_column("feedback_items", sa.Column("restarted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "feedback_fixes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("fixed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fixed_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("stored_name", sa.String(length=80), nullable=True),
        sa.Column("thumbnail_name", sa.String(length=80), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("reply_by", sa.Date(), nullable=True),
        sa.Column("reply", sa.String(length=8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopened", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "reply IN ('', 'yes', 'no', 'silent')", name=op.f("ck_feedback_fixes_reply_known")
        ),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback_items.id"],
            name=op.f("fk_feedback_fixes_feedback_id_feedback_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fixed_by_id"], ["accounts.id"], name=op.f("fk_feedback_fixes_fixed_by_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_fixes")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_feedback_fixes_stored_name")),
        sa.UniqueConstraint("thumbnail_name", name=op.f("uq_feedback_fixes_thumbnail_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feedback_fixes_token_hash")),
    )
    op.create_index(op.f("ix_feedback_fixes_feedback_id"), "feedback_fixes", ["feedback_id"])
    op.create_index("ix_feedback_fixes_waiting", "feedback_fixes", ["reply", "reply_by"])
    categories = sa.table(
        "feedback_categories",
        sa.column("slug", sa.String),
        sa.column("after_photo_required", sa.Boolean),
        sa.column("fix_check", sa.String),
    )
    for slug, (photo, question) in PLACE_BASED.items():
        op.execute(
            categories.update()
            .where(categories.c.slug == slug)
            .values(after_photo_required=photo, fix_check=question)
        )


def downgrade():
    op.drop_index("ix_feedback_fixes_waiting", table_name="feedback_fixes")
    op.drop_index(op.f("ix_feedback_fixes_feedback_id"), table_name="feedback_fixes")
    op.drop_table("feedback_fixes")
    op.drop_column("feedback_items", "restarted_at")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("ck_feedback_categories_fix_check_days_range", "feedback_categories")
        op.drop_constraint("ck_feedback_categories_fix_check_known", "feedback_categories")
    # SQLite (3.35+) drops a column with the CHECK written inline in its definition (upgrade above).
    for column in ("fix_check_days", "fix_check", "after_photo_required"):
        op.execute(f"ALTER TABLE feedback_categories DROP COLUMN {column}")
