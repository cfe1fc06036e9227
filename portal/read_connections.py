"""Driver connections kept checked out, in autocommit, for `portal.database.read_row`'s reads on PostgreSQL in
a GET (the status pages' key statement).

Why: each such read checked a connection out of SQLAlchemy's pool and back in (the pool queue's locks, which
gevent's patching turns into Python code, the checkout and checkin events, the reset) and switched psycopg's
autocommit on and off around its one statement. In the gevent worker that was ~70 µs of CPU of a status page's
~0.7 ms in-process (bench/notes/tracking5.md), about as much as the statement itself.

How: the connection a read checked out is kept, already in autocommit, for the next read of this process (a
*lease*). A lease is used for at most `LEASE_SECONDS` after its checkout, then given back to the pool:
autocommit off, and its idle clock (portal.database's ping_if_idle) set to its last read, so the pool pings it
if it then waits as long as any idle connection would be pinged after. At most `max_idle` leases wait between
reads (a quarter of the pool's size, at most 4); a read that finds none checks one out, and a lease that
finds the waiting list full goes back to the pool at once. Any checkout of the pool (an ORM request's, a
read's) first gives back the waiting leases whose time is up, so after a burst of status pages the pool's
whole capacity is there for the next request of any kind, not only for the next status page.

What stays the same: every read is one statement sent to PostgreSQL when the request asks (a lease is a
connection, never an answer): a commit of any process or node is seen by the next read, as before. The same
pool (a lease counts as checked out, so it also bounds how many connections a process opens), the same
connect-time setup, no BEGIN or ROLLBACK. A read that fails drops its connection (invalidated, never reused or
given back in autocommit) and portal.database sends it again SQLAlchemy's way. `engine.dispose()` closes the
waiting leases, as it closes the pool's idle connections; a lease of a pool the engine no longer uses (one in
use during the dispose) is never read on again, and closed. In a process that is not the one that kept them
(a child after a fork: `dispose(close=False)` there), the waiting leases are forgotten as SQLAlchemy forgets
the old pool's connections, never closed: their sockets are the parent's, and closing them would end the
parent's sessions.
"""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

LEASE_SECONDS = 5.0  # well under portal.database.IDLE_PING_SECONDS: a lease in use never needs the idle ping
MAX_IDLE = 4
CHECKED_IN_AT = "portal_checked_in_at"  # a pool record's info: when it was last given back (the idle ping's)

clock: Callable[[], float] = time.monotonic  # replaced by tests to move time forward


class Lease:
    """A pooled connection (SQLAlchemy's `PoolProxiedConnection`) checked out in autocommit for key reads."""

    __slots__ = ("raw", "cursor", "pool", "since", "used")

    def __init__(self, raw: Any, cursor: Any, pool: Any, since: float) -> None:
        self.raw, self.cursor, self.pool, self.since, self.used = raw, cursor, pool, since, since


class _Waiting:
    """An engine's leases waiting between reads, most recently used last."""

    __slots__ = ("leases", "limit", "pid")

    def __init__(self, limit: int) -> None:
        self.leases: list[Lease] = []
        self.limit = limit
        self.pid = os.getpid()  # the process whose connections they are


_WAITING: weakref.WeakKeyDictionary[Engine, _Waiting] = weakref.WeakKeyDictionary()


def take(engine: Engine, checkout: Callable[[Engine], Any], cursor_of: Callable[[Any], Any]) -> Lease | None:
    """A waiting lease of `engine` still within its time, else a connection checked out now with `checkout`,
    switched to autocommit, with the cursor `cursor_of` gives it (portal.database's kept cursor); None when the
    switch failed (that connection is dropped). A checkout's error (the database cannot be reached) is raised."""
    waiting = _waiting(engine)
    now = clock()
    leases = waiting.leases
    while leases:
        lease = leases.pop()
        if lease.pool is engine.pool and now - lease.since < LEASE_SECONDS:
            lease.used = now
            return lease
        _retire(engine, lease)
    raw = checkout(engine)
    try:
        raw.dbapi_connection.autocommit = True
        cursor = cursor_of(raw)
    except Exception:  # a broken connection: not for the pool, and the read goes SQLAlchemy's way
        raw.invalidate()
        return None
    except BaseException:  # an interruption (a gevent timeout): the connection is not given back
        raw.invalidate()
        raise
    return Lease(raw, cursor, engine.pool, now)


def keep(engine: Engine, lease: Lease) -> None:
    """After a read that succeeded: wait for the next read, or back to the pool (time up, list full)."""
    waiting = _waiting(engine)
    if (
        len(waiting.leases) < waiting.limit
        and lease.pool is engine.pool
        and lease.used - lease.since < LEASE_SECONDS
    ):
        waiting.leases.append(lease)
    else:
        _retire(engine, lease)


def drop(lease: Lease) -> None:
    """After a read that failed: the connection is not known to be reusable (never back, nor in autocommit)."""
    lease.raw.invalidate()


def _retire(engine: Engine, lease: Lease) -> None:
    """A lease no longer kept: back to its pool, or closed when the engine has replaced that pool (dispose()
    closed the old pool's idle connections; nothing would close one given back to it)."""
    if lease.pool is engine.pool:
        give_back(lease)
    else:
        lease.raw.invalidate()


def give_back(lease: Lease) -> None:
    """Autocommit off, then back to the pool, its idle clock from its last read."""
    raw = lease.raw
    info = raw.info
    try:
        raw.dbapi_connection.autocommit = False
    except Exception:  # a broken connection (or one left in a transaction): not for the pool
        raw.invalidate()
        return
    raw.close()  # the pool's reset: a rollback, which sends nothing outside a transaction
    info[CHECKED_IN_AT] = lease.used  # after the checkin event stamped now: it has waited since its last read


def waiting_count(engine: Engine) -> int:
    """How many leases of `engine` wait between reads (for tests and diagnostics)."""
    waiting = _WAITING.get(engine)
    return 0 if waiting is None else len(waiting.leases)


def _waiting(engine: Engine) -> _Waiting:
    waiting = _WAITING.get(engine)
    if waiting is None:
        size = engine.pool.size() if hasattr(engine.pool, "size") else 0
        waiting = _WAITING[engine] = _Waiting(min(MAX_IDLE, size // 4))
        if not event.contains(engine, "engine_disposed", _close_waiting):
            event.listen(engine, "engine_disposed", _close_waiting)
            event.listen(engine, "checkout", _expired_giver(engine, waiting))
    return waiting


def _expired_giver(engine: Engine, waiting: _Waiting) -> Callable[..., None]:
    """The pool's checkout listener: the waiting leases whose time is up go back to the pool (or are closed, as
    `_retire` decides). Without it they waited for the next key read, however long that was, checked out and
    idle, and every other checkout had up to `MAX_IDLE` connections fewer (bench/notes/tracking5.md, Review).
    (A lease given back here is one the checkout under way could not have had; the next one can.)"""
    engine_ref = weakref.ref(engine)  # the engine's own listener: no strong reference back to it

    def give_back_expired(dbapi_connection: Any, connection_record: Any, connection_proxy: Any) -> None:
        leases = waiting.leases
        if not leases:
            return
        now = clock()
        expired = [lease for lease in leases if now - lease.since >= LEASE_SECONDS]
        owner = engine_ref()
        if not expired or owner is None:
            return
        for lease in expired:
            # Off the list before its checkin, one by one: with threads, another may have taken it meanwhile
            # (then it is that thread's), or appended a lease that must stay (a slice assignment dropped it).
            try:
                leases.remove(lease)
            except ValueError:
                continue
            _retire(owner, lease)

    return give_back_expired


def _close_waiting(engine: Engine) -> None:
    """engine.dispose(): the old pool's idle connections are closed; so are the waiting leases (of that pool).
    In a child process after a fork they are the parent's connections: forgotten, not closed."""
    waiting = _WAITING.get(engine)
    if waiting is None:
        return
    if waiting.pid != os.getpid():
        waiting.leases.clear()
        waiting.pid = os.getpid()
        return
    while waiting.leases:
        waiting.leases.pop().raw.invalidate()
