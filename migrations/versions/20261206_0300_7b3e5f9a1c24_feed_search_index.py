"""Search index of the public feed: trigram GIN on PostgreSQL, FTS5 trigram table on SQLite (issue 17).

`/feedback?q=…` looked for each folded term with `public_search_key LIKE '%term%'` over every published
item: a full scan (about 2 s at 1,000,000 items on PostgreSQL, 3 s on SQLite), as slow for a word nobody
wrote as for a common one. The search (portal/search.py: `indexed_terms`, `needle`) now looks in

- PostgreSQL: a GIN trigram index (pg_trgm) on `' ' || public_search_key || ' '`, partial on
  `is_published` (the feed lists published items only, and its query says so in the same words).
  **Building it reads every published row: about 2-4 minutes at 1,000,000 items on this project's 2-core
  machine**, during which writes to feedback_items wait (reads go on). To keep submissions flowing on a
  large live database, build it beforehand outside a transaction with the same statement plus
  CONCURRENTLY (`CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_feedback_public_search ON …`); this
  migration then finds it and skips the build. On PostgreSQL >= 14 it also creates statistics on the
  indexed expression and runs ANALYZE (seconds), without which the planner misjudges common words (below).
- SQLite: `fts_feedback_public`, a contentless FTS5 table with the trigram tokenizer, one row per
  published item (rowid = the item's id, text = the padded folded key), kept in step by three triggers on
  feedback_items (insert, delete, and an update of is_published, public_search_key or id); the upgrade
  fills it from the published items already there (about a minute at 1,000,000 items).

The key is padded with a space at each end so that a term of one or two letters (which has no trigram)
can be looked up as a word or the start of a word; longer terms match anywhere, as before. SQLite's
FTS5 trigram tokenizer needs SQLite >= 3.34 (Python 3.11 here ships 3.40).

Revision ID: 7b3e5f9a1c24
Revises: 3c9d4e1f2a70
Create Date: 2026-12-06 03:00:00
"""

from alembic import op

revision = "7b3e5f9a1c24"
down_revision = "3c9d4e1f2a70"
branch_labels = None
depends_on = None

SQLITE_UPGRADE = [
    # case_sensitive 1: the key and the query are folded by portal.domain.text.fold already; matching the
    # folded text byte for byte is exactly what LIKE '%term%' did on it.
    "CREATE VIRTUAL TABLE fts_feedback_public USING fts5("
    "key, content='', tokenize='trigram case_sensitive 1')",
    """CREATE TRIGGER fts_feedback_public_insert AFTER INSERT ON feedback_items WHEN new.is_published
    BEGIN
        INSERT INTO fts_feedback_public (rowid, key) VALUES (new.id, ' ' || new.public_search_key || ' ');
    END""",
    # A contentless table forgets a row only when given the text it indexed: the old row's.
    """CREATE TRIGGER fts_feedback_public_delete AFTER DELETE ON feedback_items WHEN old.is_published
    BEGIN
        INSERT INTO fts_feedback_public (fts_feedback_public, rowid, key)
        VALUES ('delete', old.id, ' ' || old.public_search_key || ' ');
    END""",
    """CREATE TRIGGER fts_feedback_public_update
    AFTER UPDATE OF is_published, public_search_key, id ON feedback_items
    BEGIN
        INSERT INTO fts_feedback_public (fts_feedback_public, rowid, key)
        SELECT 'delete', old.id, ' ' || old.public_search_key || ' ' WHERE old.is_published;
        INSERT INTO fts_feedback_public (rowid, key)
        SELECT new.id, ' ' || new.public_search_key || ' ' WHERE new.is_published;
    END""",
    """INSERT INTO fts_feedback_public (rowid, key)
    SELECT id, ' ' || public_search_key || ' ' FROM feedback_items WHERE is_published""",
    # One b-tree per term instead of the many segments a bulk insert leaves: fewer look-ups per query.
    "INSERT INTO fts_feedback_public (fts_feedback_public) VALUES ('optimize')",
]

SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS fts_feedback_public_update",
    "DROP TRIGGER IF EXISTS fts_feedback_public_delete",
    "DROP TRIGGER IF EXISTS fts_feedback_public_insert",
    "DROP TABLE IF EXISTS fts_feedback_public",
]

POSTGRESQL_UPGRADE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # GIN builds much faster with more memory than the 64 MB default; for this transaction only.
    "SET LOCAL maintenance_work_mem = '256MB'",
    "CREATE INDEX IF NOT EXISTS ix_feedback_public_search ON feedback_items "
    "USING gin ((' ' || public_search_key || ' ') gin_trgm_ops) WHERE is_published",
]
# The planner keeps no statistics for the expression of a *partial* index, so it guessed how many items
# hold a word (887 of 550,000 for "đường", which 341,552 hold) and read 341,552 rows through the index
# (5 s) where walking the feed newest first finds 20 in 2 ms. Statistics on the expression (PostgreSQL
# >= 14) give it the real frequencies: a rare word goes through the index, a common one walks the feed.
POSTGRESQL_STATISTICS = [
    "CREATE STATISTICS IF NOT EXISTS st_feedback_public_search "
    "ON ((' ' || public_search_key || ' ')) FROM feedback_items",
    "ANALYZE feedback_items",
]

# pg_trgm stays: the foundation revision created it and the catalogue's and staff indexes use it.
POSTGRESQL_DOWNGRADE = [
    "DROP STATISTICS IF EXISTS st_feedback_public_search",
    "DROP INDEX IF EXISTS ix_feedback_public_search",
]


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        statements = SQLITE_UPGRADE
    else:
        statements = list(POSTGRESQL_UPGRADE)
        if bind.dialect.server_version_info >= (14,):
            statements += POSTGRESQL_STATISTICS
    for statement in statements:
        op.execute(statement)


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWNGRADE if sqlite else POSTGRESQL_DOWNGRADE:
        op.execute(statement)
