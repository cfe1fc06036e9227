"""Background jobs in tests: the real queue, drained explicitly.

Every test app has the production wiring: a route writes an OutboxJob row in its transaction and, after
the commit, huey gets the job's id (SqliteHuey in the test's instance folder; RedisHuey where a test sets
REDIS_URL). Nothing runs by itself: no worker runs during the suite, and huey's immediate mode is NOT used
(it would run the job inside the route's commit, which is exactly what production never does). A test
that wants the mail sent calls `run_jobs(app)`, which does what the worker does with each queued job, in
the test's process; `run_jobs(app, retries_now=True)` also runs the retries huey has scheduled for later,
as if their time had come. tests/jobs/test_smtp_down.py runs a real consumer (huey's worker threads).
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select

from portal.extensions import db
from portal.jobs import jobs_of
from portal.jobs.models import OutboxJob


def run_jobs(app, *, retries_now: bool = False) -> int:
    """Run every job on the queue now (and, with retries_now, the scheduled retries); how many ran.

    A job that fails again is scheduled again by huey, not run a second time in the same call."""
    huey = jobs_of(app).huey
    ran = 0
    if retries_now:
        for task in huey.read_schedule(datetime(9999, 1, 1)):
            huey.execute(task, timestamp=task.eta)
            ran += 1
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    return ran


@contextmanager
def running_worker(app, threads: int = 1) -> Iterator[None]:
    """huey's real consumer (worker threads and the scheduler, as `flask jobs worker` runs them) in this
    process while the block runs; stopped gracefully afterwards. Periodic tasks (the sweep) are off."""
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = jobs_of(app).huey.create_consumer(workers=threads, worker_type="thread", periodic=False)
    consumer.start()  # also installs its signal handlers: put ours back at the end
    try:
        yield
    finally:
        consumer.stop(graceful=True)
        for number, handler in saved.items():
            signal.signal(number, handler)


def wait_for(condition: Callable[[], object], seconds: float = 30.0) -> None:
    """Poll until `condition()` is true (a worker in another thread or process is doing the work)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {seconds} s: {condition}")
        time.sleep(0.05)


def empty_queue(app) -> None:
    """Forget what earlier tests left on this app's queue (their rows were rolled back anyway)."""
    jobs_of(app).huey.flush()


class QueuedMail(Sequence):
    """The e-mail the portal queued in this test's transaction, rendered as it will be sent:
    [(to, subject, body)], read afresh from the outbox on every use (before the worker clears it)."""

    def _rows(self) -> list[tuple[str, str, str]]:
        payloads = db.session.scalars(
            select(OutboxJob.payload).where(OutboxJob.kind == "mail").order_by(OutboxJob.id)
        )
        mails = [json.loads(payload) for payload in payloads]
        return [(m["to"], m["subject"], m["body"]) for m in mails if m.get("to")]

    def __len__(self) -> int:
        return len(self._rows())

    def __getitem__(self, index):  # type: ignore[override]
        return self._rows()[index]

    def __iter__(self) -> Iterator[tuple[str, str, str]]:
        return iter(self._rows())

    def __eq__(self, other) -> bool:
        return self._rows() == list(other)

    def __repr__(self) -> str:
        return repr(self._rows())
