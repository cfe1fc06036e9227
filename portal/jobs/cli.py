"""`flask --app portal jobs worker | status | sweep`."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from portal.extensions import db

from . import outbox
from .models import OutboxJob

jobs_group = AppGroup("jobs", help="Background jobs: run the worker, look at the outbox.")


@jobs_group.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32), help="Worker threads.")
def worker_command(workers: int) -> None:
    """Run jobs until stopped (Ctrl-C or SIGINT: finish the running jobs; SIGTERM: stop at once).

    Also runs the sweep every minute: pending jobs that were never handed over are handed over again,
    finished ones older than the retention period are deleted.
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    huey = outbox.jobs_of(current_app).huey
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    click.echo(f"jobs worker: queue {huey.name!r} ({type(huey.storage).__name__}), {workers} threads")
    consumer.run()


@jobs_group.command("status")
def status_command() -> None:
    """How many jobs are pending, done and given up, per kind."""
    rows = db.session.execute(
        select(OutboxJob.kind, OutboxJob.status, func.count()).group_by(OutboxJob.kind, OutboxJob.status)
    ).all()
    if not rows:
        click.echo("no jobs")
    for kind, state, count in sorted(rows):
        click.echo(f"{kind}\t{state}\t{count}")


@jobs_group.command("sweep")
def sweep_command() -> None:
    """Hand over the pending jobs the queue lost and delete old finished ones now (the worker does it every
    minute)."""
    lost = outbox.sweep()
    for job_id in lost:
        outbox.jobs_of(current_app).hand_over(job_id)
    click.echo(f"handed over again: {len(lost)}")
