"""No request talks to the mail server: the five routes that mail a citizen or an account queue the rendered
message in their own transaction (portal.mail.queue), and the password-reset request costs the same whether
or not the address has an account."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.catalog.models import Procedure
from portal.extensions import db
from portal.jobs import jobs_of
from portal.jobs.models import OutboxJob
from portal.settings import Smtp
from tests.support.clients import fresh_client, signed_in
from tests.support.dossiers import applicant
from tests.support.factories import account
from tests.support.feedback import make_item, receipt_code, web_submit
from tests.support.files import pdf_file
from tests.support.jobs import QueuedMail, empty_queue
from tests.support.smtp import SilentServer

PORTAL = Path(__file__).resolve().parents[2] / "portal"
DOSSIER_PROCEDURE = "1.004194"


@pytest.fixture
def silent_mail_server(app, monkeypatch):
    """Mail is configured, but the server never answers: any request that sent mail itself would hang."""
    server = SilentServer()
    smtp = Smtp(host="127.0.0.1", port=server.port)
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(app.config["PORTAL_SETTINGS"], smtp=smtp))
    empty_queue(app)
    yield server
    server.stop()


def recipients() -> list[str]:
    return [to for to, _subject, _body in QueuedMail()]


def test_citizen_and_staff_routes_queue_their_mail(app, client, silent_mail_server):
    huey = jobs_of(app).huey
    assert web_submit(client, email="hoa@example.com").status_code == 302
    code = receipt_code(client)
    assert "hoa@example.com" in client.get("/feedback/receipt").get_data(as_text=True)

    item = make_item(email="answer@example.com")
    officer = signed_in(app, "processor")
    assert officer.post(f"/staff/feedback/{item.code}/accept").status_code == 302

    data = applicant(email="xuan.hoso@example.com")
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == DOSSIER_PROCEDURE))
    data[f"doc-{procedure.documents[0].id}"] = [pdf_file()]
    applied = client.post(
        f"/dossiers/apply/{DOSSIER_PROCEDURE}", data=data, content_type="multipart/form-data"
    )
    assert applied.status_code == 302
    dossier_code = re.search(r"/dossiers/([^/]+)/receipt", applied.headers["Location"])[1]
    desk = signed_in(app, "receptionist")
    assert desk.post(f"/staff/dossiers/{dossier_code}/receive").status_code == 302

    assert silent_mail_server.connections() == 0  # no request talked to the mail server
    assert recipients() == [
        "hoa@example.com",
        "answer@example.com",
        "xuan.hoso@example.com",
        "xuan.hoso@example.com",
    ]
    assert huey.pending_count() == 4  # each handed to the queue after its request's commit
    keys = list(db.session.scalars(select(OutboxJob.key).order_by(OutboxJob.id)))
    assert f"mail:feedback:{code}:submitted" in keys and f"mail:dossier:{dossier_code}:submitted" in keys


def test_the_reset_request_writes_one_job_whether_or_not_the_account_exists(app, silent_mail_server):
    huey = jobs_of(app).huey
    known = account("citizen")
    rows_before = db.session.scalar(select(OutboxJob.id).order_by(OutboxJob.id.desc()).limit(1)) or 0

    def ask(email: str):
        response = fresh_client(app).post("/forgot-password", data={"email": email})
        assert response.status_code == 200
        added = select(OutboxJob).where(OutboxJob.id > rows_before).order_by(OutboxJob.id)
        return list(db.session.scalars(added))

    after_known = ask(known.email)
    assert len(after_known) == 1 and huey.pending_count() == 1
    after_unknown = ask("khongco@example.vn")
    assert len(after_unknown) == 2 and huey.pending_count() == 2  # one more row, one more job
    assert json.loads(after_unknown[1].payload) == {}  # nothing about the address typed
    assert "khongco" not in after_unknown[1].key
    assert recipients() == [known.email]
    assert silent_mail_server.connections() == 0


def test_no_mail_is_queued_without_a_mail_server(app, client):
    empty_queue(app)
    assert app.config["PORTAL_SETTINGS"].smtp.host == ""
    assert web_submit(client, email="hoa@example.com").status_code == 302
    assert "hoa@example.com" not in client.get("/feedback/receipt").get_data(as_text=True)
    assert recipients() == [] and jobs_of(app).huey.pending_count() == 0


def test_only_the_worker_talks_smtp():
    """The one SMTP client is portal.mail.deliver, which only the jobs worker calls (as the "mail" kind)."""
    users = [
        path.relative_to(PORTAL).as_posix()
        for path in PORTAL.rglob("*.py")
        if re.search(r"\bsmtplib\b", path.read_text(encoding="utf-8"))
    ]
    assert users == ["mail.py"]
    callers = [
        path.relative_to(PORTAL).as_posix()
        for path in PORTAL.rglob("*.py")
        if re.search(r"\bdeliver\b", path.read_text(encoding="utf-8")) and path.name != "mail.py"
    ]
    assert callers == []
