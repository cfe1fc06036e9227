"""Migration 5d2a7c91e3b4 fills feedback_items.reopened_late from the answers given as fixed (SQLite, and
PostgreSQL with TEST_DATABASE_URL): true exactly where the dashboard's 5.2 keeps an item late, an answer given
as fixed that was late (answered after its deadline) and that the citizen reopened; down and up again gives
the same values."""

from __future__ import annotations

import datetime as dt

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from portal.extensions import db
from tests.support.migrations import app_on_empty_database, feedback_flags
from tests.test_migrations_with_data import ROW_ID, representative_rows

BEFORE, THIS = "e4d81c5a7f29", "5d2a7c91e3b4"
DUE = dt.date(2026, 3, 10)
# item id → its answers given as fixed: (answered on, deadline then, reopened by the citizen)
FIXES = {
    1: [(dt.date(2026, 3, 11), DUE, True)],  # late, reopened → late already
    2: [(DUE, DUE, True)],  # on the last day, reopened → not late
    3: [(dt.date(2026, 3, 11), DUE, False)],  # late, never reopened (confirmed) → not carried
    4: [(dt.date(2026, 3, 11), None, True)],  # no deadline (paused): never late
    5: [(DUE, DUE, False), (dt.date(2026, 3, 20), DUE, True)],  # the second answer late and reopened
}
EXPECTED = {ROW_ID: False, 1: True, 2: False, 3: False, 4: False, 5: True}


def _insert(connection, table: str, row: dict) -> None:
    names = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    connection.execute(text(f"INSERT INTO {table} ({names}) VALUES ({values})"), row)


def test_the_backfill_marks_the_late_answers_that_were_reopened(tmp_path):
    with app_on_empty_database(tmp_path, "reopened_late") as _application:
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            representative_rows(connection)
            item = connection.execute(text("SELECT * FROM feedback_items")).mappings().one()
            fix = connection.execute(text("SELECT * FROM feedback_fixes")).mappings().one()
            number = 0
            for item_id, answers in FIXES.items():
                _insert(
                    connection,
                    "feedback_items",
                    dict(item)
                    | {"id": item_id, "code": f"PA-{item_id}", "token_hash": f"t{item_id}"}
                    | {"form_nonce": None},
                )
                for answered_on, due_on, reopened in answers:
                    number += 1
                    _insert(
                        connection,
                        "feedback_fixes",
                        dict(fix)
                        | {"id": number, "feedback_id": item_id, "answered_on": answered_on, "due_on": due_on}
                        | {
                            "reopened": reopened,
                            "stored_name": None,
                            "thumbnail_name": None,
                            "token_hash": None,
                        },
                    )
        db.session.remove()
        upgrade(revision=THIS)
        assert feedback_flags("reopened_late") == EXPECTED
        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            columns = {column["name"] for column in inspect(connection).get_columns("feedback_items")}
        assert "reopened_late" not in columns
        upgrade(revision=THIS)
        assert feedback_flags("reopened_late") == EXPECTED
