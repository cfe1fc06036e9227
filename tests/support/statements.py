"""Counting the SQL statements a request sends (the pages' statement tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from portal.extensions import db

# The suite's per-request savepoints (tests/conftest.py), which production does not run.
HARNESS = ("SAVEPOINT", "RELEASE", "ROLLBACK")


@contextmanager
def statements() -> Iterator[list[str]]:
    """The statements sent on the app's engine while inside, the suite's own savepoints left out."""
    seen: list[str] = []

    def count(_connection, _cursor, sql, *_args):
        if not sql.lstrip().upper().startswith(HARNESS):
            seen.append(sql)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
