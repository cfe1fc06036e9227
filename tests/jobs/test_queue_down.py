"""The outbox, not the queue, is the record: when the hand-over after the commit fails (Redis away, the
process killed in between), the request still succeeds and the sweep hands the job over later."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select, update

from portal.extensions import db
from portal.jobs import jobs_of, outbox
from portal.jobs.models import OutboxJob
from portal.settings import Smtp
from tests.conftest import build_app
from tests.support.feedback import form_data, receipt_code
from tests.support.services import free_port


def test_a_job_the_queue_never_got_is_found_by_the_sweep(tmp_path, committed_database, caplog):
    nowhere = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens: every hand-over fails
    app = build_app(
        tmp_path / "instance",
        committed_database,
        smtp=Smtp(host="127.0.0.1", port=free_port()),
        redis_url=nowhere,
        jobs_queue="portal-test-unreachable",
    )
    client = app.test_client()
    with app.app_context():
        data = form_data(email="lost.and.found@example.com")
    with caplog.at_level(logging.WARNING, logger="portal.jobs"):
        assert client.post("/feedback/new", data=data, content_type="multipart/form-data").status_code == 302
    code = receipt_code(client)
    assert any("not handed to the queue" in record.getMessage() for record in caplog.records)
    key = f"mail:feedback:{code}:submitted"
    with app.app_context():
        job = db.session.scalar(select(OutboxJob).where(OutboxJob.key == key))
        assert job is not None and job.status == "pending" and job.attempts == 0
        assert outbox.sweep() == []  # its hand-over might still be on its way
        stale = job.next_attempt_at - timedelta(seconds=jobs_of(app).policy.stale_after + 1)
        db.session.execute(update(OutboxJob).where(OutboxJob.id == job.id).values(next_attempt_at=stale))
        db.session.commit()
        assert outbox.sweep() == [job.id]  # a minute later the worker's sweep hands it over again
        db.session.delete(db.session.get(OutboxJob, job.id))
        db.session.commit()
        db.engine.dispose()
