"""Searching folded keys: each term must occur in the column, taken literally (LIKE wildcards escaped).

Two ways to search, both over keys made by `portal.domain.text.fold` and terms from `search_terms` (the one
folding rule, applied to the key and to the query alike):

- `every_term`: a plain `LIKE '%term%'` per term. Fine where the rows searched are bounded (the 34
  procedures of the catalogue, one agency's open queue).
- `indexed_terms`: for the public feed, which grows with every answered report, through an index that
  answers a query matching nothing as fast as one that matches (issue 17): a partial trigram GIN index on
  PostgreSQL, an FTS5 table with the trigram tokenizer on SQLite (migration 7b3e5f9a1c24). Trigrams need
  three characters, so the rule of `needle` applies to shorter terms.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, Text, bindparam, column, literal_column, table
from sqlalchemy.sql.elements import ColumnClause

from portal.domain.text import search_terms

# The search indexes live outside the models (an FTS5 virtual table and its shadow tables on SQLite, an
# expression index on PostgreSQL): the migration creates them, Alembic's comparison leaves them alone.
FEED_FTS = "fts_feedback_public"
FEED_TRIGRAM_INDEX = "ix_feedback_public_search"
SHORT_TERM = 3  # fewer characters than a trigram


def escape_like(text: str) -> str:
    """`text` for a LIKE pattern with backslash as the escape character."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column, text: str, ignore_case: bool = False) -> ColumnElement[bool]:
    """`column` contains `text` as it is: a % or _ typed by the user is not a wildcard."""
    operator = column.ilike if ignore_case else column.like
    return operator(f"%{escape_like(text)}%", escape="\\")


def every_term(column, query: str) -> list[ColumnElement[bool]]:
    """One condition per folded term of `query`: all of them must occur in the folded `column`."""
    return [contains(column, term) for term in search_terms(query)]


def needle(term: str) -> str:
    """What a folded term must find in the key with one space added at each end (`padded`).

    A term of three characters or more is found anywhere, as `every_term` finds it. A shorter one has no
    trigram, so it is tied to the words of the key: two letters find the start of a word ("co" finds
    "có", "cống", "cơ quan", not "học"), one letter a word of its own ("a" finds "à", "ạ" on their own).
    Either way the needle has at least three characters, so every term goes through the index and no
    short term alone makes the database read the whole feed.
    """
    if len(term) >= SHORT_TERM:
        return term
    return f" {term}" if len(term) == 2 else f" {term} "


def matches(key: str, query: str) -> bool:
    """The rule in Python, over one folded key: what the indexed search finds (for the tests and docs)."""
    padded_key = f" {key} "
    return all(needle(term) in padded_key for term in search_terms(query))


def padded(key) -> ColumnElement[str]:
    """`' ' || key || ' '` with the spaces as SQL constants: the expression the trigram index is built on."""
    space = literal_column("' '", Text)
    return space + key + space


def fts_query(terms: list[str]) -> str:
    """An FTS5 query: every needle as a quoted phrase, all required."""
    return " AND ".join('"' + needle(term).replace('"', '""') + '"' for term in terms)


def indexed_terms(
    statement: Select, key, row_id, terms: int, dialect: str, fts_name: str = FEED_FTS
) -> tuple[Select, ColumnElement]:
    """`statement` restricted to rows whose `key` holds every one of `terms` search terms (the rule of
    `needle`), through the search index; also the column to order and page by (newest first): `row_id`,
    or on SQLite the FTS table's rowid, so that the index yields the rows in that order and stops at the
    page's end. The terms' values are given at execution: `indexed_parameters(search_terms(query), ...)`.
    Built once per number of terms (the caller keeps it).

    The statement must already be restricted to the rows the index covers (`is_published` for the feed):
    the PostgreSQL index is partial and the SQLite table holds only those rows.
    """
    if not terms:
        return statement, row_id
    if dialect == "sqlite":
        fts = table(fts_name, column("rowid"), column(fts_name))
        rowid: ColumnClause = fts.c.rowid
        statement = statement.join(fts, rowid == row_id).where(
            fts.c[fts_name].match(bindparam("fts_query", type_=Text))
        )
        return statement, rowid
    # The patterns go into the SQL text (literal_execute): a prepared statement's generic plan, blind to the
    # pattern, could prefer walking the feed newest first (good for a common word, a full scan for a word
    # nobody wrote).
    conditions = [
        padded(key).like(bindparam(f"term_{number}", type_=Text, literal_execute=True), escape="\\")
        for number in range(terms)
    ]
    return statement.where(*conditions), row_id


def indexed_parameters(terms: list[str], dialect: str) -> dict[str, str]:
    """The values of `indexed_terms`' statement for these folded terms."""
    if not terms:
        return {}
    if dialect == "sqlite":
        return {"fts_query": fts_query(terms)}
    return {f"term_{number}": f"%{escape_like(needle(term))}%" for number, term in enumerate(terms)}


def include_name(name: str | None, type_: str, parent_names) -> bool:
    """Alembic's filter (migrations/env.py, tests/test_migrations.py): the search indexes are the
    migration's own, not the models'."""
    if type_ == "table":
        return not (name or "").startswith("fts_")
    if type_ == "index":
        return name != FEED_TRIGRAM_INDEX
    return True
