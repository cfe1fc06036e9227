"""The session class of `db.session`: read-only requests on PostgreSQL run their reads without a transaction.

Why: psycopg opens a transaction before a connection's first statement (a `BEGIN` round trip) and the session
ends it with a `ROLLBACK` (another), so a tracking page's one indexed SELECT cost three round trips through
gevent's hub. A GET or HEAD request now takes its connections from an AUTOCOMMIT copy of the engine (same
pool): each SELECT is sent alone.

What stays the same:
- **Consistency.** PostgreSQL's default READ COMMITTED gives every statement of a transaction its own
  snapshot, so reads in a transaction saw exactly what they see one by one. No request path asks for a
  stronger level (the backup takes its own REPEATABLE READ connection). A view that wants its reads in one
  transaction (a snapshot at REPEATABLE READ, or `now()` fixed across statements) says so with
  `@in_transaction`.
- **Writes.** Before the first statement that is not a plain SELECT (INSERT/UPDATE/DELETE, SAVEPOINT,
  `SET LOCAL`, `SELECT … FOR UPDATE`/`FOR SHARE`, a SELECT calling nextval, setval, an advisory lock,
  set_config, pg_notify, or `SELECT … INTO`), the connection leaves autocommit: psycopg opens the transaction
  with that statement, and everything after it until the commit or rollback is one transaction, as before.
  Reads that came before it were single statements, as they were before in READ COMMITTED.
- POST and the other methods, the command line, the jobs worker and SQLite (whose driver never began a
  transaction for a SELECT) are untouched; so is a session bound to a connection (the test suite's).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, has_request_context, request
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_METHODS = frozenset({"GET", "HEAD"})
TRANSACTION_MARK = "_portal_in_transaction"

View = TypeVar("View", bound=Callable[..., Any])


def in_transaction(view: View) -> View:
    """Mark a GET view whose reads must share one transaction (so it may ask for REPEATABLE READ through
    `db.session.connection(execution_options=...)`): its requests keep psycopg's ordinary transaction."""
    setattr(view, TRANSACTION_MARK, True)
    return view


class PortalSession(FlaskSession):
    """Flask-SQLAlchemy's session, giving a read-only request's statements to the AUTOCOMMIT engine copy."""

    _autocommit_reads: bool | None = None  # decided at the first statement, forgotten when the session closes

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any) -> Any:
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if bind is not None or not isinstance(engine, Engine):
            return engine
        if self._autocommit_reads is None:
            self._autocommit_reads = reads_in_autocommit(engine)
        return autocommit_copy(engine) if self._autocommit_reads else engine

    def close(self) -> None:
        super().close()
        self._autocommit_reads = None


def reads_in_autocommit(engine: Engine) -> bool:
    """Whether this request's reads on `engine` run without a transaction (the rule of this module)."""
    return engine.dialect.name == "postgresql" and _read_only_request()


def read_bind(engine: Engine) -> Engine:
    """What a `PortalSession` of this request would read on: `engine`, or its AUTOCOMMIT copy."""
    return autocommit_copy(engine) if reads_in_autocommit(engine) else engine


def _read_only_request() -> bool:
    if not has_request_context():
        return False
    current = request._get_current_object()  # type: ignore[attr-defined]  # (one proxy look-up)
    if current.method not in READ_METHODS:
        return False
    view = current_app.view_functions.get(current.endpoint or "")
    return not getattr(view, TRANSACTION_MARK, False)


_COPIES: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
_ORIGINALS: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()  # copy -> engine


def autocommit_copy(engine: Engine) -> Engine:
    """The engine's AUTOCOMMIT copy (one per engine, sharing its pool), which leaves autocommit before a write."""
    copy = _COPIES.get(engine)
    if copy is None:
        copy = engine.execution_options(isolation_level="AUTOCOMMIT")
        # Listeners added to the copy run for the copy's connections only.
        event.listen(copy, "before_cursor_execute", _begin_before_writing)
        _COPIES[engine] = copy
        _ORIGINALS[copy] = engine
    return copy


def copied_from(bind: Engine) -> Engine | None:
    """The engine `bind` is the AUTOCOMMIT copy of, or None when it is no such copy."""
    return _ORIGINALS.get(bind)


def _begin_before_writing(connection, cursor, statement, parameters, context, executemany) -> None:
    dbapi_connection = cursor.connection
    if dbapi_connection.autocommit and not plain_read(statement):
        # Allowed: in autocommit no transaction is open. psycopg now sends BEGIN before this statement, and
        # the session's commit or rollback ends that transaction (SQLAlchemy calls the driver's commit and
        # rollback in autocommit mode too). The pool restores the connection's settings when it comes back.
        dbapi_connection.autocommit = False


_WRITE_IN_SELECT = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b"
    r"|\b(?:nextval|setval|pg_advisory\w*|pg_try_advisory\w*|set_config|pg_notify|lo_\w+)\s*\("
    r"|\bINTO\b",
    re.IGNORECASE,
)
_WRITE_IN_WITH = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_READS: dict[str, bool] = {}  # statement text -> plain read; SQLAlchemy's compiled cache repeats the texts


def plain_read(statement: str) -> bool:
    """Whether the statement only reads and takes no lock: it may run outside a transaction."""
    known = _READS.get(statement)
    if known is not None:
        return known
    start = statement.lstrip(" \t\r\n(")[:6].upper()
    if start == "SELECT":
        answer = _WRITE_IN_SELECT.search(statement) is None
    elif start.startswith("WITH"):
        answer = _WRITE_IN_WITH.search(statement) is None and _WRITE_IN_SELECT.search(statement) is None
    else:
        answer = False
    if len(_READS) >= 4096:  # statements with literal values inlined could be endless
        _READS.clear()
    _READS[statement] = answer
    return answer
