"""E-mail to citizens through a real SMTP server (aiosmtpd on 127.0.0.1), in the language they used.

Routes queue their mail; each test runs the queued jobs with run_jobs() (tests/support/jobs.py), as the
worker would, before it looks in the mailbox. tests/jobs/ covers the queue itself and a server that is down.
"""

from __future__ import annotations

import io
import logging
import re

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.extensions import db
from portal.feedback.models import Feedback, FeedbackCategory
from portal.jobs.models import OutboxJob
from portal.settings import Smtp
from tests.conftest import build_app, migrate_and_seed
from tests.support.databases import throwaway_database
from tests.support.factories import make_account
from tests.support.jobs import run_jobs
from tests.support.services import free_port
from tests.support.smtp import Collector

BASE_URL = "http://localhost"  # Settings.for_tests


@pytest.fixture(scope="module")
def smtp_server():
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield collector, controller.port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def mail_setup(tmp_path_factory, smtp_server):
    collector, port = smtp_server
    folder = tmp_path_factory.mktemp("mail_instance")
    with throwaway_database(folder, "mail") as url:
        application = build_app(folder, url, smtp=Smtp(host="127.0.0.1", port=port))
        migrate_and_seed(application)
        # The same database, but the mail server is down.
        unreachable = build_app(
            tmp_path_factory.mktemp("nomail_instance"), url, smtp=Smtp(host="127.0.0.1", port=free_port())
        )
        yield application, unreachable, collector
        for each in (application, unreachable):
            with each.app_context():
                db.engine.dispose()


@pytest.fixture
def mail_app(mail_setup):
    return mail_setup[0]


@pytest.fixture
def mailbox(mail_setup):
    return mail_setup[2]


def form(mail_app, **overrides) -> dict:
    with mail_app.app_context():
        # Urban order goes to the Department of Construction wherever it is (a village road would go to the
        # ward: issue 16 item 2).
        category = db.session.scalar(
            select(FeedbackCategory.id).where(FeedbackCategory.slug == "trat-tu-xay-dung")
        )
    data = {
        "category": str(category),
        "title": "Sạt lở đường vào bản Hua La",
        "description": "Đất đá sạt xuống đường sau mưa lớn, xe máy không đi được.",
        "commune": "03670",
        "address": "Bản Hua La, km 3",
        "contact_name": "Lò Văn Pọm",
        "phone": "0912 345 678",
        "email": "",
        "consent": "y",
        "photos": [(io.BytesIO(b""), "")],
    }
    data.update(overrides)
    return data


def submit(client, data, query: str = ""):
    response = client.post("/feedback/new" + query, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.status_code
    receipt = client.get("/feedback/receipt").get_data(as_text=True)
    code = re.search(r"PA-\d{6}-\d{4}", receipt)[0]
    link = re.search(r"https?://[^\s\"<]+/feedback/t/[A-Za-z0-9_-]{32,}", receipt)[0]
    return code, link


def assert_clean(body: str) -> None:
    assert "Traceback" not in body and 'File "' not in body and "Error" not in body
    assert "{{" not in body and "%(" not in body  # no unrendered placeholder


def test_confirmation_in_english_when_submitted_in_english(mail_app, mailbox):
    client = mail_app.test_client()
    code, link = submit(client, form(mail_app, email="Hoa.En@Example.com"), "?lang=en")
    assert mailbox.to("hoa.en@example.com") == []  # queued, not sent by the request
    run_jobs(mail_app)
    assert link.startswith(BASE_URL + "/feedback/t/")
    [mail] = mailbox.to("hoa.en@example.com")  # stored and sent lower-cased
    assert mail.subject == f"Your report {code} was received"
    assert code in mail.body and link in mail.body
    assert "Department of Construction" in mail.body and "Sở Xây dựng" not in mail.body
    assert mail.message["From"] == Smtp().sender and mail.message["Date"] and mail.message["Message-ID"]
    assert_clean(mail.body)
    assert "0912" not in mail.body and "345 678" not in mail.body  # no need to repeat the phone


def test_confirmation_in_vietnamese_by_default(mail_app, mailbox):
    client = mail_app.test_client()
    code, link = submit(client, form(mail_app, email="pom.vi@example.com"))
    assert "pom.vi@example.com" in client.get("/feedback/receipt").get_data(as_text=True)  # "we are sending…"
    run_jobs(mail_app)
    [mail] = mailbox.to("pom.vi@example.com")
    assert code in mail.subject
    assert code in mail.body and link in mail.body
    assert "Sở Xây dựng" in mail.body and "Department of Construction" not in mail.body  # UTF-8 survived
    assert mail.message.get_content_charset() == "utf-8"
    assert_clean(mail.body)


def _move_to_to_hieu(mail_app, code: str) -> None:
    with mail_app.app_context():
        item = db.session.scalar(select(Feedback).where(Feedback.code == code))
        item.agency_id = db.session.scalar(select(Agency.id).where(Agency.slug == "ubnd-phuong-to-hieu"))
        db.session.commit()


def _staff(mail_app, role: str, **details):
    """A fresh member of staff of Tô Hiệu, committed in the mail database, signed in on a new client."""
    with mail_app.app_context():
        officer = make_account(role, **details)
        email, password = officer.email, officer.plain_password
        db.session.commit()
        db.session.remove()
    client = mail_app.test_client()
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302
    return client


def test_staff_answer_is_mailed_to_the_citizen_in_their_language(mail_app, mailbox):
    citizen = mail_app.test_client()
    code, _ = submit(citizen, form(mail_app, email="answer.me@example.com"), "?lang=en")
    _move_to_to_hieu(mail_app, code)
    staff = _staff(mail_app, "processor", full_name="Cầm Văn Hùng")  # the officer works in Vietnamese
    assert staff.post(f"/staff/feedback/{code}/accept").status_code == 302
    run_jobs(mail_app)
    accepted = mailbox.to("answer.me@example.com")[-1]
    assert code in accepted.subject and "received and is being handled" in accepted.body

    count = len(mailbox.to("answer.me@example.com"))
    note = staff.post(f"/staff/feedback/{code}/note", data={"note": "Ghi chú nội bộ: gọi lại sau."})
    assert note.status_code == 302
    run_jobs(mail_app)
    assert len(mailbox.to("answer.me@example.com")) == count  # internal notes are not mailed

    answer = "Đã cho máy xúc dọn xong đất đá, đường đã thông."
    assert staff.post(f"/staff/feedback/{code}/answer", data={"note": answer}).status_code == 302
    run_jobs(mail_app)
    mails = mailbox.to("answer.me@example.com")
    assert len(mails) == count + 1
    mail = mails[-1]
    assert mail.subject == f"Update on your report {code}"
    assert answer in mail.body and code in mail.body
    assert f"{BASE_URL}/track?code={code}" in mail.body
    assert "Ghi chú nội bộ" not in mail.body and "Cầm Văn Hùng" not in mail.body  # no note, no officer name
    assert_clean(mail.body)


def test_no_mail_when_the_citizen_gave_no_address(mail_app, mailbox):
    before = len(mailbox.received)
    citizen = mail_app.test_client()
    code, _ = submit(citizen, form(mail_app, email=""))
    _move_to_to_hieu(mail_app, code)
    staff = _staff(mail_app, "processor")
    assert staff.post(f"/staff/feedback/{code}/accept").status_code == 302
    assert staff.post(f"/staff/feedback/{code}/answer", data={"note": "Đã xử lý."}).status_code == 302
    assert run_jobs(mail_app) == 0  # nothing was even queued
    assert len(mailbox.received) == before


def test_unreachable_mail_server_does_not_break_the_submission(mail_setup, caplog):
    _, unreachable, mailbox = mail_setup
    before = len(mailbox.received)
    client = unreachable.test_client()
    code, _ = submit(client, form(unreachable, email="nobody.home@example.com"))
    with unreachable.app_context():
        item = db.session.scalar(select(Feedback).where(Feedback.code == code))
        assert item is not None and item.email == "nobody.home@example.com" and item.status == "new"
    assert client.get(f"/feedback/{code}/status").status_code == 200
    with caplog.at_level(logging.WARNING):
        assert run_jobs(unreachable) == 1  # the worker's attempt fails ...
    assert len(mailbox.received) == before
    with unreachable.app_context():
        job = db.session.scalar(select(OutboxJob).where(OutboxJob.key == f"mail:feedback:{code}:submitted"))
        assert job.status == "pending" and job.attempts == 1  # ... is recorded, and will be retried
        assert job.last_error.startswith("ConnectionRefusedError")
        assert "nobody.home" not in job.last_error
    failures = [r.getMessage() for r in caplog.records if "mail" in r.getMessage()]
    assert failures, "the failure must be logged"
    assert all("nobody.home@example.com" not in line for line in failures)  # no address in the logs


def test_updates_follow_the_citizen_language_not_the_officer_language(mail_app, mailbox):
    from portal import mail as portal_mail

    citizen = mail_app.test_client()
    code, _ = submit(citizen, form(mail_app, email="vi.citizen@example.com"))  # in Vietnamese
    _move_to_to_hieu(mail_app, code)
    staff = _staff(mail_app, "leader")
    # The officer reads English.
    assert staff.post(f"/staff/feedback/{code}/accept?lang=en").status_code == 302
    run_jobs(mail_app)
    mail = mailbox.to("vi.citizen@example.com")[-1]
    with mail_app.test_request_context():
        item = db.session.scalar(select(Feedback).where(Feedback.code == code))
        subjects = {
            locale: portal_mail.render(
                "feedback/email/update.txt",
                locale,
                item=item,
                link="",
                message="",
                action="accept",
                reason="",
            )[0]
            for locale in ("vi", "en")
        }
    assert code in mail.subject
    assert mail.subject == subjects["vi"]
    if subjects["vi"] != subjects["en"]:  # once translated, the difference is visible
        assert mail.subject != subjects["en"]


def test_an_urgent_report_alerts_the_leaders_of_the_agency_after_the_commit(mail_app, mailbox):
    """Issue 16 item 3: a landslide in Phường Chiềng Cơi reaches the ward's queue and its leaders' mailboxes;
    a report of an ordinary category alerts nobody."""
    with mail_app.app_context():
        ward = db.session.scalar(select(Agency).where(Agency.slug == "ubnd-phuong-chieng-coi"))
        leader = make_account("leader", agency=ward).email
        processor = make_account("processor", agency=ward).email
        landslide = db.session.scalar(select(FeedbackCategory.id).where(FeedbackCategory.slug == "sat-lo"))
        db.session.commit()
        db.session.remove()
    client = mail_app.test_client()
    code, _link = submit(client, form(mail_app, category=str(landslide), commune="03670"))
    assert mailbox.to(leader) == []  # in the outbox, sent by the worker after the commit
    run_jobs(mail_app)
    [alert] = mailbox.to(leader)
    assert code in alert.subject and "khẩn" in alert.subject.lower()
    assert f"{BASE_URL}/staff/feedback/{code}" in alert.body and "UBND Phường Chiềng Cơi" in alert.body
    assert_clean(alert.body)
    assert mailbox.to(processor) == []  # the leaders, not every officer
    submit(client, form(mail_app, commune="03670"))
    run_jobs(mail_app)
    assert len(mailbox.to(leader)) == 1
