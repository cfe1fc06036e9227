"""Engine-level settings that must hold on every connection, and the session helpers that go with them."""

from flask import Flask
from sqlalchemy import CursorResult, event
from sqlalchemy.engine import Engine
from sqlalchemy.sql.dml import UpdateBase

from portal.extensions import db


def init_app(app: Flask) -> None:
    """Every new connection of any engine gets the SQLite settings (a no-op on PostgreSQL). Once per process."""
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, connection_record):
    # SQLite leaves foreign keys off by default; WAL lets readers work while a request writes.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()


def changed_rows(statement: UpdateBase) -> int:
    """Run an UPDATE or DELETE in the session and return how many rows it changed.

    The guards that must win exactly once (`… WHERE closed_at IS NULL`) read this count. Session.execute
    is typed as returning a plain Result; an UPDATE or DELETE without RETURNING gives a CursorResult,
    which carries the count.
    """
    result = db.session.execute(statement)
    assert isinstance(result, CursorResult)
    return result.rowcount
