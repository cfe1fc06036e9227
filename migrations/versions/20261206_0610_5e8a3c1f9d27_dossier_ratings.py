"""dossier_ratings: the applicant rates the service once, after the result was returned

Revision ID: 5e8a3c1f9d27
Revises: aaea8d098ed6
Create Date: 2026-12-06 06:10:00

Issue 11 item 7 (portal.domain.dossier_rating; indicator 5.4). A new table only. The downgrade drops it
and every rating with it: export them first if they are needed.
"""

import sqlalchemy as sa
from alembic import op

revision = "5e8a3c1f9d27"
down_revision = "aaea8d098ed6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dossier_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("overall", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("scores", sa.String(length=9), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "overall IN ('very_satisfied', 'satisfied', 'unsatisfied')",
            name=op.f("ck_dossier_ratings_overall_known"),
        ),
        sa.CheckConstraint("length(scores) = 9", name=op.f("ck_dossier_ratings_scores_nine")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_dossier_ratings_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["dossiers.id"],
            name=op.f("fk_dossier_ratings_dossier_id_dossiers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dossier_ratings")),
        sa.UniqueConstraint("dossier_id", name=op.f("uq_dossier_ratings_dossier_id")),
    )
    op.create_index(op.f("ix_dossier_ratings_rated_at"), "dossier_ratings", ["rated_at"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_dossier_ratings_rated_at"), table_name="dossier_ratings")
    op.drop_table("dossier_ratings")
