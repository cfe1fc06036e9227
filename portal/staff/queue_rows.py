"""The queue page's rows, kept for `ROWS_SECONDS` in this process and dropped by any write it makes.

Under load the same officer (or the same browser tab's refresh) asks for the same page many times a second;
each time the page statement ran and ~25 rows were written out (`queue_view.rows_html`, the Decision 766
hints with them): well over a third of a request's work. An entry here is the written rows, the next page's
key and the leader's approvals count, for one key: the whole filter (the officer's id in it, so an entry is
one officer's), the officer's role, the province's day, the language and the script root.

What stays true:
- A change this process makes shows at once, to everybody: ANY flush that writes something, any ORM
  UPDATE/DELETE/INSERT statement and any `queue_cache.changed` (claim, release) moves the process's
  generation on, and only an entry of the current generation is served. The generation is read before the
  rows are, so rows read before a commit are never kept under the generation that follows it (the commit
  moves it on again). Rows read inside a transaction that wrote are not kept at all.
- The officer who acted sees the change at once on any worker or node: a staff request whose commit changed
  a feedback item or a dossier stamps the (signed) session with the time (`WROTE`), and for
  `ROWS_SECONDS + CLOCK_SKEW` after that stamp the page is read afresh for that session wherever it lands.
- A change made by another process (another worker, node, or the jobs worker) shows within
  `ROWS_SECONDS`: an entry is never served older than that (README, "Staff queue").
- A search (`q=`) is never kept (its rows would rarely be asked for again).

One build at a time per key (as `queue_cache` refreshes the counts): before, an entry expired for every
connection at once and each one's next request read the page (12-16 builds within 100 ms on the one gevent
worker, 230-300 ms each instead of 20 ms: the page's p99). Now:
- refresh ahead: from `REFRESH_SECONDS` on, the first request that finds the entry (still of this
  generation, under `ROWS_SECONDS` old) reads the page again while every other request keeps being served
  the entry;
- single flight: a request that finds no entry it may serve (none yet, expired, or a write of this process
  moved the generation) while a build of the same key and the same generation is under way waits for it (at
  most `WAIT_SECONDS`; `threading.Event`, a gevent event once gunicorn's gevent worker has patched the
  standard library) and uses its rows if that build started less than `ROWS_SECONDS` before the request did
  and kept them (not in a transaction that wrote); otherwise, or if the build failed, it reads them itself.
  A build of the same generation read nothing older than this process's last write before the request.

Bounded: at most `MAX_KEPT` entries per application, all dropped when full.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from portal.dossiers.models import Dossier
from portal.feedback.models import Feedback

ROWS_SECONDS = 2.0
REFRESH_SECONDS = 1.5  # from this age one request reads the rows again, the others keep the entry
WAIT_SECONDS = 1.0  # the longest a request waits for another's build of its rows before reading them
CLOCK_SKEW = 5  # seconds the nodes' clocks may differ by (NTP keeps them within well under a second)
MAX_KEPT = 1024
WROTE = "queue_wrote"  # session key: when this staff session last committed a write (seconds)
_WRITING = "staff_queue_rows_writing"  # session.info: this transaction wrote something
_ITEMS = "staff_queue_rows_items"  # session.info: ... to a feedback item or a dossier

_generation = 0

clock: Callable[[], float] = time.monotonic  # replaced by tests to move time forward
wall_clock: Callable[[], float] = time.time


def generation() -> int:
    return _generation


def _bump() -> None:
    global _generation
    _generation += 1


def _kept(app: Flask) -> dict[tuple, tuple[float, int, Any]]:
    return app.extensions.setdefault("staff_queue_rows", {})


class Flight:
    """A build under way (of these rows, or of an agency's counts in queue_cache): when it started, and
    (once `done` is set, `kept` true) its value for those who waited."""

    __slots__ = ("started", "done", "kept", "value")

    def __init__(self, started: float) -> None:
        self.started = started
        self.done = threading.Event()  # looked up at run time: gevent's once the worker has patched threading
        self.kept = False
        self.value: Any = None


def _flights(app: Flask) -> dict[tuple, Flight]:
    """The builds under way, by (key, generation)."""
    return app.extensions.setdefault("staff_queue_rows_flights", {})


def clear() -> None:
    """Drop every entry of this application (tests that count a cold page's statements)."""
    _kept(current_app).clear()


def fresh_for_this_session() -> bool:
    """True while this session's own recent write must be read from the database, not from an entry."""
    wrote = session.get(WROTE)
    return isinstance(wrote, int | float) and wall_clock() - wrote < ROWS_SECONDS + CLOCK_SKEW


def _wait(flight: Flight) -> bool:
    return flight.done.wait(WAIT_SECONDS)


def rows(key: tuple, build: Callable[[], Any], writing: Callable[[], bool]) -> Any:
    """The entry for `key` if it is of this generation and under ROWS_SECONDS old (read again ahead of that
    by one request), else another request's build of this generation if one is under way, else `build()`
    (kept unless `writing()` says this transaction wrote something)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    kept = _kept(app)
    started, seen = clock(), _generation
    if fresh_for_this_session():
        return _build(app, key, started, seen, build, writing)[0]
    found = kept.get(key)
    flights = _flights(app)
    if found is not None and found[1] == seen and started - found[0] < ROWS_SECONDS:
        if started - found[0] < REFRESH_SECONDS or (key, seen) in flights:
            return found[2]
        mine = Flight(started)
        if flights.setdefault((key, seen), mine) is not mine:
            return found[2]  # another request is reading it again (it came in between)
        return _lead(app, key, seen, mine, build, writing)
    mine = Flight(started)
    flight = flights.setdefault((key, seen), mine)
    if flight is mine:
        return _lead(app, key, seen, mine, build, writing)
    if started - flight.started < ROWS_SECONDS and _wait(flight) and flight.kept:
        return flight.value
    return _build(app, key, started, seen, build, writing)[0]


def _lead(
    app: Flask, key: tuple, seen: int, flight: Flight, build: Callable[[], Any], writing: Callable[[], bool]
) -> Any:
    """Build for everybody waiting on `flight`; whatever happens, the key is no longer in flight after."""
    try:
        flight.value, flight.kept = _build(app, key, flight.started, seen, build, writing)
        return flight.value
    finally:
        _flights(app).pop((key, seen), None)
        flight.done.set()


def _build(
    app: Flask, key: tuple, started: float, seen: int, build: Callable[[], Any], writing: Callable[[], bool]
) -> tuple[Any, bool]:
    """`build()`, and whether it was kept: an entry is not replaced by one of an older generation or
    start (builds of a key may now end in any order)."""
    value = build()
    if writing():
        return value, False
    kept = _kept(app)
    found = kept.get(key)
    if found is None or (found[1], found[0]) <= (seen, started):
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[key] = (started, seen, value)
    return value, True


def writing(db_session: Any) -> bool:
    return bool(db_session.info.get(_WRITING))


# --- invalidation ------------------------------------------------------------------------------------


def _wrote(session_: Session, items: bool) -> None:
    session_.info[_WRITING] = True
    if items:
        session_.info[_ITEMS] = True
    _bump()


def _after_flush(session_: Session, flush_context) -> None:
    items = any(
        isinstance(instance, Feedback | Dossier)
        for group in (session_.new, session_.dirty, session_.deleted)
        for instance in group
    )
    _wrote(session_, items)


def _orm_execute(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        mapper = state.bind_mapper
        _wrote(state.session, mapper is None or mapper.class_ in (Feedback, Dossier))


def _after_commit(session_: Session) -> None:
    items = session_.info.pop(_ITEMS, False)
    if not session_.info.pop(_WRITING, False):
        return
    _bump()
    if items and has_request_context():
        # No SQL may run inside the commit's event (the signed-in account, expired by the commit, would
        # load): the session is stamped when the response leaves (`_stamp_session`).
        g.queue_rows_items_changed = True


def _stamp_session(response: Response) -> Response:
    """After a request whose commit changed an item: a staff member's session carries the time (WROTE)."""
    if g.pop("queue_rows_items_changed", False):
        user = current_user._get_current_object()
        if user is not None and user.is_authenticated and user.is_staff:
            session[WROTE] = wall_clock()
    return response


def _after_rollback(session_: Session, previous_transaction) -> None:
    session_.info.pop(_ITEMS, None)
    if session_.info.pop(_WRITING, False):
        _bump()


def changed() -> None:
    """An UPDATE outside the ORM (queue_cache.changed: claim, release) changed an item."""
    from portal.extensions import db

    _wrote(db.session(), True)


def init_app(app: Flask) -> None:
    app.after_request(_stamp_session)


def install() -> None:
    """Once per process (the listeners are on the Session class)."""
    for name, listener in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _orm_execute),
        ("after_commit", _after_commit),
        ("after_soft_rollback", _after_rollback),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
