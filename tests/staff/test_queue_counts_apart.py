"""Under gunicorn's gevent worker the queue's counts run beside the event loop (portal/staff/queue_counts.py):
in one of the gevent hub's OS threads, through the request's own connection, so the worker's other
connections are served meanwhile. Before, SQLite's 70-90 ms of C code for an agency's count at 1M rows held
the one thread every greenlet runs on: each refresh (every 45 s) stalled every connection of the worker
(queue page 1's p99 of 120 ms on SQLite).

The suite does not patch the standard library, so it does not count apart by itself: these tests ask for
it, with a count that holds its thread as SQLite's C code does (`time.sleep`, not gevent's), and watch a
greenlet keep running."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import gevent
import gevent.monkey
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import scoped_session, sessionmaker

from portal.extensions import cache, db
from portal.staff import queue_cache, queue_counts
from tests.support.flights import counts_entry

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
        return counts_entry(today, queue_cache._now(), 99)


@pytest.fixture
def slow(app, monkeypatch) -> SlowCount:
    fake = SlowCount()
    monkeypatch.setattr(queue_cache, "_count", fake)
    monkeypatch.setattr(queue_cache, "_apart", lambda: True)  # as under gevent
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
            counts_entry(DAY, queue_cache._now() - queue_cache.REFRESH_SECONDS - 1, 7),
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
    monkeypatch.setattr(queue_cache, "_apart", lambda: True)
    with app.test_request_context("/staff/queue"), pytest.raises(RuntimeError, match="went away"):
        queue_cache._counted(AGENCY, DAY)


def test_counts_run_apart_only_under_gevents_patched_threading(app, monkeypatch):
    with app.test_request_context("/staff/queue"):
        assert not queue_counts.counts_apart()  # the standard library is not patched here
        monkeypatch.setattr(gevent.monkey, "is_module_patched", lambda name: True)
        assert queue_counts.counts_apart()


def test_a_count_apart_takes_no_second_connection_from_the_pool(app, monkeypatch):
    """The review's finding: the thread checked a second connection out of the pool while the request held
    its own (its rows, the account). A burst of queue requests waiting for counts could so empty the pool,
    and every count then waited the pool's whole timeout and failed (a 500 for an entry that was missing).
    Here the pool has one connection and the request holds it: the count must read through it."""
    with app.app_context():
        small = create_engine(db.engine.url, pool_size=1, max_overflow=0, pool_timeout=0.5)
    session = scoped_session(sessionmaker(bind=small))
    monkeypatch.setattr(db, "session", session)
    monkeypatch.setattr(gevent.monkey, "is_module_patched", lambda name: True)  # gunicorn's gevent worker
    try:
        with app.test_request_context("/staff/queue"):
            held = session.connection()  # the pool's only connection, as a queue request holds one
            counted = queue_cache._counted(AGENCY, DAY)
            assert session.connection() is held
        assert counted["day"] == DAY
        assert counted == {**queue_counts.count(held, AGENCY, DAY), "at": counted["at"]}
    finally:
        session.remove()
        small.dispose()


def test_an_interrupted_request_waits_for_its_count_before_going_on(app):
    """A greenlet killed while its count runs in a thread still waits for the thread: the thread reads
    through the request's connection, which the request's teardown gives back to the pool."""
    done: list[float] = []

    def count_in_thread() -> None:
        time.sleep(COUNT_SECONDS)
        done.append(time.monotonic())

    returned: list[float] = []

    def request() -> None:
        try:
            queue_counts.run_apart(count_in_thread)
        finally:
            returned.append(time.monotonic())

    worker = gevent.spawn(request)
    gevent.sleep(0.05)
    worker.kill(block=True, timeout=5)
    assert done and returned and done[0] <= returned[0]
