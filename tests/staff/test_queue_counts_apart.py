"""Under gunicorn's gevent worker the queue's counts run beside the event loop (portal/staff/queue_counts.py):
in one of the gevent hub's OS threads, on a connection of their own, so the worker's other connections are
served meanwhile. Before, SQLite's 70-90 ms of C code for an agency's count at 1M rows held the one thread
every greenlet runs on: each refresh (every 45 s) stalled every connection of the worker (queue page 1's p99
of 120 ms on SQLite).

The suite does not patch the standard library, so it does not count apart by itself (its session is bound to
the test's connection, whose rows no other connection sees): these tests ask for it, with a count that holds
its thread as SQLite's C code does (`time.sleep`, not gevent's), and watch a greenlet keep running."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import gevent
import gevent.monkey
import pytest

from portal.db_session import PortalSession, read_bind
from portal.extensions import cache, db
from portal.staff import queue_cache, queue_counts

DAY = date(2026, 12, 7)
AGENCY = 41
COUNT_SECONDS = 0.3


class SlowCount:
    """A `_count` that holds its OS thread for COUNT_SECONDS (as SQLite's C code does) and notes when."""

    def __init__(self) -> None:
        self.spans: list[tuple[float, float]] = []

    def __call__(self, agency_id: int | None, today: date, connection: Any = None) -> dict[str, Any]:
        began = time.monotonic()
        time.sleep(COUNT_SECONDS)
        self.spans.append((began, time.monotonic()))
        return {
            "day": today,
            "at": queue_cache._now(),
            "dossier": 0,
            "feedback": 99,
            "overdue": 0,
            "costly": 0,
            "by_assignee": {},
        }


@pytest.fixture
def slow(app, monkeypatch) -> SlowCount:
    fake = SlowCount()
    monkeypatch.setattr(queue_cache, "_count", fake)
    monkeypatch.setattr(queue_cache, "_engine_apart", lambda: db.engine, raising=False)  # as under gevent
    with app.app_context():
        cache.clear()
        cache.set(queue_cache.CHOICES_KEY, {"units": "", "categories": {}, "procedures": {}})
    yield fake
    with app.app_context():
        cache.clear()


def ticks_while(work) -> tuple[Any, list[float]]:
    """`work()` in this greenlet while another greenlet notes the time every 10 ms."""
    ticks: list[float] = []
    running = True

    def tick() -> None:
        while running:
            ticks.append(time.monotonic())
            gevent.sleep(0.01)

    ticker = gevent.spawn(tick)
    gevent.sleep(0.02)
    try:
        return work(), ticks
    finally:
        running = False
        ticker.join(5)


def test_a_refresh_ahead_lets_the_other_greenlets_run(app, slow):
    with app.test_request_context("/staff/queue"):
        cache.set(
            queue_cache.counts_key(AGENCY),
            {
                "day": DAY,
                "at": queue_cache._now() - queue_cache.REFRESH_SECONDS - 1,
                "dossier": 0,
                "feedback": 7,
                "overdue": 0,
                "costly": 0,
                "by_assignee": {},
            },
            timeout=60,
        )
        shown, ticks = ticks_while(lambda: queue_cache.page_data(AGENCY, DAY)[0]["feedback"])
        kept = cache.get(queue_cache.counts_key(AGENCY))["feedback"]
    ((began, ended),) = slow.spans
    assert shown == kept == 99  # refreshed, and kept for the others
    assert sum(began < at < ended for at in ticks) >= COUNT_SECONDS / 0.01 / 3  # about 30 ticks; before: 0


def test_a_missing_entry_is_counted_apart_too(app, slow):
    with app.test_request_context("/staff/queue"):
        shown, ticks = ticks_while(lambda: queue_cache.page_data(AGENCY, DAY)[0]["feedback"])
    ((began, ended),) = slow.spans
    assert shown == 99
    assert sum(began < at < ended for at in ticks) >= COUNT_SECONDS / 0.01 / 3
    with app.app_context():
        assert app.extensions[queue_cache._FLIGHTS] == {}


def test_a_count_that_fails_apart_raises_in_its_request(app, monkeypatch):
    def failing(agency_id, today, connection=None):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(queue_cache, "_count", failing)
    monkeypatch.setattr(queue_cache, "_engine_apart", lambda: db.engine)
    with app.test_request_context("/staff/queue"), pytest.raises(RuntimeError, match="went away"):
        queue_cache._counted(AGENCY, DAY)


def test_counts_run_in_the_request_without_gevent_and_on_a_bound_session(app, monkeypatch):
    with app.test_request_context("/staff/queue"):
        assert queue_counts.engine_apart() is None  # the standard library is not patched here
        monkeypatch.setattr(gevent.monkey, "is_module_patched", lambda name: True)
        assert queue_counts.engine_apart() is None  # the suite's session is bound to its connection
        monkeypatch.setattr(db, "session", db._make_scoped_session({"class_": PortalSession}))
        try:
            assert queue_counts.engine_apart() is read_bind(db.engine)  # the engine, or its AUTOCOMMIT copy
        finally:
            db.session.remove()
