"""One build at a time of the queue's kept rows (portal/staff/queue_rows.py): at expiry the requests that
arrive together wait for one build instead of each reading the page (the stampede that was the queue's
p99), from REFRESH_SECONDS on one request reads the rows again while the others keep the entry, and none of
this serves rows older than ROWS_SECONDS or read before a write this process made.

Real threads (each with its own request context), a clock moved by hand, and builds counted: a request
known to be waiting for another's build is seen through `queue_rows._wait`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from portal.staff import queue_rows
from tests.support.clocks import Clock, replace_clock
from tests.support.flights import Waiting

KEY = ("filter", "2026-12-07", "officer", "vi", "")
PATIENCE = 10  # seconds a test waits for a thread to get somewhere (only reached when the code is wrong)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return replace_clock(monkeypatch, queue_rows, 1_000.0)


class Builds:
    """A counting build: build n returns "rows n"; a build listed in `held` waits for its release first."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()
        self.held: dict[int, threading.Event] = {}
        self.started: dict[int, threading.Event] = {}
        self.fail: set[int] = set()

    def hold(self, number: int) -> None:
        self.held[number] = threading.Event()
        self.started[number] = threading.Event()

    def release(self, number: int) -> None:
        self.held[number].set()

    def reached(self, number: int) -> bool:
        return self.started[number].wait(PATIENCE)

    def __call__(self) -> str:
        with self.lock:
            self.count += 1
            number = self.count
        if number in self.held:
            self.started[number].set()
            assert self.held[number].wait(PATIENCE)
        if number in self.fail:
            raise RuntimeError(f"build {number} failed")
        return f"rows {number}"


@pytest.fixture
def builds() -> Builds:
    return Builds()


@pytest.fixture
def waiting(monkeypatch) -> Waiting:
    return Waiting(monkeypatch, queue_rows, PATIENCE)


@pytest.fixture
def kept(app):
    with app.app_context():
        queue_rows.clear()
    yield
    with app.app_context():
        queue_rows.clear()


def ask(app, build: Callable[[], Any], writing: Callable[[], bool] = lambda: False) -> Any:
    with app.test_request_context("/staff/queue"):
        return queue_rows.rows(KEY, build, writing)


class Requests:
    """Requests for KEY, each in its own thread; `results` by name once joined (an exception as such)."""

    def __init__(self, app, build: Callable[[], Any]) -> None:
        self.app, self.build = app, build
        self.threads: dict[str, threading.Thread] = {}
        self.results: dict[str, Any] = {}

    def start(self, name: str, writing: Callable[[], bool] = lambda: False) -> None:
        def run() -> None:
            try:
                self.results[name] = ask(self.app, self.build, writing)
            except Exception as error:  # noqa: BLE001 - the test looks at it
                self.results[name] = error

        self.threads[name] = thread = threading.Thread(target=run, daemon=True)
        thread.start()

    def join(self, *names: str) -> dict[str, Any]:
        for name in names or tuple(self.threads):
            self.threads[name].join(PATIENCE)
            assert not self.threads[name].is_alive(), name
        return self.results


def test_requests_arriving_together_at_expiry_share_one_build(app, kept, clock, builds, waiting):
    assert ask(app, builds) == "rows 1"
    clock.now += queue_rows.ROWS_SECONDS  # expired for every connection at once
    builds.hold(2)
    requests = Requests(app, builds)
    for number in range(12):
        requests.start(f"r{number}")
    assert builds.reached(2)
    assert waiting.until(11)  # every other request waits for build 2 instead of reading the page
    builds.release(2)
    assert set(requests.join().values()) == {"rows 2"}
    assert builds.count == 2
    assert ask(app, builds) == "rows 2"  # and it was kept
    assert builds.count == 2


def test_from_the_refresh_age_one_request_reads_again_and_the_others_keep_the_entry(
    app, kept, clock, builds, waiting
):
    assert ask(app, builds) == "rows 1"
    clock.now += queue_rows.REFRESH_SECONDS
    builds.hold(2)
    requests = Requests(app, builds)
    requests.start("refresher")
    assert builds.reached(2)
    assert [ask(app, builds) for _ in range(5)] == ["rows 1"] * 5  # still under ROWS_SECONDS old
    assert builds.count == 2 and waiting.count == 0
    builds.release(2)
    assert requests.join()["refresher"] == "rows 2"
    assert ask(app, builds) == "rows 2" and builds.count == 2


def test_no_entry_is_served_past_rows_seconds_while_it_is_read_again(app, kept, clock, builds, waiting):
    assert ask(app, builds) == "rows 1"
    clock.now += queue_rows.REFRESH_SECONDS
    builds.hold(2)
    requests = Requests(app, builds)
    requests.start("refresher")
    assert builds.reached(2)
    clock.now = 1_000.0 + queue_rows.ROWS_SECONDS  # entry 1 is too old now: wait for build 2, not served
    requests.start("late")
    assert waiting.until(1)
    builds.release(2)
    assert requests.join() == {"refresher": "rows 2", "late": "rows 2"}
    assert builds.count == 2


def test_a_build_that_started_rows_seconds_before_is_not_waited_for(app, kept, clock, builds, waiting):
    builds.hold(1)
    requests = Requests(app, builds)
    requests.start("slow")
    assert builds.reached(1)
    clock.now += queue_rows.ROWS_SECONDS  # its rows would be this old: read them afresh
    assert ask(app, builds) == "rows 2"
    assert waiting.count == 0
    builds.release(1)
    assert requests.join()["slow"] == "rows 1"
    assert ask(app, builds) == "rows 2"  # the older build did not replace the newer entry
    assert builds.count == 2


def test_after_a_write_of_this_process_nobody_gets_the_build_that_began_before_it(
    app, kept, clock, builds, waiting
):
    builds.hold(1)
    requests = Requests(app, builds)
    requests.start("before")
    assert builds.reached(1)
    requests.start("waiting before")  # of the same generation: it may have build 1
    assert waiting.until(1)
    queue_rows._bump()  # a flush of this process
    assert ask(app, builds) == "rows 2"  # of the new generation: its own build
    requests.start("after")
    builds.release(1)
    results = requests.join()
    assert results["before"] == results["waiting before"] == "rows 1"
    assert results["after"] == "rows 2"  # build 1 ended last but did not replace the entry of the write
    assert builds.count == 2


def test_a_failing_build_is_no_longer_in_flight_and_its_waiters_read_the_rows(
    app, kept, clock, builds, waiting
):
    builds.hold(1)
    builds.fail.add(1)
    requests = Requests(app, builds)
    requests.start("failing")
    assert builds.reached(1)
    requests.start("waiter")
    assert waiting.until(1)
    builds.release(1)
    results = requests.join()
    assert isinstance(results["failing"], RuntimeError)
    assert results["waiter"] == "rows 2"
    assert queue_rows._flights(app) == {}
    clock.now += queue_rows.ROWS_SECONDS
    assert ask(app, builds) == "rows 3"  # a build of its own, nobody waited for
    assert waiting.count == 1


def test_rows_read_in_a_transaction_that_wrote_are_given_to_nobody(app, kept, clock, builds, waiting):
    builds.hold(1)
    requests = Requests(app, builds)
    requests.start("writing", writing=lambda: True)
    assert builds.reached(1)
    requests.start("waiter")
    assert waiting.until(1)
    builds.release(1)
    assert requests.join() == {"writing": "rows 1", "waiter": "rows 2"}
    assert ask(app, builds) == "rows 2" and builds.count == 2
