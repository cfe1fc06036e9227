"""The outbox (portal/jobs): jobs leave only with a commit, run once per idempotency key, are retried with a
back-off and given up after a stated number of attempts, and a sweep finds the ones the queue lost."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import jobs
from portal.db_types import utcnow
from portal.extensions import db
from portal.jobs import outbox
from portal.jobs.models import OutboxJob
from tests.support.jobs import empty_queue, run_jobs

KIND = "test.record"
CALLS: list[tuple[dict, str]] = []
FAILURES: dict[str, Exception] = {}  # key -> what the handler raises for it


def record(payload: dict, key: str) -> None:
    CALLS.append((payload, key))
    if key in FAILURES:
        raise FAILURES[key]


@pytest.fixture
def queue(app):
    jobs.register(app, KIND, record)
    empty_queue(app)
    CALLS.clear()
    FAILURES.clear()
    return jobs.jobs_of(app).huey


def row(key: str) -> OutboxJob | None:
    return db.session.scalar(select(OutboxJob).where(OutboxJob.key == key))


def test_a_job_reaches_the_queue_only_when_its_transaction_commits(app, queue):
    job = jobs.enqueue(KIND, "commit-1", {"n": 1})
    assert queue.pending_count() == 0  # written, not yet handed over
    db.session.commit()
    assert queue.pending_count() == 1
    assert run_jobs(app) == 1
    assert CALLS == [({"n": 1}, "commit-1")]
    db.session.refresh(job)
    assert job.status == "done" and job.attempts == 1 and job.payload == "{}" and job.finished_at


def test_a_rolled_back_transaction_enqueues_nothing(app, queue):
    jobs.enqueue(KIND, "rolled-back", {"n": 1})
    db.session.rollback()
    db.session.commit()  # a later commit of the same session hands nothing over either
    assert queue.pending_count() == 0
    assert row("rolled-back") is None
    assert run_jobs(app) == 0 and CALLS == []


def test_a_job_runs_once_however_often_it_is_handed_over(app, queue):
    job = jobs.enqueue(KIND, "twice", {})
    db.session.commit()
    jobs.jobs_of(app).hand_over(job.id)  # e.g. the sweep, or a retry racing a late hand-over
    assert run_jobs(app) == 2
    assert [key for _, key in CALLS] == ["twice"]


def test_an_idempotency_key_is_unique(app, queue):
    jobs.enqueue(KIND, "same-key", {})
    with pytest.raises(IntegrityError):
        jobs.enqueue(KIND, "same-key", {})
    db.session.rollback()


def test_an_unknown_kind_is_refused_in_the_request(app, queue):
    with pytest.raises(ValueError, match="no handler"):
        jobs.enqueue("no.such.kind", "k", {})


def test_a_failure_is_recorded_and_retried_later_with_a_growing_delay(app, queue):
    FAILURES["flaky"] = ConnectionRefusedError(111, "Connection refused")
    job = jobs.enqueue(KIND, "flaky", {"to": "someone@example.com"})
    db.session.commit()
    before = utcnow()
    run_jobs(app)
    db.session.refresh(job)
    assert job.status == "pending" and job.attempts == 1
    assert job.last_error == "ConnectionRefusedError errno=111"  # no message text (it may hold the address)
    assert job.next_attempt_at >= before + timedelta(seconds=60)
    [retry] = queue.scheduled()
    assert retry.eta is not None and retry.eta >= before.replace(tzinfo=None) + timedelta(seconds=59)
    assert run_jobs(app) == 0  # not before its time

    run_jobs(app, retries_now=True)
    db.session.refresh(job)
    assert job.attempts == 2 and job.next_attempt_at >= utcnow() + timedelta(seconds=110)  # 60 s, then 120 s
    assert json.loads(job.payload)["to"] == "someone@example.com"  # kept until sent or given up

    del FAILURES["flaky"]
    run_jobs(app, retries_now=True)
    db.session.refresh(job)
    assert job.status == "done" and job.attempts == 3 and len(CALLS) == 3


def test_a_job_is_given_up_after_the_last_attempt_and_counted(app, queue, monkeypatch):
    monkeypatch.setattr(jobs.jobs_of(app), "policy", replace(jobs.jobs_of(app).policy, max_attempts=3))
    given_up: list[str] = []
    monkeypatch.setattr(jobs.jobs_of(app), "failure_hooks", [given_up.append])
    FAILURES["hopeless"] = TimeoutError()
    job = jobs.enqueue(KIND, "hopeless", {"to": "someone@example.com", "body": "private"})
    db.session.commit()
    run_jobs(app)
    run_jobs(app, retries_now=True)
    assert given_up == []
    run_jobs(app, retries_now=True)
    db.session.refresh(job)
    assert job.status == "failed" and job.attempts == 3 and job.payload == "{}"  # nothing personal kept
    assert given_up == [KIND]
    assert queue.scheduled_count() == 0 and queue.pending_count() == 0


def test_a_permanent_failure_is_given_up_at_once(app, queue, monkeypatch):
    given_up: list[str] = []
    monkeypatch.setattr(jobs.jobs_of(app), "failure_hooks", [given_up.append])
    FAILURES["refused"] = jobs.PermanentFailure("recipient refused")
    job = jobs.enqueue(KIND, "refused", {})
    db.session.commit()
    run_jobs(app)
    db.session.refresh(job)
    assert job.status == "failed" and job.attempts == 1 and given_up == [KIND]
    assert job.last_error == "PermanentFailure recipient refused"


def make_row(key: str, **values) -> OutboxJob:
    now = utcnow()
    job = OutboxJob(kind=KIND, key=key, payload="{}", status="pending", attempts=0, last_error="")
    job.created_at, job.next_attempt_at = now, now
    for name, value in values.items():
        setattr(job, name, value)
    db.session.add(job)
    db.session.flush()
    return job


def test_the_sweep_hands_over_lost_jobs_and_purges_old_finished_ones(app, queue):
    now = utcnow()
    lost = make_row("lost", next_attempt_at=now - timedelta(minutes=10))  # committed, never handed over
    crashed = make_row(
        "crashed", next_attempt_at=now - timedelta(minutes=30), locked_until=now - timedelta(minutes=1)
    )
    make_row("fresh")  # its hand-over may still be on its way
    make_row("running", next_attempt_at=now - timedelta(minutes=10), locked_until=now + timedelta(minutes=5))
    old_done = make_row("old", status="done", finished_at=now - timedelta(days=31)).id
    make_row("recent", status="done", finished_at=now - timedelta(days=29))
    make_row("old-failed", status="failed", finished_at=now - timedelta(days=31))
    db.session.commit()

    assert sorted(outbox.sweep()) == sorted([lost.id, crashed.id])
    assert row("old") is None and row("old-failed") is None and row("recent") is not None
    assert db.session.get(OutboxJob, old_done) is None
    assert outbox.sweep() == []  # handed over just now: not again at the next minute


def test_pending_and_failed_counts_for_metrics(app, queue):
    pending, failed = jobs.pending_count(), jobs.failed_count()
    make_row("p1")
    make_row("p2", status="done", finished_at=utcnow())
    make_row("p3", status="failed", finished_at=utcnow())
    make_row("p4", status="failed", finished_at=utcnow())
    assert jobs.pending_count() == pending + 1
    assert jobs.failed_count() == failed + 2


def test_the_retry_delay_doubles_up_to_a_ceiling():
    policy = jobs.Policy()
    assert [policy.retry_delay(n) for n in range(1, 10)] == [60, 120, 240, 480, 960, 1920, 3840, 7200, 7200]
    assert sum(policy.retry_delay(n) for n in range(1, policy.max_attempts)) < 7 * 3600


def test_the_status_and_sweep_commands(app, queue):
    make_row("cli-lost", next_attempt_at=utcnow() - timedelta(minutes=10))
    make_row("cli-done", status="done", finished_at=utcnow())
    db.session.commit()
    runner = app.test_cli_runner()
    status = runner.invoke(args=["jobs", "status"])
    assert status.exit_code == 0
    assert f"{KIND}\tdone\t1" in status.output and f"{KIND}\tpending\t1" in status.output
    swept = runner.invoke(args=["jobs", "sweep"])
    assert swept.exit_code == 0 and "handed over again: 1" in swept.output
    assert queue.pending_count() == 1  # on the queue for the worker
