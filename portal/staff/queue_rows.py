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

Bounded: at most `MAX_KEPT` entries per application, all dropped when full.
"""

from __future__ import annotations

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


def clear() -> None:
    """Drop every entry of this application (tests that count a cold page's statements)."""
    _kept(current_app).clear()


def _fresh_for_this_session() -> bool:
    """True while this session's own recent write must be read from the database, not from an entry."""
    wrote = session.get(WROTE)
    return isinstance(wrote, int | float) and wall_clock() - wrote < ROWS_SECONDS + CLOCK_SKEW


def rows(key: tuple, build: Callable[[], Any], writing: Callable[[], bool]) -> Any:
    """The entry for `key` if it is of this generation and under ROWS_SECONDS old, else `build()` (kept
    unless `writing()` says this transaction wrote something)."""
    kept = _kept(current_app)
    started, seen = clock(), _generation
    if not _fresh_for_this_session():
        found = kept.get(key)
        if found is not None and found[1] == seen and started - found[0] < ROWS_SECONDS:
            return found[2]
    value = build()
    if not writing():
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[key] = (started, seen, value)
    return value


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
