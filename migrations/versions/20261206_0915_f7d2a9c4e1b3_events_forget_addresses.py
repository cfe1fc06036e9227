"""the event log may forget an address, never change: UPDATE allowed only to set ip_address to NULL

Revision ID: f7d2a9c4e1b3
Revises: c7d41e9a2b58
Create Date: 2026-12-06 09:15:00

Law 91/2025 (VIETNAM.md §11): the IP address an event recorded is the person's data; it must go when the
person's data is erased, and when the retention schedule says (`event_addresses_months`). The log stays
append-only in every other respect: the triggers now let an UPDATE through only when it changes nothing
but `ip_address`, and only to NULL; every other UPDATE and every DELETE is still refused by the database.
A later migration that adds a column to `events` must add it to the comparisons below. Also the partial
index ix_events_addresses (occurred_at, where an address is still held) for the retention schedule.
"""

import sqlalchemy as sa
from alembic import op

revision = "f7d2a9c4e1b3"
down_revision = "c7d41e9a2b58"
branch_labels = None
depends_on = None

KEPT = (
    "id",
    "occurred_at",
    "actor_id",
    "subject_type",
    "subject_id",
    "action",
    "from_status",
    "to_status",
    "note",
    "is_public",
)

SQLITE_UNCHANGED = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in KEPT)
POSTGRES_UNCHANGED = " AND ".join(f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}" for column in KEPT)

SQLITE_FORGET = (
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    f"WHEN NOT (NEW.ip_address IS NULL AND {SQLITE_UNCHANGED}) "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
)
SQLITE_ORIGINAL = (
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
)
POSTGRES_FORGET = (
    "CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP = 'UPDATE' AND NEW.ip_address IS NULL AND {POSTGRES_UNCHANGED} THEN RETURN NEW; END IF; "
    "RAISE EXCEPTION 'events are append-only'; END $$"
)
POSTGRES_ORIGINAL = (
    "CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'events are append-only'; END $$"
)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FORGET)
    else:
        op.execute("DROP TRIGGER events_no_update")
        op.execute(SQLITE_FORGET)
    # The retention schedule's daily "addresses older than N months" reads only the lines that hold one.
    op.create_index(
        "ix_events_addresses",
        "events",
        ["occurred_at"],
        sqlite_where=sa.text("ip_address IS NOT NULL"),
        postgresql_where=sa.text("ip_address IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_events_addresses", table_name="events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_ORIGINAL)
    else:
        op.execute("DROP TRIGGER events_no_update")
        op.execute(SQLITE_ORIGINAL)
