"""Rendered HTML fragments of public pages, kept in this process and keyed by the data they show.

A fragment's key is everything its HTML depends on: the rows the page just read (as plain tuples), the
language and the script root. So a fragment is never stale: when an item is published, changed or a
category renamed, the page's own cheap query returns other rows, hence another key, and the old entry
simply ages out. Nothing per visitor may go into a fragment or its key's data: no CSRF token, no flash
message, no signed-in name (the layout around it is rendered per request as before).

Each application keeps at most `LIMIT` fragments per kind (oldest dropped first).

The reference lists such a key includes (categories, communes, the catalogue's filter values) are read
at most every REFERENCE_SECONDS per process (see `reference` below).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from flask import current_app, has_app_context, request
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.i18n import locale_code

LIMIT = 256
T = TypeVar("T")
# Guards only the eviction and the generation counter below (never held while building or loading): with
# threaded workers, evicting the oldest key while another thread inserts would otherwise raise.
_lock = threading.Lock()


def _evict_oldest(store: dict, limit: int) -> None:
    with _lock:
        while len(store) >= limit:
            store.pop(next(iter(store)), None)


def _store(kind: str) -> dict[Hashable, object]:
    stores: dict[str, dict[Hashable, object]] = current_app.extensions.setdefault("portal_fragments", {})
    found = stores.get(kind)
    if found is None:
        found = stores[kind] = {}
    return found


def remembered(kind: str, key: Hashable, build: Callable[[], T]) -> T:
    """The value built for `key` (with the language and script root added to it) in this process."""
    store = _store(kind)
    full_key = (locale_code(), request.script_root, key)
    found = store.get(full_key)
    if found is None:
        found = build()
        _evict_oldest(store, LIMIT)
        store[full_key] = found
    return found  # type: ignore[return-value]


def rendered(kind: str, key: Hashable, render: Callable[[], str]) -> Markup:
    """The HTML `render()` gives for `key`, rendered once per key, language and script root."""
    return remembered(kind, key, lambda: Markup(render()))  # noqa: S704 - our own template's output


def recent(kind: str, key: Hashable, seconds: float, build: Callable[[], T]) -> T:
    """`build()`'s value for `key` (with the language and script root added), kept at most `seconds` and
    only while this application has flushed no change of any table since (the counter `_forget` bumps):
    for a page whose key cannot be known without reading the database. A change committed by another
    process shows after `seconds` at most."""
    store = _store(kind)
    full_key = (locale_code(), request.script_root, key)
    now = time.monotonic()
    generation = current_app.extensions.get(_GENERATION, 0)
    found = cast("tuple[float, int, T] | None", store.get(full_key))
    if found is not None and now < found[0] and found[1] == generation:
        return found[2]
    value = build()
    if current_app.extensions.get(_GENERATION, 0) == generation:  # no change forgotten while building
        _evict_oldest(store, LIMIT)
        store[full_key] = (now + seconds, generation, value)
    return value


# --- reference lists ----------------------------------------------------------------------------------
# The lists a public page shows around its rows (categories, communes, the catalogue's filter values) and
# the catalogue's search answers (34 procedures) change only through an admin page, an import or a seed.
# Each is read at most once per `REFERENCE_SECONDS` per process, and dropped in this process as soon as a
# transaction that flushed a row of one of its tables commits (or rolls back). Another process (worker or
# node) sees such a change within `REFERENCE_SECONDS`.

REFERENCE_SECONDS = 30
_TOUCHED = "portal_reference_tables"
_GENERATION = "portal_reference_generation"  # bumped by every _forget that dropped something in this app


def reference(name: Hashable, tables: frozenset[str], load: Callable[[], T]) -> T:
    """`load()`, kept per application for up to REFERENCE_SECONDS or until one of `tables` changes here.
    `name` may carry arguments (a search and its filters); at most LIMIT * 4 entries are kept."""
    store: dict[Hashable, tuple[float, frozenset[str], object]] = current_app.extensions.setdefault(
        "portal_reference", {}
    )
    entry = store.get(name)
    now = time.monotonic()
    if entry is None or entry[0] <= now:
        # A change committed by another request of this process while `load()` ran would be forgotten
        # before this value is stored: keep the value only if no change was forgotten meanwhile.
        generation = current_app.extensions.get(_GENERATION, 0)
        value = load()
        if current_app.extensions.get(_GENERATION, 0) == generation:
            _evict_oldest(store, LIMIT * 4)
            store[name] = (now + REFERENCE_SECONDS, tables, value)
        return value
    return entry[2]  # type: ignore[return-value]


def _forget(tables: set[str]) -> None:
    if not tables or not has_app_context():
        return
    extensions = current_app.extensions
    with _lock:
        extensions[_GENERATION] = extensions.get(_GENERATION, 0) + 1
    store = extensions.get("portal_reference", {})
    for name, (_, watched, _) in list(store.items()):
        if watched & tables:
            store.pop(name, None)


def _note_flush(session: Session, flush_context) -> None:
    tables = {
        table.name
        for group in (session.new, session.dirty, session.deleted)
        for row in group
        if (table := getattr(row, "__table__", None)) is not None
    }
    if tables:
        changed(session, tables)


def changed(session: Session, tables: set[str]) -> None:
    """Rows of `tables` written in `session`'s transaction without a flush (a Core INSERT on a hot path: the
    feedback submission): told here as a flush of them tells it (now, and again when the transaction ends)."""
    session.info.setdefault(_TOUCHED, set()).update(tables)
    _forget(tables)


def _transaction_over(session: Session, *args) -> None:
    _forget(session.info.pop(_TOUCHED, set()))


def install() -> None:
    """Once per process (the listeners are on the Session class)."""
    for name, listener in (
        ("after_flush", _note_flush),
        ("after_commit", _transaction_over),
        ("after_soft_rollback", _transaction_over),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def forget_all() -> None:
    """Drop this application's fragments and reference lists (the test suite, whose per-test rollback
    happens outside the session where no listener sees it)."""
    current_app.extensions.pop("portal_fragments", None)
    current_app.extensions.pop("portal_reference", None)
