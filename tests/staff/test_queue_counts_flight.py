"""One count at a time per agency (portal/staff/queue_cache.py): requests that find no counts they may show
while a count of the same agency, day and write generation is under way in this process wait for it
instead of each running the count (after a quiet minute the benchmark's 16 connections ran it at once:
over a second of p99 at 1M rows). Real threads, each with its own request context; the count is a fake
that is counted and held until the test releases it (no database: threads would share the test's
connection)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from flask import session

from portal.extensions import cache
from portal.staff import queue_cache, queue_rows
from tests.support.clocks import Clock, replace_clock
from tests.support.flights import Waiting, counts_entry

PATIENCE = 10  # seconds a test waits for a thread to get somewhere (only reached when the code is wrong)
DAY = date(2026, 12, 7)
AGENCY = 41


class Counts:
    """A counting `_count`: count n returns {"feedback": n, …}; a count listed in `held` waits for its
    release first, one in `fail` raises."""

    def __init__(self) -> None:
        self.runs = 0
        self.lock = threading.Lock()
        self.held: dict[int, threading.Event] = {}
        self.started: dict[int, threading.Event] = {}
        self.fail: set[int] = set()

    def hold(self, number: int) -> None:
        self.held[number], self.started[number] = threading.Event(), threading.Event()

    def __call__(self, agency_id: int | None, today: date, connection: Any = None) -> dict[str, Any]:
        with self.lock:
            self.runs += 1
            number = self.runs
        if number in self.held:
            self.started[number].set()
            assert self.held[number].wait(PATIENCE)
        if number in self.fail:
            raise RuntimeError(f"count {number} failed")
        return counts_entry(today, queue_cache._now(), number)


@pytest.fixture
def counts(app, monkeypatch) -> Counts:
    fake = Counts()
    monkeypatch.setattr(queue_cache, "_count", fake)
    with app.app_context():
        cache.clear()
        cache.set(queue_cache.CHOICES_KEY, {"units": "", "categories": {}, "procedures": {}})  # no DB read
    yield fake
    with app.app_context():
        cache.clear()


@pytest.fixture
def waiting(monkeypatch) -> Waiting:
    return Waiting(monkeypatch, queue_cache, PATIENCE)


class Requests:
    """Queue pages of AGENCY, each in its own thread: the counts each was shown, once joined."""

    def __init__(self, app) -> None:
        self.app = app
        self.threads: list[threading.Thread] = []
        self.shown: list[Any] = []

    def start(self) -> None:
        def run() -> None:
            with self.app.test_request_context("/staff/queue"):
                try:
                    self.shown.append(queue_cache.page_data(AGENCY, DAY)[0]["feedback"])
                except Exception as error:  # noqa: BLE001 - the test looks at it
                    self.shown.append(error)

        thread = threading.Thread(target=run, daemon=True)
        self.threads.append(thread)
        thread.start()

    def join(self) -> list[Any]:
        for thread in self.threads:
            thread.join(PATIENCE)
            assert not thread.is_alive()
        return self.shown


def test_requests_finding_no_counts_together_share_one_count(app, counts, waiting):
    counts.hold(1)
    requests = Requests(app)
    for _ in range(12):
        requests.start()
    assert counts.started[1].wait(PATIENCE)
    assert waiting.until(11)  # every other request waits for count 1 instead of counting
    counts.held[1].set()
    assert requests.join() == [1] * 12
    assert counts.runs == 1


def test_a_write_of_this_process_during_a_count_is_not_waited_past(app, counts, waiting):
    """A count begun before this process changed an item may miss the change: a request after the change
    counts again rather than take it."""
    counts.hold(1)
    requests = Requests(app)
    requests.start()
    assert counts.started[1].wait(PATIENCE)
    queue_rows._bump()  # what any flush, ORM write or queue_cache.changed of this process does
    with app.test_request_context("/staff/queue"):
        assert queue_cache.page_data(AGENCY, DAY)[0]["feedback"] == 2
    counts.held[1].set()
    assert requests.join() == [1]
    assert counts.runs == 2 and waiting.count == 0


def test_when_the_count_fails_the_waiting_requests_count_themselves(app, counts, waiting):
    counts.hold(1)
    counts.fail.add(1)
    requests = Requests(app)
    for _ in range(3):
        requests.start()
    assert counts.started[1].wait(PATIENCE)
    assert waiting.until(2)
    counts.held[1].set()
    shown = requests.join()
    assert sum(isinstance(value, RuntimeError) for value in shown) == 1  # the request that counted
    assert sorted(value for value in shown if not isinstance(value, Exception)) == [2, 3]
    assert counts.runs == 3
    with app.app_context():
        assert app.extensions[queue_cache._FLIGHTS] == {}  # nothing left marked under way


def test_only_the_request_that_counted_keeps_the_count(app, counts, waiting, monkeypatch):
    """Waiters take the count without setting it in the cache again: if another process dropped the entry
    meanwhile (its change), a waiter's late write would keep the old count there for a minute more."""
    kept: list[str] = []
    real_set = cache.set

    def counting_set(name, value, timeout=None):
        kept.append(name)
        return real_set(name, value, timeout=timeout)

    monkeypatch.setattr(cache, "set", counting_set)
    counts.hold(1)
    requests = Requests(app)
    for _ in range(4):
        requests.start()
    assert counts.started[1].wait(PATIENCE)
    assert waiting.until(3)
    counts.held[1].set()
    assert requests.join() == [1] * 4
    assert kept.count(queue_cache.counts_key(AGENCY)) == 1


def test_an_officer_who_just_changed_an_item_counts_afresh(app, counts, waiting):
    """A session stamped by its own write (queue_rows.WROTE; the write may have gone through another
    process, which this process's generation does not see) does not take a count begun before it."""
    counts.hold(1)
    requests = Requests(app)
    requests.start()
    assert counts.started[1].wait(PATIENCE)
    with app.test_request_context("/staff/queue"):
        session[queue_rows.WROTE] = queue_rows.wall_clock()
        assert queue_cache.page_data(AGENCY, DAY)[0]["feedback"] == 2
    counts.held[1].set()
    assert requests.join() == [1]
    assert waiting.count == 0


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return replace_clock(monkeypatch, queue_cache, 1_000_000.0, name="_now")


def aged_entry(app, clock: Clock, feedback: int) -> None:
    """AGENCY's entry, old enough to be refreshed ahead (REFRESH_SECONDS + 1), showing `feedback`."""
    with app.app_context():
        cache.set(
            queue_cache.counts_key(AGENCY),
            counts_entry(DAY, clock.now - queue_cache.REFRESH_SECONDS - 1, feedback),
            timeout=queue_cache.COUNTS_SECONDS,
        )


def test_a_request_finding_no_counts_waits_for_a_refresh_under_way(app, counts, waiting, clock):
    """A refresh ahead is a count like any other: a request that finds the entry too old meanwhile (60 s)
    waits for it rather than counting too."""
    aged_entry(app, clock, feedback=7)
    counts.hold(1)
    requests = Requests(app)
    requests.start()  # refreshes ahead (count 1, held)
    assert counts.started[1].wait(PATIENCE)
    clock.now += queue_cache.COUNTS_SECONDS - queue_cache.REFRESH_SECONDS  # the entry is now 60 s old
    requests.start()
    assert waiting.until(1)
    counts.held[1].set()
    assert requests.join() == [1, 1]
    assert counts.runs == 1


def test_a_failed_refresh_is_logged_shows_the_entry_and_releases_its_waiters(
    app, counts, waiting, clock, caplog
):
    aged_entry(app, clock, feedback=7)
    counts.hold(1)
    counts.fail.add(1)
    requests = Requests(app)
    requests.start()  # the refresh, which will fail
    assert counts.started[1].wait(PATIENCE)
    clock.now += queue_cache.COUNTS_SECONDS - queue_cache.REFRESH_SECONDS
    requests.start()  # finds the entry 60 s old: waits for the refresh
    assert waiting.until(1)
    counts.held[1].set()
    assert sorted(requests.join()) == [2, 7]  # the refresher shows the entry; the waiter counted itself
    assert any(
        "not refreshed" in record.getMessage()
        and record.exc_info
        and "count 1 failed" in str(record.exc_info[1])
        for record in caplog.records
    )
    with app.app_context():
        assert app.extensions[queue_cache._FLIGHTS] == {}


def test_a_count_begun_before_another_process_changed_the_agency_is_not_kept(app, counts):
    """The race left by the drop on change: a count begun before another process committed a change (so
    read without it) and stored after that process had dropped the entry stayed up to a minute. The
    agency's change number, read before the count, now goes with the entry, and a moved number voids it."""
    counts.hold(1)
    requests = Requests(app)
    requests.start()  # no entry: count 1 begins
    assert counts.started[1].wait(PATIENCE)
    with app.app_context():
        # Another process's change: its listeners drop the shared entry (this process's generation stays).
        queue_cache._forget({AGENCY})
    counts.held[1].set()
    assert requests.join() == [1]  # the request that counted shows what it read
    with app.test_request_context("/staff/queue"):
        assert queue_cache.page_data(AGENCY, DAY)[0]["feedback"] == 2  # before: 1, for up to 60 s
        assert queue_cache.page_data(AGENCY, DAY)[0]["feedback"] == 2  # and that count is kept
    assert counts.runs == 2
