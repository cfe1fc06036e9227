"""The status pages' key read outside the ORM (portal/database.py `read_outside_transaction`) on PostgreSQL in
a GET: one SELECT in autocommit (no BEGIN, no ROLLBACK) on a connection of the engine itself, switched for the
statement and back, without SQLAlchemy's connection characteristics (the AUTOCOMMIT copy's isolation level set
at checkout and reset at checkin: ~50-90 µs of CPU per request, bench/notes/tracking4.md). The connection
always goes back to the pool as it came, also when the statement fails.

Through a session of the production kind (the suite's own is pinned to one connection)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Result, event, select, text
from sqlalchemy.exc import ProgrammingError

from portal.database import read_outside_transaction
from portal.db_session import PortalSession
from portal.extensions import db
from portal.feedback.models import Feedback
from tests.tracking.test_page_cache import without_token


@pytest.fixture
def production_session(app) -> Iterator[None]:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("autocommit reads are PostgreSQL's (SQLite's driver begins nothing for a SELECT)")
    with _production_sessions():
        yield


@pytest.fixture
def production_session_any_database(app) -> Iterator[None]:
    with _production_sessions():
        yield


@contextmanager
def _production_sessions() -> Iterator[None]:
    pinned = db.session
    db.session = db._make_scoped_session({"class_": PortalSession})
    try:
        yield
    finally:
        db.session.remove()
        db.session = pinned


@pytest.fixture
def isolation_switches(app, monkeypatch) -> list[str]:
    """Each time SQLAlchemy set or reset a connection's isolation level (autocommit is one)."""
    switches: list[str] = []
    dialect = db.engine.dialect
    set_level, reset_level = dialect.set_isolation_level, dialect.reset_isolation_level

    def counted_set(dbapi_connection, level):
        switches.append(f"set {level}")
        return set_level(dbapi_connection, level)

    def counted_reset(dbapi_connection):
        switches.append("reset")
        return reset_level(dbapi_connection)

    monkeypatch.setattr(dialect, "set_isolation_level", counted_set)
    monkeypatch.setattr(dialect, "reset_isolation_level", counted_reset)
    return switches


def _read(app, statement):
    """The statement read as a GET's status page reads its key; the driver connection(s) it ran on, each with
    its autocommit and transaction status while the statement was sent."""
    seen: list[tuple[object, bool, str]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        connection = cursor.connection
        seen.append((connection, connection.autocommit, connection.info.transaction_status.name))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        with app.test_request_context("/feedback/X/status", method="GET"):
            try:
                rows = read_outside_transaction(statement, {}, Result.all)
            finally:
                db.session.remove()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return rows, seen


@pytest.mark.usefixtures("production_session")
def test_the_key_read_sets_no_isolation_level_and_leaves_the_connection_as_it_came(app, isolation_switches):
    rows, seen = _read(app, select(Feedback.id).order_by(Feedback.id).limit(1))
    assert len(rows) == 1
    assert [(autocommit, status) for _, autocommit, status in seen] == [(True, "IDLE")]
    assert isolation_switches == []  # no AUTOCOMMIT characteristic set at checkout and reset at checkin
    connection = seen[0][0]
    assert connection.autocommit is False  # back in the pool as the pool's other connections
    assert connection.info.transaction_status.name == "IDLE"


@pytest.mark.usefixtures("production_session")
def test_a_failed_key_read_still_gives_the_connection_back_out_of_autocommit(app):
    with pytest.raises(ProgrammingError):
        _read(app, text("SELECT id FROM no_such_table_here"))
    rows, seen = _read(app, select(Feedback.id).order_by(Feedback.id).limit(1))
    assert len(rows) == 1 and seen[0][1] is True
    with app.app_context(), db.engine.connect() as connection:  # every pooled connection: not autocommit
        assert connection.connection.dbapi_connection.autocommit is False


@pytest.mark.usefixtures("production_session")
def test_a_statement_that_locks_keeps_the_copy_and_its_transaction(app):
    """Not a plain read: the AUTOCOMMIT copy's guard opens a transaction before it, as for any GET."""
    rows, seen = _read(app, select(Feedback.id).order_by(Feedback.id).limit(1).with_for_update())
    assert len(rows) == 1
    assert [(autocommit, status) for _, autocommit, status in seen] == [(False, "IDLE")]


@pytest.mark.usefixtures("production_session_any_database")
def test_a_kept_status_page_makes_no_orm_session(app, monkeypatch):
    """The page runs one statement outside the ORM: the request makes no session at all (its creation,
    `get_bind` and its removal at teardown were ~15-25 µs a request), and the page is the same."""
    item = db.session.scalars(select(Feedback).order_by(Feedback.id)).first()
    assert item is not None
    code, item_id = item.code, item.id
    db.session.remove()
    made: list[PortalSession] = []
    original_init = PortalSession.__init__

    def counted_init(self, *args, **kwargs):
        made.append(self)
        original_init(self, *args, **kwargs)

    citizen = app.test_client()
    with citizen.session_transaction() as session:
        session["feedback_access"] = [item_id]
    first = citizen.get(f"/feedback/{code}/status")
    monkeypatch.setattr(PortalSession, "__init__", counted_init)
    again = citizen.get(f"/feedback/{code}/status")
    assert again.status_code == first.status_code == 200
    assert without_token(again.get_data(as_text=True)) == without_token(first.get_data(as_text=True))
    assert made == []


@pytest.mark.usefixtures("production_session")
def test_a_session_that_has_begun_is_read_through(app):
    """A request whose session already wrote reads its own uncommitted change (its connection, not a new
    one), as before."""
    with app.test_request_context("/feedback/X/status", method="GET"):
        try:
            item_id = db.session.scalars(select(Feedback.id).order_by(Feedback.id)).first()
            db.session.execute(
                text("UPDATE feedback_items SET title = 'not committed' WHERE id = :id"), {"id": item_id}
            )
            rows = read_outside_transaction(
                select(Feedback.title).where(Feedback.id == item_id), {}, Result.all
            )
            assert rows[0].title == "not committed"
        finally:
            db.session.rollback()
            db.session.remove()
