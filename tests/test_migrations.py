"""Migrations: an empty database upgraded to head matches the models, every step goes down and up
again, and the database itself keeps the events table append-only (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, MetaData, String, exc, inspect, text

from portal.extensions import db
from portal.search import include_name
from tests.support.migrations import app_on_empty_database


@pytest.fixture
def fresh_app(tmp_path):
    """An app on its own empty database (not the shared, already migrated one)."""
    with app_on_empty_database(tmp_path, "migrations") as application:
        yield application


def script_directory() -> ScriptDirectory:
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config)


def current_revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def table_names() -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def test_there_is_exactly_one_head(fresh_app):
    heads = script_directory().get_heads()
    assert len(heads) == 1, f"several heads, merge them: {heads}"


def test_upgrade_to_head_matches_the_models(fresh_app):
    assert table_names() == set()
    upgrade()
    assert current_revision() == script_directory().get_current_head()
    with db.engine.connect() as connection:
        # The same filter as migrations/env.py: the search indexes belong to their migration, not the models.
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "models and migrations differ; run `flask db migrate`"
    assert set(db.metadata.tables) <= table_names()


def test_the_comparison_would_see_a_missing_column(fresh_app):
    """Guard against a vacuous comparison: a model column absent from the schema is reported."""
    upgrade()
    changed = MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["events"].append_column(Column("rewritten_by", String(40), nullable=True))
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        differences = compare_metadata(context, changed)
    found = [(diff[0], diff[2], diff[3].name) for diff in differences]
    assert found == [("add_column", "events", "rewritten_by")]


def test_every_revision_goes_down_and_up_one_step_at_a_time(fresh_app):
    script = script_directory()
    # walk_revisions() yields head first, base last.
    revisions = [revision.revision for revision in script.walk_revisions()]
    upgrade()
    assert current_revision() == revisions[0]
    for expected_after in [*revisions[1:], None]:
        downgrade(revision="-1")
        assert current_revision() == expected_after
    assert table_names() <= {"alembic_version"}
    for expected_after in reversed(revisions):
        upgrade(revision="+1")
        assert current_revision() == expected_after
    assert set(db.metadata.tables) <= table_names()


def test_downgrade_to_base_leaves_only_alembic_version(fresh_app):
    upgrade()
    assert "events" in table_names()
    downgrade(revision="base")
    assert current_revision() is None
    assert table_names() == {"alembic_version"}


def insert_event(connection) -> int:
    connection.execute(
        text(
            "INSERT INTO events (occurred_at, subject_type, subject_id, action, note, is_public, ip_address) "
            "VALUES (:at, 'procedure', 1, 'created', 'original', :public, '198.51.100.23')"
        ),
        {"at": "2026-01-05 02:00:00", "public": False},
    )
    return connection.execute(text("SELECT id FROM events")).scalar_one()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET note = 'rewritten' WHERE id = :id",
        "DELETE FROM events WHERE id = :id",
        "UPDATE events SET ip_address = '203.0.113.5' WHERE id = :id",
        "UPDATE events SET ip_address = NULL, note = 'rewritten' WHERE id = :id",
        "UPDATE events SET ip_address = NULL, subject_id = 2 WHERE id = :id",
        "UPDATE events SET ip_address = NULL, occurred_at = '2020-01-01 00:00:00' WHERE id = :id",
    ],
    ids=["update", "delete", "change-address", "forget-and-rewrite", "forget-and-move", "forget-and-redate"],
)
def test_database_refuses_to_change_events(fresh_app, statement):
    upgrade()
    with db.engine.begin() as connection:
        event_id = insert_event(connection)
    with db.engine.connect() as connection:
        with pytest.raises(exc.DBAPIError, match="append-only"):
            with connection.begin():
                connection.execute(text(statement), {"id": event_id})
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, note, ip_address, subject_id FROM events")).all()
    assert [tuple(row) for row in rows] == [(event_id, "original", "198.51.100.23", 1)]


def test_the_database_lets_an_address_be_forgotten_and_nothing_else(fresh_app):
    upgrade()
    with db.engine.begin() as connection:
        event_id = insert_event(connection)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE events SET ip_address = NULL WHERE id = :id"), {"id": event_id})
    with db.engine.connect() as connection:
        row = connection.execute(text("SELECT note, ip_address, action FROM events")).one()
    assert tuple(row) == ("original", None, "created")


def test_append_only_triggers_come_back_after_downgrade_and_upgrade(fresh_app):
    upgrade()
    downgrade(revision="base")
    upgrade()
    with db.engine.begin() as connection:
        event_id = insert_event(connection)
    with db.engine.connect() as connection:
        with pytest.raises(exc.DBAPIError, match="append-only"):
            with connection.begin():
                connection.execute(text("DELETE FROM events WHERE id = :id"), {"id": event_id})


def seed() -> None:
    from portal.demo import seed_demo

    seed_demo()
    db.session.commit()
    db.session.remove()


def test_downgrade_with_data_goes_down_and_up_again(fresh_app):
    """With the demo data in place every step goes down (SQLite rebuilds tables that others reference) and
    nothing is left half-done (issue 9: it failed on a foreign key and left _alembic_tmp_feedback_items)."""
    upgrade()
    seed()
    with db.engine.begin() as connection:
        # The finance role's migration refuses to go below it while finance accounts exist (the older schema
        # has no such role): the demo's one becomes a citizen first, as an operator would have to decide.
        connection.execute(text("UPDATE accounts SET role = 'citizen' WHERE role = 'finance'"))
    revisions = [revision.revision for revision in script_directory().walk_revisions()]
    for expected_after in [*revisions[1:], None]:
        downgrade(revision="-1")
        assert current_revision() == expected_after
        assert not {name for name in table_names() if name.startswith("_alembic_tmp")}
    upgrade()
    assert current_revision() == revisions[0]


def test_a_failing_sqlite_migration_changes_nothing(fresh_app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL runs DDL in a transaction by itself")
    upgrade()
    seed()
    head = current_revision()
    with db.engine.connect() as connection:
        # A photo row pointing at no feedback item: the check at the end of the run must refuse it.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.execute(
            text(
                "INSERT INTO feedback_photos (feedback_id, position, stored_name, thumbnail_name, width, height) "
                "VALUES (999999, 0, 'x.jpg', 'x-t.jpg', 1, 1)"
            )
        )
        connection.commit()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    before = table_names()
    with pytest.raises(SystemExit):  # Flask-Migrate logs the RuntimeError and exits 1, as the CLI would
        downgrade(revision="-1")
    assert current_revision() == head
    assert table_names() == before
