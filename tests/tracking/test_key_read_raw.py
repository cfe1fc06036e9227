"""The status pages' key read on the pooled driver connection (portal/database.py `read_row`): the same row
values, SQL and statement events as SQLAlchemy's `Result.one_or_none`, the same pool and, on PostgreSQL in a
GET, the same autocommit read without BEGIN or ROLLBACK; SQLAlchemy's way for what it does not cover.

Through sessions of the production kind (the suite's own is pinned to one connection), on the seeded rows
(a production session's connection does not see the test's uncommitted ones)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Result, column, event, select, table, text
from sqlalchemy.exc import MultipleResultsFound, ProgrammingError

from portal import read_connections
from portal.database import read_outside_transaction, read_row
from portal.dossiers import queries as dossier_queries
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.feedback import queries as feedback_queries
from portal.feedback.models import Feedback
from tests.tracking.test_key_read import _production_sessions

pytestmark = pytest.mark.usefixtures("production_sessions")


@pytest.fixture
def production_sessions(app):
    with _production_sessions():
        yield


def _in_get(app, read):
    """`read()` inside a GET status page's request, its session removed afterwards (as at teardown)."""
    with app.test_request_context("/dossiers/X", method="GET"):
        try:
            return read()
        finally:
            db.session.remove()


def _sent(app, read):
    """`read()` in a GET; with what the engine's statement listeners were given."""
    seen: list[tuple[object, str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((conn, statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        return _in_get(app, read), seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _seeded(app, model):
    with app.app_context():
        try:
            return db.session.scalars(select(model).order_by(model.id.desc())).first()
        finally:
            db.session.remove()


@pytest.mark.parametrize(("queries", "model"), [(feedback_queries, Feedback), (dossier_queries, Dossier)])
def test_the_status_keys_are_the_rows_sqlalchemy_reads(app, queries, model):
    code = _seeded(app, model).code
    statement, parameters = queries._STATUS_KEY, {"code": code}
    raw, sent = _sent(app, lambda: read_row(statement, parameters))
    expected, expected_sent = _sent(
        app, lambda: read_outside_transaction(statement, parameters, Result.one_or_none)
    )
    assert raw is not None and tuple(raw) == tuple(expected)
    assert raw._fields == tuple(expected._fields)
    assert all(getattr(raw, name) == getattr(expected, name) for name in expected._fields)
    assert raw.code == code
    # One statement each, the same SQL; the raw read gives its listeners no SQLAlchemy Connection.
    assert [sql for _, sql, _ in sent] == [sql for _, sql, _ in expected_sent]
    assert len(sent) == 1 and sent[0][0] is None and expected_sent[0][0] is not None


def test_dates_and_times_are_read_as_sqlalchemy_reads_them(app):
    """UTCDateTime's result processing (SQLite stores text) and a NULL."""
    dossier = _seeded(app, Dossier)
    statement = select(Dossier.code, Dossier.submitted_at, Dossier.paper_consent_at).where(
        Dossier.id == dossier.id
    )
    raw, _ = _sent(app, lambda: read_row(statement, {}))
    expected, _ = _sent(app, lambda: read_outside_transaction(statement, {}, Result.one_or_none))
    assert tuple(raw) == tuple(expected)
    assert isinstance(raw.submitted_at, datetime) and raw.submitted_at.tzinfo is not None


def test_no_row_is_none_and_two_rows_raise_as_one_or_none(app):
    missing = feedback_queries._STATUS_KEY
    assert _in_get(app, lambda: read_row(missing, {"code": "PA-NOT-THERE"})) is None
    several = select(Feedback.id).order_by(Feedback.id).limit(2)
    with pytest.raises(MultipleResultsFound):
        _in_get(app, lambda: read_row(several, {}))


def test_a_failing_statement_raises_sqlalchemys_error_and_the_pool_stays_usable(app):
    broken = select(table("no_such_table_here", column("id")))
    with pytest.raises(ProgrammingError if db.engine.dialect.name == "postgresql" else Exception) as raised:
        _in_get(app, lambda: read_row(broken, {}))
    assert type(raised.value).__module__.startswith("sqlalchemy")  # SQLAlchemy's, not the driver's
    code = _seeded(app, Feedback).code
    assert _in_get(app, lambda: read_row(feedback_queries._STATUS_KEY, {"code": code})).code == code
    if db.engine.dialect.name == "postgresql":
        with app.app_context(), db.engine.connect() as connection:
            assert connection.connection.dbapi_connection.autocommit is False


def test_on_postgresql_in_a_get_it_reads_in_autocommit_on_a_connection_kept_for_the_next_read(app):
    """No BEGIN; the connection then waits for the next key read, idle (no transaction) and still in autocommit
    (portal/read_connections.py: given back to the pool out of autocommit, tests/tracking/test_read_connections.py)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("autocommit reads are PostgreSQL's")
    seen: list[tuple[object, bool, str]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        connection = cursor.connection
        seen.append((connection, connection.autocommit, connection.info.transaction_status.name))

    code = _seeded(app, Feedback).code
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        row = _in_get(app, lambda: read_row(feedback_queries._STATUS_KEY, {"code": code}))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert row.code == code
    assert [(autocommit, status) for _, autocommit, status in seen] == [(True, "IDLE")]  # no BEGIN
    connection = seen[0][0]
    assert connection.autocommit is True and connection.info.transaction_status.name == "IDLE"
    with app.app_context():
        waiting = [lease.raw.dbapi_connection for lease in read_connections._WAITING[db.engine].leases]
    assert connection in waiting


def test_a_locking_statement_goes_sqlalchemys_way(app):
    """Not a plain read: the session's way (the AUTOCOMMIT copy's guard opens a transaction)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite renders no FOR UPDATE: a plain read there")
    statement = select(Feedback.id).order_by(Feedback.id).limit(1).with_for_update()
    row, sent = _sent(app, lambda: read_row(statement, {}))
    assert row is not None and len(sent) == 1 and sent[0][0] is not None


def test_columns_that_cannot_be_attribute_names_go_sqlalchemys_way(app):
    statement = select(text("1 AS one"), Feedback.id.label("class")).order_by(Feedback.id).limit(1)
    row, sent = _sent(app, lambda: read_row(statement, {}))
    assert row is not None and row[0] == 1 and len(sent) == 1 and sent[0][0] is not None


def test_on_postgresql_a_connection_keeps_one_cursor_for_its_reads(app):
    """psycopg: the read's cursor is kept on its driver connection and used again (a new cursor per read made
    its adaptation context each time, and was closed after it); a failed read's connection is dropped with its
    cursor, and the next read gets a working one. The pool may hand out any of its connections: each has one."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("only psycopg's cursors are kept")
    from portal import database

    cursors: list = []

    def record(conn, cursor, statement, parameters, context, executemany):
        cursors.append(cursor)

    code = _seeded(app, Feedback).code
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for _ in range(4):
            assert _in_get(app, lambda: read_row(feedback_queries._STATUS_KEY, {"code": code})).code == code
        reads = list(cursors)
        kept_open = [not cursor.closed for cursor in reads]  # before the failing read drops its connection
        broken = select(table("no_such_table_here", column("id")))
        with pytest.raises(ProgrammingError):
            _in_get(app, lambda: read_row(broken, {}))
        assert _in_get(app, lambda: read_row(feedback_queries._STATUS_KEY, {"code": code})).code == code
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(reads) == 4 and all(kept_open)  # kept, not closed after the read
    per_connection: dict[int, set[int]] = {}
    for cursor in reads:
        per_connection.setdefault(id(cursor.connection), set()).add(id(cursor))
    assert all(len(kept) == 1 for kept in per_connection.values())
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            first = database._kept_cursor(raw)
            assert database._kept_cursor(raw) is first and not first.closed
        finally:
            raw.close()
