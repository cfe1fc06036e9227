"""Issue 17's "done when": no request sends e-mail itself; with the mail server stopped the citizen's request
succeeds, a real worker tries, records the failure and schedules a retry, and once the server is back the
retry delivers exactly one message. On SQLite and PostgreSQL, with the queue in SQLite or in Redis.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal import mail
from portal.extensions import db
from portal.jobs import jobs_of
from portal.jobs import outbox as outbox_module
from portal.jobs.models import OutboxJob
from portal.settings import Smtp
from tests.conftest import build_app
from tests.support.clients import fresh_client
from tests.support.feedback import form_data, receipt_code
from tests.support.jobs import run_jobs, running_worker, wait_for
from tests.support.smtp import Collector, SilentServer, smtp_server_on

ADDRESS = "mua.lu@example.com"


@pytest.fixture
def portal(tmp_path, committed_database, queue_backend):
    silent = SilentServer()
    app = build_app(
        tmp_path / "instance",
        committed_database,
        smtp=Smtp(host="127.0.0.1", port=silent.port),
        **queue_backend,
    )
    yield app, silent
    silent.stop()
    jobs_of(app).huey.flush()  # a Redis queue of this test's own: leave nothing behind
    with app.app_context():
        db.engine.dispose()


def job_row(app, key: str) -> OutboxJob:
    with app.app_context():
        row = db.session.scalar(select(OutboxJob).where(OutboxJob.key == key))
        assert row is not None
        db.session.expunge(row)
        return row


def test_a_stopped_mail_server_delays_the_mail_not_the_request(portal):
    app, silent = portal
    # With the queue in Redis the rate limits count there too, across runs: a sender of this test's own.
    client = fresh_client(
        app, f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
    )
    with app.app_context():
        data = form_data(
            email=ADDRESS, phone=f"0912 {secrets.randbelow(1000):03d} {secrets.randbelow(1000):03d}"
        )
    response = client.post("/feedback/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    code = receipt_code(client)
    key = f"mail:feedback:{code}:submitted"

    # The request never contacted the mail server: it wrote the rendered message to the outbox.
    assert silent.connections() == 0
    queued = job_row(app, key)
    assert queued.status == "pending" and queued.attempts == 0
    assert json.loads(queued.payload)["to"] == ADDRESS and code in json.loads(queued.payload)["subject"]
    assert jobs_of(app).huey.pending_count() == 1  # handed to the queue after the commit

    # The server is down: a real worker (huey's consumer threads) tries, fails, records, reschedules.
    silent.stop()
    with running_worker(app):
        wait_for(lambda: job_row(app, key).attempts >= 1)
    failed = job_row(app, key)
    assert failed.status == "pending" and failed.attempts == 1
    assert failed.last_error.startswith("ConnectionRefusedError")
    first_retry = jobs_of(app).policy.retry_delay(1)
    assert failed.next_attempt_at >= failed.created_at + timedelta(seconds=first_retry)
    assert jobs_of(app).huey.scheduled_count() == 1 and jobs_of(app).huey.pending_count() == 0

    # The server is back; when the retry's time comes it delivers, once.
    mailbox = Collector()
    server = smtp_server_on(mailbox, silent.port)
    try:
        assert run_jobs(app, retries_now=True) == 1
        [message] = mailbox.to(ADDRESS)
        assert code in message.subject
        with app.app_context():
            assert message.message["Message-ID"] == mail.message_id(key)
        sent = job_row(app, key)
        assert sent.status == "done" and sent.attempts == 2 and sent.finished_at is not None
        assert sent.payload == "{}"  # address and text cleared once sent

        # Running the job again (a duplicate hand-over, a sweep) sends nothing more.
        jobs_of(app).hand_over(sent.id)
        assert run_jobs(app) == 1
        with app.app_context():
            assert outbox_module.run(sent.id) is None
        assert len(mailbox.to(ADDRESS)) == 1
        assert job_row(app, key).attempts == 2
    finally:
        server.stop()
