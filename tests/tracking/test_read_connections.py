"""The key reads' kept connections (portal/read_connections.py): on PostgreSQL in a GET, `read_row` reads on a
connection kept checked out in autocommit (no checkout, checkin or autocommit switch per read), gives it back
to the pool out of autocommit with its idle clock at its last read, drops it after a failure, keeps no more
than its limit waiting, and closes the waiting ones when the engine is disposed. Elsewhere (SQLite, a POST)
nothing is kept.

On an app of its own with production sessions (the suite's `app` pins its session to one connection)."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import column, event, func, select, table
from sqlalchemy.exc import ProgrammingError

from portal import read_connections
from portal.database import read_row
from portal.extensions import db
from tests.conftest import build_app
from tests.tracking.test_key_read import _production_sessions

SERVER = os.environ.get("TEST_DATABASE_URL", "")
on_postgresql = pytest.mark.skipif(
    not SERVER.startswith("postgresql"),
    reason="kept autocommit connections are PostgreSQL's (TEST_DATABASE_URL)",
)
BACKEND = select(func.pg_backend_pid().label("pid"))
BROKEN = select(table("no_such_table_here", column("id")))


def _pg_app(tmp_path, **overrides):
    url = SERVER.replace("postgresql://", "postgresql+psycopg://", 1) if "+" not in SERVER else SERVER
    return build_app(tmp_path, url, **overrides)


@pytest.fixture
def pg_app(tmp_path):
    application = _pg_app(tmp_path)
    yield application
    with application.app_context():
        db.engine.dispose()


def _read(app, statement=BACKEND, method="GET"):
    with app.test_request_context("/x", method=method):
        try:
            return read_row(statement, {})
        finally:
            db.session.remove()


def _checkouts(app) -> list[object]:
    seen: list[object] = []
    event.listen(db.engine.pool, "checkout", lambda dbapi, record, proxy: seen.append(dbapi))
    return seen


def _waiting(app) -> list[read_connections.Lease]:
    return read_connections._WAITING[db.engine].leases


@on_postgresql
def test_reads_in_a_get_share_one_connection_kept_in_autocommit(pg_app):
    with pg_app.app_context():
        checkouts = _checkouts(pg_app)
        sent: list[tuple[bool, str]] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            sent.append((cursor.connection.autocommit, cursor.connection.info.transaction_status.name))

        event.listen(db.engine, "before_cursor_execute", record)
        first, second = _read(pg_app).pid, _read(pg_app).pid
        assert first == second  # the same PostgreSQL backend
        assert len(checkouts) == 1  # checked out once for both reads
        assert sent == [(True, "IDLE"), (True, "IDLE")]  # each read alone: no BEGIN
        (lease,) = _waiting(pg_app)
        connection = lease.raw.dbapi_connection
        assert connection.autocommit is True and connection.info.transaction_status.name == "IDLE"
        assert db.engine.pool.checkedout() == 1  # it counts as checked out of the same pool


@on_postgresql
def test_a_lease_goes_back_to_the_pool_after_its_time_with_its_idle_clock_at_its_last_read(
    pg_app, monkeypatch
):
    start = time.monotonic()
    now = [start]
    monkeypatch.setattr(read_connections, "clock", lambda: now[0])
    with pg_app.app_context():
        first = _read(pg_app).pid
        (lease,) = _waiting(pg_app)
        connection, info = lease.raw.dbapi_connection, lease.raw.info
        now[0] = start + 1.0
        assert _read(pg_app).pid == first  # within its time: the same connection
        given_back: list[tuple[object, bool, str]] = []
        event.listen(
            db.engine.pool,
            "checkin",
            lambda dbapi, record: (
                dbapi is not None  # (None: closed at the engine's dispose)
                and given_back.append((dbapi, dbapi.autocommit, dbapi.info.transaction_status.name))
            ),
        )
        checkouts = _checkouts(pg_app)
        now[0] = start + 1.0 + read_connections.LEASE_SECONDS
        _read(pg_app)  # its time is up: given back, and this read checks one out (maybe the same one)
        assert given_back == [(connection, False, "IDLE")]  # out of autocommit, no transaction
        assert len(checkouts) == 1
        assert info[read_connections.CHECKED_IN_AT] == start + 1.0  # idle since its last read, not since now
        assert read_connections.waiting_count(db.engine) == 1 and db.engine.pool.checkedout() == 1


@on_postgresql
def test_an_expired_lease_goes_back_at_any_checkout_not_only_at_the_next_key_read(pg_app, monkeypatch):
    start = time.monotonic()
    now = [start]
    monkeypatch.setattr(read_connections, "clock", lambda: now[0])
    with pg_app.app_context():
        _read(pg_app)
        (lease,) = _waiting(pg_app)
        connection, info = lease.raw.dbapi_connection, lease.raw.info
        with pg_app.test_request_context("/x", method="POST"):  # any other request, within the lease's time
            db.session.execute(select(1))
            assert read_connections.waiting_count(db.engine) == 1  # still in its time: kept
            db.session.remove()
        now[0] = start + read_connections.LEASE_SECONDS
        with pg_app.test_request_context("/x", method="POST"):  # a queue page, say: no key read
            db.session.execute(select(1))
            assert read_connections.waiting_count(db.engine) == 0
            assert db.engine.pool.checkedout() == 1  # this request's connection only: the lease is back
            db.session.remove()
        assert connection.autocommit is False and connection.info.transaction_status.name == "IDLE"
        assert info[read_connections.CHECKED_IN_AT] == start  # idle since its last read


@on_postgresql
def test_a_child_after_a_fork_forgets_the_waiting_leases_without_closing_them(pg_app, monkeypatch):
    with pg_app.app_context():
        _read(pg_app)
        (lease,) = _waiting(pg_app)
        connection = lease.raw.dbapi_connection
        parent = os.getpid()
        monkeypatch.setattr(read_connections.os, "getpid", lambda: parent + 1)  # as in a forked child
        db.engine.dispose(close=False)  # the after-fork idiom
        assert read_connections.waiting_count(db.engine) == 0
        assert not connection.closed  # the parent's session is not ended by the child
        with connection.cursor() as cursor:  # and still works (for the parent)
            cursor.execute("select 1")
            assert cursor.fetchone() == (1,)
        lease.raw.invalidate()  # (this test's clean-up: both "processes" are this one)
        assert _read(pg_app).pid > 0  # the child reads on connections of its own
        assert read_connections._WAITING[db.engine].pid == parent + 1
        db.engine.dispose()  # the child's own lease is its to close
        assert read_connections.waiting_count(db.engine) == 0


@on_postgresql
def test_a_failed_read_drops_its_connection_and_the_next_read_gets_a_working_one(pg_app):
    with pg_app.app_context():
        _read(pg_app)
        (lease,) = _waiting(pg_app)
        with pytest.raises(ProgrammingError):  # SQLAlchemy's error, the read sent again its way
            _read(pg_app, BROKEN)
        assert lease.raw.dbapi_connection is None or lease.raw.dbapi_connection.closed
        assert lease not in _waiting(pg_app)
        assert _read(pg_app).pid > 0
        (fresh,) = _waiting(pg_app)
        assert fresh is not lease and fresh.raw.dbapi_connection.autocommit is True


@on_postgresql
def test_no_more_than_a_quarter_of_the_pool_waits(tmp_path):
    app = _pg_app(tmp_path, db_pool_size=4)  # so one lease at most
    try:
        with app.app_context(), app.test_request_context("/x"):
            engine = db.engine
            from portal.database import _checkout, _kept_cursor

            leases = [read_connections.take(engine, _checkout, _kept_cursor) for _ in range(3)]
            assert db.engine.pool.checkedout() == 3
            for lease in leases:
                assert lease is not None
                read_connections.keep(engine, lease)
            assert read_connections.waiting_count(engine) == 1
            assert db.engine.pool.checkedout() == 1  # the other two went back, out of autocommit
            assert [lease.raw.dbapi_connection for lease in leases[1:]] == [None, None]
    finally:
        with app.app_context():
            db.engine.dispose()


@on_postgresql
def test_a_lease_in_use_while_the_engine_is_disposed_is_closed_not_kept(pg_app):
    with pg_app.app_context():
        _read(pg_app)
        (waiting,) = _waiting(pg_app)
        connection = waiting.raw.dbapi_connection
        engine = db.engine
        with pg_app.test_request_context("/x"):
            from portal.database import _checkout, _kept_cursor

            in_use = read_connections.take(engine, _checkout, _kept_cursor)
        assert in_use is waiting
        other = read_connections.take(engine, _checkout, _kept_cursor)
        assert other is not None
        engine.dispose()
        read_connections.keep(engine, other)  # a lease of the replaced pool: not kept
        assert read_connections.waiting_count(engine) == 0
        read_connections.keep(engine, in_use)
        assert read_connections.waiting_count(engine) == 0
        assert connection.closed and other.raw.dbapi_connection is None  # closed, not left in the old pool
        assert _read(pg_app).pid > 0  # a connection of the new pool


@on_postgresql
def test_dispose_closes_a_waiting_lease(pg_app):
    with pg_app.app_context():
        _read(pg_app)
        (lease,) = _waiting(pg_app)
        connection = lease.raw.dbapi_connection
        db.engine.dispose()
        assert connection.closed and read_connections.waiting_count(db.engine) == 0


def test_nothing_is_kept_for_sqlite_or_a_post(app):
    with app.app_context(), _production_sessions():
        statement = select(func.count().label("n")).select_from(table("feedback_items"))
        before = read_connections.waiting_count(db.engine)  # (the suite's engine: earlier tests' GETs)
        taken = _checkouts(app)
        assert _read(app, statement, method="POST").n >= 0
        assert (
            read_connections.waiting_count(db.engine) == before and len(taken) == 1
        )  # checked out, given back
        if db.engine.dialect.name == "sqlite":
            assert _read(app, statement).n >= 0
            assert read_connections.waiting_count(db.engine) == 0
