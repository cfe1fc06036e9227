"""A short memory of `policy.payable` answers in this process, so a QR image asked for again runs no SQL.

Staleness, stated: an answer is kept at most `STALE_SECONDS` (5 s), counted from before its statement ran.
- **This process** forgets every kept answer at once when it writes to `payments` or `vietqr_accounts`
  (any INSERT, UPDATE or DELETE sent through the app's engines: ORM flush, Core UPDATE or raw SQL), again when
  that statement has run and again when its transaction commits or rolls back. So a payment paid, cancelled
  or underpaid here, or a fee account saved here, is served as it now is from the next request on (404 once
  paid or cancelled), including a rollback's return to the old state.
- **Another process** (another gunicorn worker, another node, `psql`) changes what this one serves within
  `STALE_SECONDS`: for up to 5 s its QR image may still show a payment that was just paid or cancelled, or
  the previous amount or fee account. The bare image address is already kept 300 s by browsers
  (routes.UNVERSIONED), and the payment page itself always reads the database.

An answer read while a write was under way is not kept (a generation number, bumped at every forgetting, is
compared before storing), so a read that raced a commit cannot keep the old state for 5 s. Unknown and
no-longer-payable references are kept too (as None), at most `SIZE` entries, oldest out first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Connection

from portal.lru import BoundedLRU

STALE_SECONDS = 5.0
SIZE = 4096
TABLES = ("payments", "vietqr_accounts")
EXTENSION = "portal.payable_cache"
_WROTE = "portal_payable_written"  # in a connection's info: it wrote one of TABLES since its last commit

clock: Callable[[], float] = time.monotonic  # tests move time by replacing it

T = TypeVar("T")


class ShortMemory(Generic[T]):
    """Answers by key, each kept `seconds`; `forget_all()` drops them and refuses answers read before it."""

    def __init__(self, seconds: float = STALE_SECONDS, size: int = SIZE) -> None:
        self.seconds = seconds
        self.kept: BoundedLRU[str, tuple[float, T | None]] = BoundedLRU(size)
        self.generation = 0
        self.lock = threading.Lock()  # the generation and the store that depends on it
        self.hits = self.misses = 0

    @property
    def entries(self) -> OrderedDict[str, tuple[float, T | None]]:
        return self.kept.entries

    def get(self, key: str, load: Callable[[str], T | None]) -> T | None:
        now = clock()
        with self.lock:
            found = self.kept.get(key)
            if found is not None and now - found[0] < self.seconds:
                self.hits += 1
                return found[1]
            self.misses += 1
            generation = self.generation
        value = load(key)  # may yield to other greenlets (PostgreSQL)
        with self.lock:
            if generation == self.generation:  # nothing was written meanwhile: keep it, dated before the read
                self.kept.put(key, (now, value))
        return value

    def forget_all(self) -> None:
        with self.lock:
            self.kept.clear()
            self.generation += 1


def _writes_a_table(statement: str) -> bool:
    return statement.lstrip()[:6].upper() != "SELECT" and any(table in statement for table in TABLES)


def init_app(app: Flask, engines: list[Any]) -> None:
    """Give `app` its memory and forget it whenever one of `engines` writes to TABLES (see the docstring)."""
    memory: ShortMemory[Any] = ShortMemory()
    app.extensions[EXTENSION] = memory

    def before(conn: Connection, cursor, statement: str, *args) -> None:
        if _writes_a_table(statement):
            conn.info[_WROTE] = True
            memory.forget_all()

    def after(conn: Connection, cursor, statement: str, *args) -> None:
        if _writes_a_table(statement):  # in autocommit (a PostgreSQL GET) it is committed now
            memory.forget_all()

    def ended(conn: Connection, *args) -> None:
        if conn.info.pop(_WROTE, False):
            memory.forget_all()

    def savepoint_ended(conn: Connection, *args) -> None:
        if conn.info.get(_WROTE):
            memory.forget_all()

    for engine in engines:
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        event.listen(engine, "commit", ended)
        event.listen(engine, "rollback", ended)
        event.listen(engine, "rollback_savepoint", savepoint_ended)
        event.listen(engine, "release_savepoint", savepoint_ended)


def memory() -> ShortMemory[Any]:
    return current_app.extensions[EXTENSION]
