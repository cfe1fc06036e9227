"""Writing jobs in the request's transaction, handing them to the queue after the commit, running them once.

`enqueue()` adds an OutboxJob row to the session (flushed, so a duplicate idempotency key fails in the
request) and remembers its id on the session. Only when that session commits are the ids handed to the
queue (huey); a rollback forgets them, and their rows never existed. If the hand-over itself fails (Redis
away, the process killed between the commit and the hand-over), the row stays pending and the periodic
sweep hands it over again: a committed job is never lost.

`run()` is what the worker does with an id: take the row (an atomic UPDATE that also counts the attempt, so
two workers never run one job at once), call the kind's handler with the payload, and mark it done with its
personal content cleared, or record the error and ask for a retry after a back-off, or give up after
`Policy.max_attempts` and tell the failure hooks.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, event, func, or_, select, update
from sqlalchemy.orm import Session

from portal.database import changed_rows
from portal.db_types import utcnow
from portal.extensions import db

from .models import DONE, FAILED, PENDING, OutboxJob

log = logging.getLogger("portal.jobs")
SESSION_KEY = "portal.jobs.to_hand_over"
EXTENSION = "portal.jobs"

Handler = Callable[[dict[str, Any], str], None]


class PermanentFailure(Exception):
    """Raised by a handler when trying again cannot help (a refused address): the job is given up at once."""


@dataclass(frozen=True)
class Policy:
    """How often and how long a job is tried, and how long finished rows are kept (README "Background jobs")."""

    max_attempts: int = 10
    first_retry: int = 60  # seconds; doubled after each failure ...
    longest_retry: int = 2 * 3600  # ... up to this: 10 attempts span about six hours
    lease: int = 600  # a worker holds a job this long; after a crash the sweep hands it out again
    stale_after: int = 300  # a pending job this far past its due time was never handed over: hand it over
    keep_days: int = 30  # done and failed rows are deleted this many days after they finished

    def retry_delay(self, attempts: int) -> int:
        return min(self.first_retry * 2 ** max(attempts - 1, 0), self.longest_retry)


@dataclass
class Jobs:
    """One application's jobs: its queue (huey), the registered kinds and the failure hooks."""

    huey: Any  # huey.api.Huey: the queue
    hand_over: Callable[[int], Any]  # puts a job id on the queue
    policy: Policy = Policy()
    handlers: dict[str, Handler] = field(default_factory=dict)
    failure_hooks: list[Callable[[str], None]] = field(default_factory=list)


def jobs_of(app=None) -> Jobs:
    return (app or current_app).extensions[EXTENSION]


def register(app, kind: str, handler: Handler) -> None:
    """Declare how jobs of `kind` run: handler(payload, key), inside an application context, raising on
    failure (PermanentFailure when a retry cannot help). Called by the feature in create_app."""
    handlers = jobs_of(app).handlers
    if kind in handlers and handlers[kind] is not handler:
        raise ValueError(f"job kind {kind!r} is already registered")
    handlers[kind] = handler


def on_failure(app, hook: Callable[[str], None]) -> None:
    """hook(kind) is called each time a job is given up (for a failure counter, e.g. Prometheus)."""
    jobs_of(app).failure_hooks.append(hook)


def enqueue(kind: str, key: str, payload: dict[str, Any]) -> OutboxJob:
    """Add a job to the current transaction; it is handed to the worker after the commit, never before."""
    if kind not in jobs_of().handlers:
        raise ValueError(f"no handler registered for job kind {kind!r}")
    now = utcnow()
    job = OutboxJob(
        kind=kind,
        key=key,
        payload=json.dumps(payload, ensure_ascii=False),
        status=PENDING,
        attempts=0,
        last_error="",
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(job)
    db.session.flush()
    to_hand_over = db.session.info.setdefault(SESSION_KEY, [])
    to_hand_over.append((jobs_of().hand_over, job.id))
    return job


def install_listeners() -> None:
    """The commit and rollback listeners, once per process, on every session."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    for hand_over, job_id in session.info.pop(SESSION_KEY, []):
        try:
            hand_over(job_id)
        except Exception as error:  # the row is committed: the sweep hands it over later
            log.warning("job %s not handed to the queue (%s); the sweep will", job_id, type(error).__name__)


def _after_rollback(session: Session, previous_transaction) -> None:
    # A rolled-back savepoint may leave ids whose rows are gone: the worker skips an id it cannot find.
    if not previous_transaction.nested:
        session.info.pop(SESSION_KEY, None)


def run(job_id: int) -> int | None:
    """Run one job if it is still to do. Returns the seconds after which to try again, or None."""
    jobs = jobs_of()
    now = utcnow()
    taken = changed_rows(
        update(OutboxJob)
        .where(
            OutboxJob.id == job_id,
            OutboxJob.status == PENDING,
            or_(OutboxJob.locked_until.is_(None), OutboxJob.locked_until < now),
        )
        .values(locked_until=now + timedelta(seconds=jobs.policy.lease), attempts=OutboxJob.attempts + 1)
    )
    db.session.commit()
    if not taken:  # done, given up, rolled back, or another worker holds it
        return None
    job = db.session.get(OutboxJob, job_id)
    assert job is not None
    handler = jobs.handlers.get(job.kind)
    try:
        if handler is None:
            raise PermanentFailure(f"no handler for kind {job.kind}")
        handler(json.loads(job.payload), job.key)
    except Exception as error:
        db.session.rollback()
        return _failed(jobs, job_id, error)
    job = db.session.get(OutboxJob, job_id)
    assert job is not None
    job.status, job.payload, job.finished_at, job.locked_until = DONE, "{}", utcnow(), None
    db.session.commit()
    return None


def _failed(jobs: Jobs, job_id: int, error: Exception) -> int | None:
    job = db.session.get(OutboxJob, job_id)
    assert job is not None
    job.last_error, job.locked_until = describe(error), None
    if isinstance(error, PermanentFailure) or job.attempts >= jobs.policy.max_attempts:
        job.status, job.payload, job.finished_at = FAILED, "{}", utcnow()
        db.session.commit()
        log.error(
            "job %s (%s) given up after %d attempts: %s", job.id, job.kind, job.attempts, job.last_error
        )
        for hook in jobs.failure_hooks:
            hook(job.kind)
        return None
    delay = jobs.policy.retry_delay(job.attempts)
    job.next_attempt_at = utcnow() + timedelta(seconds=delay)
    db.session.commit()
    log.warning(
        "job %s (%s) attempt %d failed (%s); next in %d s",
        job.id,
        job.kind,
        job.attempts,
        job.last_error,
        delay,
    )
    return delay


def describe(error: Exception) -> str:
    """What went wrong, without the message text (an SMTP refusal quotes the recipient's address)."""
    parts = [type(error).__name__]
    for attribute in ("smtp_code", "errno"):
        if isinstance(value := getattr(error, attribute, None), int):
            parts.append(f"{attribute}={value}")
    if isinstance(error, PermanentFailure):
        parts.append(str(error)[:200])
    return " ".join(parts)


def sweep() -> list[int]:
    """Pending jobs that should have run by now and are held by nobody (their hand-over was lost, or their
    worker died); they are marked as just handed over and returned. Also deletes old finished rows."""
    policy = jobs_of().policy
    now = utcnow()
    ids = list(
        db.session.scalars(
            select(OutboxJob.id)
            .where(
                OutboxJob.status == PENDING,
                OutboxJob.next_attempt_at < now - timedelta(seconds=policy.stale_after),
                or_(OutboxJob.locked_until.is_(None), OutboxJob.locked_until < now),
            )
            .order_by(OutboxJob.id)
            .limit(1000)
        )
    )
    if ids:
        db.session.execute(update(OutboxJob).where(OutboxJob.id.in_(ids)).values(next_attempt_at=now))
    db.session.execute(
        delete(OutboxJob).where(
            OutboxJob.status.in_((DONE, FAILED)),
            OutboxJob.finished_at < now - timedelta(days=policy.keep_days),
        )
    )
    db.session.commit()
    return ids


def pending_count() -> int:
    """Jobs waiting to run or to be retried (the queue depth, for metrics)."""
    return _count(PENDING)


def failed_count() -> int:
    """Jobs given up and not yet purged (Policy.keep_days). The failure hooks run in the worker process;
    this count is the same fact read from any process (a web node's metrics endpoint)."""
    return _count(FAILED)


def _count(status: str) -> int:
    return (
        db.session.scalar(select(func.count()).select_from(OutboxJob).where(OutboxJob.status == status)) or 0
    )
