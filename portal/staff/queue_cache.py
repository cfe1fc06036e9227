"""What the queue page needs on every request but what rarely changes, kept in the shared cache
(portal.caching: Redis when REDIS_URL is set, so every worker and node sees one copy; else this process's
memory): the quick-filter counts of an agency, and the filter dropdowns.

Counts: one statement (queue_counts) counts both kinds of an agency's open items, grouped by assignee, so
one cached entry answers every officer of the agency ("assigned to me" is that officer's group, "unassigned"
the NULL group). That count reads every open item of the agency, the one cost of the page that grows with
the data, so an entry is kept up to `COUNTS_SECONDS` and dropped as soon as this application changes an item
of the agency: a flush that adds, deletes or changes the queue key, the assignee or the agency of a feedback
item or a dossier (whatever route or job does it), and the claim and release UPDATEs (`changed`). Without
Redis each worker process has its own copy, so a change made through another process shows after at most a
minute; the page says so. An entry also carries the day it was counted for, so "overdue" turns at midnight,
and the time its count started (`at`): an entry `COUNTS_SECONDS` old or older is never shown (counted
afresh).

Refresh ahead, one request at a time: from `REFRESH_SECONDS` on, the first request that finds the entry
(and wins `cache.add` of a short lock, so one per agency across workers with Redis) counts again, while
every other request keeps reading the entry, still under `COUNTS_SECONDS` old. Before, the entry expired
for everyone at once and each concurrent request of the agency ran the count (16 at a time under wrk at
1M rows: the queue's p99).

One count at a time per agency in a process: a request that finds no entry it may show (none, another
day's, or `COUNTS_SECONDS` old) while a count of the same agency, day and write generation
(`queue_rows.generation()`: it moves with any write this process makes) is under way in this process waits
for that count (at most `WAIT_SECONDS`) instead of running its own. Before, after a quiet minute the 16
connections of the benchmark each ran the count at once (~85 ms alone on PostgreSQL at 1M rows, over a
second when sixteen ran together: the page's p99). A refresh ahead is such a count too: a request that finds
the entry 60 s old while it runs waits for it. A refresh that fails is logged and the entry shown (it is
still under `COUNTS_SECONDS` old); whoever waited for it counts itself.

A count begun before a change another process commits may read the rows without it and be stored after
that process dropped the entry. So `_forget` also adds one to the agency's change number (`changes_key`; an
INCR with Redis) before it drops the entry, an entry carries the number read before its count began, and
an entry whose number is no longer the agency's is as good as none (read in the same round trip).

Where a count runs (portal/staff/queue_counts.py): under gunicorn's gevent worker, in an OS thread of the
gevent hub through the request's own connection, so the worker's other connections are served meanwhile (SQLite's count
never yielded: every refresh stood the whole worker still); elsewhere (tests, `flask run`) in the request.

Dropdowns: the `<option>`s of the communes and wards, feedback categories and active procedures, written
once for both languages (no officer's data in them: the chosen option is marked per request), kept up to
`CHOICES_SECONDS` and dropped on any flush that touches those tables.

A cache that does not answer only costs a fresh count: the page never fails because of it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import current_app, has_app_context, has_request_context
from markupsafe import escape
from sqlalchemy import Connection, event, inspect, select
from sqlalchemy.orm import InstanceState, Session

from portal.catalog.models import Procedure
from portal.domain.collation import sort_key
from portal.dossiers.models import Dossier
from portal.extensions import cache, db
from portal.feedback import numbering
from portal.feedback.models import Feedback, FeedbackCategory
from portal.feedback.queries import categories_in_order
from portal.places.models import AdminUnit

from . import queue_counts, queue_rows

COUNTS_SECONDS = 60
REFRESH_SECONDS = 45  # from this age one request counts again while the others read the entry
WAIT_SECONDS = 5.0  # the longest a request waits for another request's count of its agency
_FLIGHTS = "staff_queue_counts_flights"  # app.extensions: counts under way in this process
CHOICES_SECONDS = 300
CHOICES_KEY = "staff-queue:choices-html"  # (the rows, before: another shape)
ALL_AGENCIES = "all"
_NOTED = "staff_queue_agencies"  # session.info: agencies whose counts this transaction changed
# status: a dossier's "overdue" (statistics.queries.overdue) turns with it (a result ready keeps its queue key)
_WATCHED = ("queue_due", "assignee_id", "agency_id", "status")


def counts_key(agency_id: int | None) -> str:
    return f"staff-queue:counts:{ALL_AGENCIES if agency_id is None else agency_id}"


def _now() -> float:
    return time.time()


def recount_key(agency_id: int | None) -> str:
    return counts_key(agency_id) + ":recount"


def changes_key(agency_id: int | None) -> str:
    """How many times the agency's items were changed through the portal (`_forget` adds one): an entry
    keeps the number read before its count began and is shown only while it is still the number."""
    return counts_key(agency_id) + ":changes"


def _count(agency_id: int | None, today: date, connection: Connection | None = None) -> dict[str, Any]:
    """The agency's counts, through the request's session or (in a thread of the hub) `connection`."""
    return queue_counts.count(db.session if connection is None else connection, agency_id, today, _now)


def _apart() -> bool:
    return queue_counts.counts_apart()


def _counted(agency_id: int | None, today: date) -> dict[str, Any]:
    """`_count`: beside the event loop under the gevent worker (queue_counts), else in the request.

    Apart, the count reads through the request's own connection, which its greenlet does not use while it
    waits for the thread: never a second connection from the pool. With one, a burst of queue requests that
    each held a connection (their rows, the account) and waited for a count could empty the pool, and every
    count then waited the pool's timeout and failed (bench/notes/queue7.md, the review)."""
    if not _apart():
        return _count(agency_id, today)
    result: dict[str, Any] = queue_counts.run_apart(_count, agency_id, today, db.session.connection())
    return result


def options_html(pairs: Iterable[tuple[Any, Any]]) -> str:
    """`<option>`s of (value, label) pairs, none chosen (queue_view.select marks one), every value and label
    escaped: what the template's loop wrote."""
    return "".join(f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in pairs)


def _choices() -> dict[str, Any]:
    """The dropdowns' `<option>`s, written once for both languages (English names where the page in English
    shows them): the page only marks the chosen one."""
    units = db.session.execute(select(AdminUnit.code, AdminUnit.name)).all()
    categories = db.session.execute(
        select(FeedbackCategory.id, FeedbackCategory.slug, FeedbackCategory.name, FeedbackCategory.name_en)
    ).all()
    procedures = db.session.execute(
        select(Procedure.id, Procedure.name, Procedure.name_en).where(Procedure.is_active)
    ).all()
    # Each list in the alphabetical order of the names it shows (Vietnamese order, "Other" category last).
    return {
        "units": options_html(
            sorted(((code, name) for code, name in units), key=lambda pair: sort_key(pair[1]))
        ),
        "categories": {
            language: options_html(
                (row.id, row.name_en if language == "en" else row.name)
                for row in categories_in_order(categories, language)
            )
            for language in ("vi", "en")
        },
        "procedures": {
            "vi": options_html(sorted(((id_, name) for id_, name, _en in procedures), key=by_label)),
            "en": options_html(sorted(((id_, en or name) for id_, name, en in procedures), key=by_label)),
        },
    }


def by_label(pair: tuple[Any, str]) -> Any:
    return sort_key(pair[1])


def _warn(what: str) -> None:
    current_app.logger.warning("cache unavailable; staff queue %s read afresh", what)


def _age(counted: dict[str, Any] | None, today: date) -> float:
    """Seconds since the entry's count started; infinite for no entry, another day's, or one without `at`."""
    if counted is None or counted.get("day") != today or "at" not in counted:
        return float("inf")
    return max(0.0, _now() - counted["at"])


def _claim_recount(agency_id: int | None) -> bool:
    """True for the one request that counts the agency again ahead of expiry (the lock lapses on its own)."""
    try:
        return bool(cache.add(recount_key(agency_id), 1, timeout=COUNTS_SECONDS - REFRESH_SECONDS))
    except Exception:  # noqa: BLE001 - no lock, no refresh ahead: the entry expires and is counted then
        return False


def page_data(agency_id: int | None, today: date) -> tuple[dict[str, Any], dict[str, Any]]:
    """The agency's counts (as of `today`) and the dropdowns: from the cache, one round trip, else counted."""
    key = counts_key(agency_id)
    try:
        counted, choices, changes = cache.get_many(key, CHOICES_KEY, changes_key(agency_id))
    except Exception:  # noqa: BLE001 - a cache that does not answer only costs a fresh count
        _warn("counts")
        return _counted(agency_id, today), _choices()
    if counted is not None and counted.get("changes") != changes:
        # Changed since this count began (perhaps by another process, which dropped the entry before this
        # one was stored from rows read before its commit): as good as no entry.
        counted = None
    fresh: dict[str, Any] = {}
    age = _age(counted, today)
    if age >= COUNTS_SECONDS:
        counted, ours = _count_once(agency_id, today)
        if ours:  # a count another request made is kept by that request (not set again, maybe after a drop)
            fresh[key] = {**counted, "changes": changes}
    elif age >= REFRESH_SECONDS and _claim_recount(agency_id):
        counted, ours = _refresh(agency_id, today, counted)
        if ours:
            fresh[key] = {**counted, "changes": changes}
    if choices is None:
        choices = fresh[CHOICES_KEY] = _choices()
    if fresh:
        try:
            for name, value in fresh.items():
                cache.set(name, value, timeout=CHOICES_SECONDS if name == CHOICES_KEY else COUNTS_SECONDS)
        except Exception:  # noqa: BLE001
            _warn("counts (not kept)")
    return counted, choices


def _refresh(agency_id: int | None, today: date, current: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Count ahead of expiry. A count that fails is logged and the entry (still under COUNTS_SECONDS old) is
    shown; the lock keeps others from trying again before it lapses, the entry's expiry then counts."""
    try:
        return _count_once(agency_id, today, current)
    except Exception:
        current_app.logger.exception("staff queue counts of agency %s not refreshed; entry kept", agency_id)
        return current, False


def _wait(flight: queue_rows.Flight) -> bool:
    return flight.done.wait(WAIT_SECONDS)


def _count_once(
    agency_id: int | None, today: date, current: dict[str, Any] | None = None
) -> tuple[dict[str, Any], bool]:
    """The agency's count and True, or (False) the one another request of this process is making for the
    same agency, day and write generation (waiting for it at most WAIT_SECONDS; if it fails or takes longer,
    our own). A session that has just changed an item (queue_rows.fresh_for_this_session: perhaps through
    another process, whose change this process's generation does not see) never takes another's count.
    A refresh ahead (`current`, the entry it refreshes) is such a count too, and leaves it to one under way.
    """
    if has_request_context() and queue_rows.fresh_for_this_session():
        return _counted(agency_id, today), True
    flights: dict[tuple, queue_rows.Flight] = current_app.extensions.setdefault(_FLIGHTS, {})
    key = (agency_id, today, queue_rows.generation())
    mine = queue_rows.Flight(_now())
    flight = flights.setdefault(key, mine)
    if flight is not mine:
        if current is not None:  # a count of the same generation is under way: it refreshes the entry
            return current, False
        if _wait(flight) and flight.kept:
            return flight.value, False
        return _counted(agency_id, today), True
    try:
        mine.value = _counted(agency_id, today)
        mine.kept = True
        return mine.value, True
    finally:
        flights.pop(key, None)
        mine.done.set()


def for_officer(counted: dict[str, Any], officer_id: int) -> dict[str, int]:
    """The quick-filter figures one officer sees, from the agency's cached counts."""
    by_assignee = counted["by_assignee"]
    return {
        "all": counted["dossier"] + counted["feedback"],
        "dossier": counted["dossier"],
        "feedback": counted["feedback"],
        "overdue": counted["overdue"],
        "costly": counted.get("costly", 0),  # an entry cached before the count existed has none
        "mine": by_assignee.get(officer_id, 0),
        "unassigned": by_assignee.get(None, 0),
    }


# --- invalidation ------------------------------------------------------------------------------------


def _forget(agencies: set) -> None:
    if not agencies or not has_app_context():
        return
    keys = [CHOICES_KEY if agency == CHOICES_KEY else counts_key(agency) for agency in agencies]
    counted = {agency for agency in agencies if agency != CHOICES_KEY}
    if counted:
        keys.append(counts_key(None))  # the province-wide admin's counts include every agency
        counted.add(None)
    try:
        for agency in counted:  # before the entries go: a count stored after this is not shown
            cache.cache.inc(changes_key(agency))  # INCR with Redis: no change is lost
        cache.delete_many(*keys)
    except Exception:  # noqa: BLE001 - the entries expire on their own within COUNTS_SECONDS
        current_app.logger.warning("cache unavailable; staff queue counts expire on their own")


def changed(agency_id: int | None) -> None:
    """An UPDATE outside the ORM's flush changed the queue of `agency_id`: drop its counts now and again
    when the transaction ends (so a count made meanwhile from the old rows does not stay)."""
    noted = db.session.info.setdefault(_NOTED, set())
    noted.add(agency_id)
    _forget({agency_id})
    queue_rows.changed()  # and this process's kept pages


def _touched(item: Feedback | Dossier, is_new_or_deleted: bool) -> set:
    state: InstanceState = inspect(item)
    if is_new_or_deleted:
        return {item.agency_id}
    agencies: set = set()
    for name in _WATCHED:
        history = state.attrs[name].history
        if history.has_changes():
            agencies.add(item.agency_id)
            if name == "agency_id":
                agencies.update(value for value in history.deleted if value is not None)
    return agencies


def _note_flush(session: Session, flush_context, instances) -> None:
    agencies: set = set()
    for group, is_new_or_deleted in ((session.new, True), (session.deleted, True), (session.dirty, False)):
        for item in group:
            if isinstance(item, Feedback | Dossier):
                agencies |= _touched(item, is_new_or_deleted)
            elif isinstance(item, AdminUnit | FeedbackCategory | Procedure):
                agencies.add(CHOICES_KEY)
    agencies.discard(None)
    if agencies:
        session.info.setdefault(_NOTED, set()).update(agencies)
        _forget(agencies)


def _transaction_over(session: Session, *args) -> None:
    agencies = session.info.pop(_NOTED, None)
    if agencies:
        _forget(agencies)


def _inserted(_session: Session, item: Feedback) -> None:
    """A report written by one INSERT without a flush (portal/feedback/numbering.py): told as `_note_flush`
    tells a new item."""
    changed(item.agency_id)


def install() -> None:
    """Once per process (the listeners are on the Session class); after queue_keys' own before_flush, so
    the queue key it sets is seen here."""
    queue_rows.install()
    numbering.on_inserted("staff_queue", _inserted)
    for name, listener in (
        ("before_flush", _note_flush),
        ("after_commit", _transaction_over),
        ("after_soft_rollback", _transaction_over),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
