"""`flask --app portal jobs worker`, as `make run` and deploy/systemd/portal-worker.service start it: a separate
process that sends what a request queued, and stops cleanly on Ctrl-C (SIGINT)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select

from portal import mail
from portal.extensions import db
from portal.jobs import jobs_of
from portal.jobs.models import OutboxJob
from portal.settings import Smtp
from tests.conftest import build_app
from tests.support.jobs import wait_for
from tests.support.services import free_port
from tests.support.smtp import Collector, smtp_server_on

ROOT = Path(__file__).resolve().parents[2]


def test_the_worker_process_sends_queued_mail_and_stops_on_ctrl_c(
    tmp_path, committed_database, queue_backend
):
    mailbox, port = Collector(), free_port()
    server = smtp_server_on(mailbox, port)
    instance = tmp_path / "instance"
    app = build_app(instance, committed_database, smtp=Smtp(host="127.0.0.1", port=port), **queue_backend)
    with app.test_request_context():
        someone = SimpleNamespace(full_name="Lò Văn A", email="worker@example.com")
        link = "http://localhost/reset/x"
        assert mail.queue(
            someone.email,
            "accounts/email/reset.txt",
            "en",
            key="mail:worker-test",
            account=someone,
            link=link,
            minutes=30,
        )
        db.session.commit()
    assert jobs_of(app).huey.pending_count() == 1

    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("REDIS_", "PORTAL_", "SMTP_"))
    }
    env |= {
        "DATABASE_URL": committed_database,
        "PORTAL_INSTANCE_PATH": str(instance),
        "PORTAL_BASE_URL": "http://localhost",  # as Settings.for_tests
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "REDIS_URL": queue_backend.get("redis_url", ""),
        "PORTAL_JOBS_QUEUE": queue_backend.get("jobs_queue", ""),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "portal", "jobs", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(lambda: mailbox.to("worker@example.com") or worker.poll() is not None)
        assert worker.poll() is None, worker.communicate()[0]
        worker.send_signal(signal.SIGINT)
        output, _ = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        server.stop()
        jobs_of(app).huey.flush()
    assert worker.returncode == 0, output
    assert "queue 'portal" in output
    [message] = mailbox.to("worker@example.com")
    with app.app_context():
        assert message.message["Message-ID"] == mail.message_id("mail:worker-test")
        job = db.session.scalar(select(OutboxJob).where(OutboxJob.key == "mail:worker-test"))
        assert job.status == "done" and job.payload == "{}"
        db.session.delete(job)  # the module's database is shared by the other tests here
        db.session.commit()
        db.engine.dispose()
