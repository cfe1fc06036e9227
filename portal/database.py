"""Engine-level settings that must hold on every connection, and the session helpers that go with them."""

import time
import weakref
from collections import namedtuple
from collections.abc import Callable
from keyword import iskeyword
from typing import Any, TypeVar

from flask import Flask
from sqlalchemy import CursorResult, Executable, Result, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, MultipleResultsFound
from sqlalchemy.sql import ClauseElement, Select
from sqlalchemy.sql.dml import UpdateBase

from portal import pg_wait, read_connections
from portal.db_session import PortalSession, copied_from, plain_read, read_bind, reads_in_autocommit
from portal.extensions import db


def init_app(app: Flask) -> None:
    """Every new connection of any engine gets the SQLite settings (a no-op on PostgreSQL), pooled PostgreSQL
    connections their idle ping, psycopg its gevent wait in a gevent worker. Once per process."""
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)
    if not event.contains(Engine, "checkout", ping_if_idle):
        event.listen(Engine, "checkin", _note_checkin)
        event.listen(Engine, "checkout", ping_if_idle)
    pg_wait.install()  # in a gevent worker: psycopg waits on the hub directly (portal/pg_wait.py)


# A pooled PostgreSQL connection that waited this long is pinged before use (one extra round trip); one
# used less than this ago is handed out as it is. Replaces `pool_pre_ping`, which pinged on every checkout
# (every request: 2 round trips where 1 does). A connection that dies while the pool is busy (PostgreSQL
# restarted) fails one request: SQLAlchemy sees the disconnect, drops the whole pool, and errors.py answers
# that request with a 503; the next requests connect afresh.
IDLE_PING_SECONDS = 30.0
_CHECKED_IN_AT = read_connections.CHECKED_IN_AT


def _note_checkin(dbapi_connection, connection_record) -> None:
    if connection_record is not None:
        connection_record.info[_CHECKED_IN_AT] = time.monotonic()


def ping_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:
    """Pool checkout: ping a PostgreSQL connection that sat idle; a dead one is replaced (DisconnectionError
    makes the pool reconnect, which fails fast with connect_timeout when PostgreSQL is down: K37)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        return
    checked_in_at = connection_record.info.get(_CHECKED_IN_AT)
    if checked_in_at is None or time.monotonic() - checked_in_at < IDLE_PING_SECONDS:
        return  # a fresh connection, or one in use a moment ago
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        if not dbapi_connection.autocommit:
            # End the transaction the ping opened: a request reading through the AUTOCOMMIT copy of the
            # engine (portal/db_session.py) can switch a connection to autocommit only outside one.
            dbapi_connection.rollback()
    except Exception as error:  # the driver's own error type: the connection is gone
        raise DisconnectionError("pooled connection lost while idle") from error


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


T = TypeVar("T")


def read_outside_transaction(
    statement: Executable, parameters: dict[str, Any], take: Callable[[Result], T]
) -> T:
    """`take(result)` of one read, through SQLAlchemy Core without the ORM's execution and transaction set-up.

    On a connection of its own, checked out from the session's engine for this statement and returned at
    once, when the session holds no transaction (when the request has no session yet, none is made: its
    engine is found as the session would find it); else (a session that has begun and may hold changes not
    yet committed, or one bound to a connection, as the test suite's) on the session's own connection.
    `take` reads the rows it needs (`Result.all`, `Result.one_or_none`) before the connection goes back.

    On PostgreSQL in a GET the session's engine is the AUTOCOMMIT copy (portal/db_session.py): a plain SELECT
    then runs on a connection of the engine itself, switched to autocommit for that one statement and back
    (`_autocommit_read`), the same as the copy does but without its connection characteristics set on
    checkout and reset on checkin (SQLAlchemy's machinery: ~33 µs of CPU a read, bench/notes/tracking4.md)."""
    bind = _bind_without_session()
    if bind is None:
        orm_session = db.session()
        if orm_session.in_transaction():
            return take(orm_session.connection().execute(statement, parameters))
        session_bind = orm_session.get_bind(clause=statement)
        if not isinstance(session_bind, Engine):  # a session bound to a connection
            return take(orm_session.connection().execute(statement, parameters))
        bind = session_bind
    engine = copied_from(bind)
    if engine is not None and _plain_select(statement, engine):
        return _autocommit_read(engine, statement, parameters, take)
    with bind.connect() as connection:
        return take(connection.execute(statement, parameters))


def _bind_without_session() -> Engine | None:
    """The engine the request's session would read on, when the request has no session yet (so none has
    begun or holds changes) and its sessions are the application's own (PortalSession, not bound to a
    connection: the app has one engine): found without making one, which costs its creation, `get_bind`
    and its removal at teardown (~15-25 µs). None otherwise (the test suite's sessions are bound)."""
    engine = _engine_without_session()
    return None if engine is None else read_bind(engine)


def _engine_without_session() -> Engine | None:
    """The application's engine when the request has no session yet and its sessions are the application's
    own (`_bind_without_session`'s rule), else None."""
    scoped = db.session
    factory = scoped.session_factory
    if (
        scoped.registry.has()
        or not issubclass(factory.class_, PortalSession)  # (sessionmaker subclasses it)
        or factory.kw.get("bind") is not None
        or factory.kw.get("binds")
    ):
        return None
    return db.engine


def _autocommit_read(
    engine: Engine, statement: Executable, parameters: dict[str, Any], take: Callable[[Result], T]
) -> T:
    """One plain SELECT without BEGIN or ROLLBACK: psycopg's autocommit on for the statement, off again before
    the connection goes back to the pool (psycopg's rollback then sends nothing: no transaction is open). A
    connection whose switch back fails is dropped from the pool, never returned in autocommit."""
    with engine.connect() as connection:
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection is not None  # checked out just now
        dbapi_connection.autocommit = True
        try:
            return take(connection.execute(statement, parameters))
        finally:
            try:
                dbapi_connection.autocommit = False
            except Exception:  # a broken connection (or one left in a transaction): not for the pool
                connection.invalidate()


# statement -> whether it is a plain SELECT (db_session.plain_read of its SQL): compiled once per statement
_PLAIN: weakref.WeakKeyDictionary[Executable, bool] = weakref.WeakKeyDictionary()


def _plain_select(statement: Executable, engine: Engine) -> bool:
    known = _PLAIN.get(statement)
    if known is None:
        assert isinstance(statement, ClauseElement)
        known = _PLAIN[statement] = plain_read(str(statement.compile(dialect=engine.dialect)))
    return known


def read_row(statement: Executable, parameters: dict[str, Any]) -> Any:
    """The one row (or None; more than one raises as `Result.one_or_none`) of a plain SELECT by a unique key,
    as `read_outside_transaction(statement, parameters, Result.one_or_none)` reads it, with the same values,
    SQL, connection pool and transaction behaviour, but on the pooled DBAPI connection itself: the statement
    compiled once per dialect (its SQL, bind and result processors), no SQLAlchemy Connection, execution
    context or Result (~250 Python calls and 100-150 µs of CPU a read, bench/notes/overhead3.md).

    The row is a named tuple of the statement's column keys (attributes and tuple order as the Row's).
    The engine's `before_cursor_execute` / `after_cursor_execute` listeners are called as SQLAlchemy calls
    them, with no Connection and no execution context (the portal's listeners, payable_cache's and the
    tests' counters, read the SQL only). The other cases go the SQLAlchemy way: a request whose session has
    begun (or is bound to a connection), a statement that is not a plain read or needs SQLAlchemy's
    rendering at execution (expanding IN), and a failing statement, which is sent again that way so that
    its error (and a lost connection's handling) is SQLAlchemy's. On PostgreSQL in a GET the read runs on a
    connection portal/read_connections.py keeps checked out in autocommit between such reads."""
    engine = _engine_without_session()  # what the session would read on: this engine or its AUTOCOMMIT copy
    form = None if engine is None else _raw_form(statement, engine)
    if engine is None or form is None:
        return read_outside_transaction(statement, parameters, Result.one_or_none)
    if reads_in_autocommit(engine):  # PostgreSQL in a GET: on a connection kept in autocommit
        return _read_on_lease(engine, form, statement, parameters)
    raw = _checkout(engine)
    try:
        rows = form.fetch(engine, raw, parameters)
    except Exception:
        raw.invalidate()  # not known to be reusable: never back in the pool (nor in autocommit)
        # SQLAlchemy's way again: its error (a 503 for a database that is down), its handling of a lost
        # connection (the pool dropped and refilled).
        return read_outside_transaction(statement, parameters, Result.one_or_none)
    except BaseException:  # an interruption (a gevent timeout): the connection is not given back
        raw.invalidate()
        raise
    raw.close()  # back to the pool (its reset: a rollback, which sends nothing outside a transaction)
    return form.row(rows)


def _read_on_lease(
    engine: Engine, form: "_RawForm", statement: Executable, parameters: dict[str, Any]
) -> Any:
    """`read_row` in autocommit without BEGIN or ROLLBACK, on a connection read_connections keeps for such reads
    (no checkout, checkin or autocommit switch per read); a failure as in `read_row`."""
    lease = read_connections.take(engine, _checkout, _kept_cursor)
    if lease is None:  # the connection could not be switched to autocommit (dropped): SQLAlchemy's way
        return read_outside_transaction(statement, parameters, Result.one_or_none)
    try:
        rows = form.fetch(engine, lease.raw, parameters, lease.cursor)
    except Exception:
        read_connections.drop(lease)
        return read_outside_transaction(statement, parameters, Result.one_or_none)
    except BaseException:
        read_connections.drop(lease)
        raise
    read_connections.keep(engine, lease)
    return form.row(rows)


def _checkout(engine: Engine) -> Any:
    """A pooled DBAPI connection, with the pool's events (ping_if_idle). The pool raises the driver's own error
    when the database cannot be reached: given SQLAlchemy's form here (an OperationalError: the portal's 503
    with Retry-After, errors.py), as `Engine.connect` gives it, instead of a 500."""
    try:
        return engine.raw_connection()
    except engine.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(
            None, None, error, engine.dialect.loaded_dbapi.Error, dialect=engine.dialect
        ) from error


class _RawForm:
    """A plain SELECT compiled for one dialect: its SQL, how its parameters are bound, how its columns are
    read (from the compiled statement, as SQLAlchemy's execution context reads them)."""

    def __init__(self, compiled: Any) -> None:
        self.sql: str = compiled.string
        self.compiled = compiled
        self.positions: list[str] | None = list(compiled.positiontup) if compiled.positional else None
        self.bind_processors: dict[str, Callable[[Any], Any]] = dict(compiled._bind_processors)
        columns = compiled._result_columns
        self.row_class = namedtuple("KeyRow", [column.keyname for column in columns])  # type: ignore[misc]
        self.types = [column.type for column in columns]
        self.result_processors: list[Callable[[Any], Any] | None] | None = None  # at the first row

    def fetch(self, engine: Engine, raw: Any, parameters: dict[str, Any], cursor: Any = None) -> list[Any]:
        """Up to two rows, as the driver gives them (on `cursor` when given: a lease's kept cursor)."""
        values = self.compiled.construct_params(parameters)
        for name, process in self.bind_processors.items():
            if name in values:
                values[name] = process(values[name])
        bound: Any = values if self.positions is None else tuple(values[name] for name in self.positions)
        dispatch = engine.dispatch
        kept = cursor if cursor is not None else _kept_cursor(raw)
        cursor = kept or raw.cursor()
        try:
            if dispatch.before_cursor_execute:
                dispatch.before_cursor_execute(None, cursor, self.sql, bound, None, False)
            cursor.execute(self.sql, bound)
            if dispatch.after_cursor_execute:
                dispatch.after_cursor_execute(None, cursor, self.sql, bound, None, False)
            rows = cursor.fetchmany(2)
            if self.result_processors is None:
                self.result_processors = [
                    kind._cached_result_processor(engine.dialect, described[1])
                    for kind, described in zip(self.types, cursor.description, strict=True)
                ]
        finally:
            if kept is None:
                cursor.close()
        return rows

    def row(self, rows: list[Any]) -> Any:
        """`Result.one_or_none` of the fetched rows, each value read as SQLAlchemy reads it."""
        if not rows:
            return None
        if len(rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when one or none was required")
        assert self.result_processors is not None
        processors = zip(self.result_processors, rows[0], strict=True)
        return self.row_class(
            *(value if process is None else process(value) for process, value in processors)
        )


_KEPT_CURSOR = "portal_read_row_cursor"


def _kept_cursor(raw: Any) -> Any:
    """psycopg only: the cursor `read_row` keeps on each driver connection (in its pool record's info) and
    uses again, instead of a new one per read (a psycopg cursor makes its adaptation context when created:
    about a twentieth of a status page's CPU in the gevent worker, bench/notes/pgread.md). psycopg fetches a
    result whole, so a kept cursor holds nothing open on the server. None for any other driver (an sqlite3
    cursor with rows left would keep its statement, and so its read, open): a cursor per read as before."""
    dbapi_connection = raw.dbapi_connection
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return None
    cursor = raw.info.get(_KEPT_CURSOR)
    if cursor is None or cursor.closed or cursor.connection is not dbapi_connection:
        cursor = raw.info[_KEPT_CURSOR] = dbapi_connection.cursor()
    return cursor


# (statement, dialect) -> its raw form, or None for a statement that goes SQLAlchemy's way
_RAW: weakref.WeakKeyDictionary[Executable, dict[Any, _RawForm | None]] = weakref.WeakKeyDictionary()


def _raw_form(statement: Executable, engine: Engine) -> _RawForm | None:
    # `get` first: the weak dictionary's `setdefault` makes a new weak reference (and an empty dict) each call.
    forms = _RAW.get(statement)
    if forms is None:
        forms = _RAW.setdefault(statement, {})
    dialect = engine.dialect
    if dialect in forms:
        return forms[dialect]
    assert isinstance(statement, ClauseElement)
    compiled: Any = statement.compile(dialect=dialect)
    keys = [column.keyname for column in compiled._result_columns]
    simple = (
        isinstance(statement, Select)
        and all(isinstance(key, str) and key.isidentifier() and not iskeyword(key) for key in keys)
        and len(set(keys)) == len(keys)  # attribute names of the named tuple, as the Row's
        and plain_read(compiled.string)
        and not compiled.literal_execute_params
        and not compiled.post_compile_params
        and not compiled.escaped_bind_names
    )
    form = forms[dialect] = _RawForm(compiled) if simple else None
    return form
