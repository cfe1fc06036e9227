"""Every migration goes up and down with data in the database, as SecureDrop's migration tests do.

For each revision found in migrations/versions (read from the scripts, not listed here) the database starts
at the revision's down_revision with one representative row in every table that exists at that point (built
from the reflected columns: their types, NOT NULL, foreign keys, and the values their CHECK constraints
allow), goes up to the revision, must still hold every row with its values, goes down again and must still
hold them. On SQLite, and on PostgreSQL with TEST_DATABASE_URL.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, Table, inspect, select, types

from portal.extensions import db
from portal.search import include_name
from tests.support.migrations import app_on_empty_database

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
ROW_ID = 4242  # far from the ids a data migration's own inserts would take
# Values no generic rule finds: a CHECK on the length of a text, the single row of a settings table.
OVERRIDES = {
    "vietqr_accounts": {"id": 1, "bank_bin": "970436", "account_number": "0123456789"},
    "sign_in_policy": {"id": 1},
    "dossier_ratings": {"scores": "222222222"},  # CHECK length(scores) = 9: one digit per criterion
}


def revisions() -> list:
    script = ScriptDirectory(str(MIGRATIONS))
    return list(reversed(list(script.walk_revisions())))  # base first


def allowed_by_checks(column: str, checks: list[str]):
    """A value the table's CHECK constraints allow for `column`, when one of them names it."""
    for sql in checks:
        # "kind IN ('off', 'workday')" (SQLite) or "(kind)::text = ANY ((ARRAY['off'::character varying, ...":
        # the first value listed.
        if match := re.search(rf"\b{column}\b[)\w:\s]*(?:IN\s*\(|=\s*ANY\s*\(\(?ARRAY\[)\s*'([^']*)'", sql):
            return match[1]
        if match := re.search(rf"^\s*\(?\s*{column}\s*=\s*(\d+)", sql):
            return int(match[1])
        if match := re.search(rf"\b{column}\b\s+BETWEEN\s+(-?\d+)\s+AND", sql):
            return max(int(match[1]), 1)
    return None


def plain_value(column_type, name: str):
    """A value of the column's type (short enough for any String length in the schema)."""
    if isinstance(column_type, types.Boolean):
        return False
    if isinstance(column_type, types.Integer | types.Numeric | types.Float):
        return 1
    if isinstance(column_type, types.DateTime):
        return dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)
    if isinstance(column_type, types.Date):
        return dt.date(2026, 1, 5)
    if isinstance(column_type, types.LargeBinary):
        return b"\x00\x01"
    if isinstance(column_type, types.JSON):
        return {}
    length = getattr(column_type, "length", None) or 40
    return ("v" + name)[: max(1, min(length, 8))]


def representative_rows(connection) -> dict[str, dict]:
    """Insert one row into every table that exists now (parents first); returns what was inserted."""
    inspector = inspect(connection)
    metadata = MetaData()
    inserted: dict[str, dict] = {}
    for name, _ in inspector.get_sorted_table_and_fkc_names():
        if name is None or name == "alembic_version" or not include_name(name, "table", {}):
            continue  # the search index's tables are filled by their triggers, not by hand
        table = Table(name, metadata, autoload_with=connection)
        checks = [check["sqltext"] for check in inspector.get_check_constraints(name)]
        references = {
            column: (fk["referred_table"], fk["referred_columns"][i])
            for fk in inspector.get_foreign_keys(name)
            for i, column in enumerate(fk["constrained_columns"])
        }
        row = {}
        for column in table.columns:
            if column.name in references:
                parent, parent_column = references[column.name]
                value = inserted.get(parent, {}).get(parent_column)
                if value is None and not column.nullable:
                    pytest.fail(f"{name}.{column.name}: its parent {parent} has no row yet")
            elif column.primary_key and isinstance(column.type, types.Integer):
                value = ROW_ID
            else:
                value = allowed_by_checks(column.name, checks)
                if value is None:
                    value = plain_value(column.type, column.name)
            row[column.name] = value
        row.update(OVERRIDES.get(name, {}))
        connection.execute(table.insert().values(row))
        inserted[name] = row
    return inserted


def snapshot(connection) -> dict[str, list[dict]]:
    """Every row of every table (but alembic_version), by table, as the database gives them back."""
    metadata = MetaData()
    tables = {}
    for name in inspect(connection).get_table_names():
        if name == "alembic_version" or not include_name(name, "table", {}):
            continue  # the search index's tables (and FTS5's shadow tables) follow the data by triggers
        table = Table(name, metadata, autoload_with=connection)
        tables[name] = [dict(row._mapping) for row in connection.execute(select(table))]
    return tables


# Rows a revision adds on purpose where the table already has data (a seeded reference row that existing
# databases must get too); its downgrade removes them again.
ADDED_ROWS = {("up to 7c2e9a4b1d63", "feedback_categories"): 1}  # the conduct-of-an-official category


def assert_kept(before: dict[str, list[dict]], after: dict[str, list[dict]], step: str) -> None:
    """The rows that were there are still there: same count, same values in the columns both sides have."""
    for name, rows in before.items():
        if name not in after:
            continue  # a table this step creates (going down) or drops on purpose
        added = ADDED_ROWS.get((step, name), 0)
        assert len(after[name]) == len(rows) + added, (
            f"{step}: {name} had {len(rows)} rows, now {len(after[name])}"
        )
        for old, new in zip(rows, after[name][: len(rows)], strict=True):
            common = old.keys() & new.keys()
            assert {c: old[c] for c in common} == {c: new[c] for c in common}, f"{step}: {name} changed"


@pytest.fixture
def empty_app(tmp_path):
    with app_on_empty_database(tmp_path, "migration_data") as application:
        yield application


@pytest.mark.parametrize("revision", revisions(), ids=lambda revision: revision.revision)
def test_revision_goes_up_and_down_with_data(empty_app, revision):
    start = revision.down_revision or "base"
    if revision.down_revision:
        upgrade(revision=revision.down_revision)
    with db.engine.begin() as connection:
        inserted = representative_rows(connection)
        assert set(inserted) or start == "base"
        before = snapshot(connection)
    assert all(len(rows) == 1 for rows in before.values()), before
    assert {name: rows[0]["id"] for name, rows in before.items() if "id" in rows[0]} == {
        name: row["id"] for name, row in inserted.items() if "id" in row
    }

    upgrade(revision=revision.revision)
    with db.engine.connect() as connection:
        after_upgrade = snapshot(connection)
    assert set(before) <= set(after_upgrade), "an upgrade dropped a table that had data"
    assert_kept(before, after_upgrade, f"up to {revision.revision}")

    downgrade(revision=start)
    with db.engine.connect() as connection:
        after_downgrade = snapshot(connection)
    assert set(after_downgrade) == set(before)
    assert_kept(before, after_downgrade, f"down to {start}")
