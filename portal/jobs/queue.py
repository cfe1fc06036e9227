"""The queue the outbox hands its jobs to: huey, in a SQLite file in the instance folder by default, in
Redis when REDIS_URL is set (several nodes then share one queue). Each application builds its own huey
with its two tasks bound to it, so nothing here is global."""

from __future__ import annotations

from flask import Flask
from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey, TaskWrapper
from huey.exceptions import RetryTask
from redis import ConnectionPool

from . import outbox

FILE_NAME = "jobs.sqlite3"


def build_huey(app: Flask) -> tuple[Huey, TaskWrapper]:
    """The application's huey and its task that runs one outbox job by id."""
    settings = app.config["PORTAL_SETTINGS"]
    name = settings.jobs_queue
    if settings.redis_url:
        # Every key is "huey.<what>.<name>" (the name as given, not shortened), so the queue cannot clash
        # with the limits or the cache in the same Redis, nor with another portal's queue. Fail fast when
        # Redis is away (the hand-over after a commit then leaves the job to the sweep); the worker's
        # blocking read waits 1 s at a time, well within the socket timeout.
        pool = ConnectionPool.from_url(settings.redis_url, socket_connect_timeout=0.5, socket_timeout=3)
        huey: Huey = RedisHuey(
            name, connection_pool=pool, clean_name=False, read_timeout=1, results=False, utc=True
        )
    else:
        # No fsync: the outbox table is the durable record; a hand-over lost in a power cut is swept up.
        path = str(settings.instance_path / FILE_NAME)
        huey = SqliteHuey(name, filename=path, fsync=False, results=False, utc=True)

    @huey.task(name="run_job")
    def run_job(job_id: int) -> None:
        with app.app_context():
            retry_in = outbox.run(job_id)
        if retry_in is not None:
            raise RetryTask(delay=retry_in)  # huey schedules the same task again after the back-off

    @huey.periodic_task(crontab(minute="*"), name="sweep")
    def sweep() -> None:
        with app.app_context():
            lost = outbox.sweep()
        for job_id in lost:
            run_job(job_id)

    return huey, run_job


def init_app(app: Flask) -> outbox.Jobs:
    huey, run_job = build_huey(app)
    jobs = outbox.Jobs(huey=huey, hand_over=run_job)
    app.extensions[outbox.EXTENSION] = jobs
    outbox.install_listeners()
    return jobs
