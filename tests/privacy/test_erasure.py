"""Erasure leaves no personal field or file of the citizen; dossiers under an archive duty are restricted
instead, invisible to other staff (issue 10 item 4)."""

import pytest
from sqlalchemy import select

from portal.domain.retention_rules import with_overrides
from portal.extensions import db
from portal.feedback.models import Feedback
from portal.privacy import wiring
from portal.privacy.models import PrivacyRequest
from tests.privacy.support import database_text, make_citizen, national, store_names
from tests.support.clients import sign_in
from tests.support.factories import make_account
from tests.support.feedback import publish


@pytest.fixture
def no_archive_duty(app):
    """Every retention period set to 0 years: a finished dossier is erased, not restricted."""
    before = app.extensions[wiring.RULES_KEY]
    app.extensions[wiring.RULES_KEY] = with_overrides({rule.code: 0 for rule in before})
    yield
    app.extensions[wiring.RULES_KEY] = before


def test_account_deletion_leaves_no_personal_field_or_file(client, login, no_archive_duty):
    me = make_citizen("a", open_dossier=False)
    publish(me.feedback[0])
    answer = me.feedback[0].answer
    files = me.stored_names()
    db.session.commit()
    assert files and files <= store_names()
    text = database_text()
    assert me.email in text and me.phone in text and me.cccd in text and me.name in text
    login(me.account)
    response = client.post("/my-data/erase", data={"confirm": "y"})
    assert response.status_code == 200
    text = database_text()
    for personal in (me.name, me.email, me.phone, national(me.phone), me.cccd):
        assert personal not in text, personal
    assert not files & store_names()
    # The report and the agency's public answer stay.
    item = db.session.get(Feedback, me.feedback[0].id)
    assert item.answer == answer and item.title and not item.photos
    kinds = {(r.subject_type, r.outcome) for r in db.session.scalars(select(PrivacyRequest))}
    assert {("feedback", "anonymised"), ("dossier", "anonymised"), ("account", "done")} <= kinds
    # Signed out, and the account cannot sign in again.
    assert client.get("/my-data").status_code == 302


def test_deletion_waits_while_a_dossier_is_being_handled(client, login):
    me = make_citizen("a")
    db.session.commit()
    login(me.account)
    response = client.post("/my-data/erase", data={"confirm": "y"})
    assert response.status_code == 302
    assert me.email in database_text()


def test_anonymous_reporter_erases_their_report_through_its_private_link(client, create_feedback):
    from portal.feedback import operations
    from tests.support.feedback import make_item
    from tests.support.files import jpeg_bytes

    submission_phone, name, email = "+84933000444", "Cầm Văn Ẩn", "an-danh@example.com"
    item = make_item(phone=submission_phone, contact_name=name, email=email, photos=(jpeg_bytes(),))
    token = "tok-" + "x" * 20
    item.token_hash = operations.hash_token(token)
    files = {item.photos[0].stored_name, item.photos[0].thumbnail_name}
    db.session.commit()
    assert client.get(f"/my-data/t/{token}").status_code == 302
    page = client.get("/my-data").get_data(as_text=True)
    assert name in page
    assert client.post("/my-data/erase", data={"confirm": "y"}).status_code == 200
    text = database_text()
    for personal in (name, email, submission_phone, national(submission_phone)):
        assert personal not in text
    assert not files & store_names()
    assert client.get(f"/my-data/t/{token}").status_code == 404  # the link opens nothing any more


def test_a_dossier_under_archive_duty_is_restricted_and_invisible_to_other_staff(client, app, login):
    me = make_citizen("a", open_dossier=False)
    dossier = me.dossiers[0]
    code, agency = dossier.code, dossier.agency
    db.session.commit()
    login(me.account)
    response = client.post(f"/my-data/dossiers/{code}/erase", data={"confirm": "y"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # The citizen is told why, naming the rule (residence registration: 20 years), and until when.
    assert "Hạn chế xử lý" in page and "20 năm" in page
    until = db.session.scalar(select(PrivacyRequest.kept_until).where(PrivacyRequest.outcome == "restricted"))
    assert f"sau ngày {until[8:10]}/{until[5:7]}/{until[:4]}" in page and until not in page
    assert me.cccd in database_text()  # kept: the archive duty
    # The citizen's own pages no longer show it.
    assert client.get(f"/dossiers/{code}").status_code == 404
    for role in ("receptionist", "processor", "agency_admin"):
        staff = app.test_client()
        sign_in(staff, make_account(role, agency=agency))
        # Its agency is told it is restricted (not a bare 404), with no personal data.
        sent = staff.get(f"/staff/dossiers/{code}")
        assert sent.status_code == 302 and sent.headers["Location"].endswith(
            f"/staff/privacy/dossiers/{code}"
        )
        notice = staff.get(sent.headers["Location"])
        text = notice.get_data(as_text=True)
        assert notice.status_code == 200 and "bị hạn chế xử lý" in text, role
        assert me.cccd not in text and me.name not in text and "/restricted/" not in text, role
        assert code not in staff.get(f"/staff/dossiers?status=10&q={me.cccd}").get_data(as_text=True)
        assert staff.get(f"/staff/privacy/restricted/{code}").status_code == 403, role
    outsider = app.test_client()
    sign_in(outsider, make_account("leader", agency="so-y-te"))
    assert outsider.get(f"/staff/privacy/restricted/{code}").status_code == 404
    assert outsider.get(f"/staff/dossiers/{code}").status_code == 404
    assert outsider.get(f"/staff/privacy/dossiers/{code}").status_code == 404
    leader = app.test_client()
    sign_in(leader, make_account("leader", agency=agency))
    notice = leader.get(f"/staff/dossiers/{code}", follow_redirects=True).get_data(as_text=True)
    assert me.cccd not in notice and f"/staff/privacy/restricted/{code}" in notice  # a deliberate opening
    opened = leader.get(f"/staff/privacy/restricted/{code}")
    assert opened.status_code == 200 and me.cccd in opened.get_data(as_text=True)
    from portal.events.models import Event

    logged = db.session.scalars(
        select(Event.action).where(Event.subject_type == "dossier", Event.subject_id == dossier.id)
    ).all()
    assert "restricted" in logged and "restricted_viewed" in logged


def test_the_authorised_officer_downloads_a_restricted_dossiers_file_and_it_is_logged(client, app, login):
    from portal.events.models import Event
    from portal.uploads import storage

    me = make_citizen("a", open_dossier=False)
    dossier = me.dossiers[0]
    code, agency, stored = dossier.code, dossier.agency, dossier.files[0]
    file_id, original = stored.id, storage.read(stored.stored_name)
    db.session.commit()
    login(me.account)
    assert client.post(f"/my-data/dossiers/{code}/erase", data={"confirm": "y"}).status_code == 200
    url = f"/staff/privacy/restricted/{code}/files/{file_id}"

    leader = app.test_client()
    sign_in(leader, make_account("leader", agency=agency))
    assert url in leader.get(f"/staff/privacy/restricted/{code}").get_data(as_text=True)  # linked
    response = leader.get(url)
    assert response.status_code == 200 and response.data == original
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "no-store" in response.headers["Cache-Control"]
    downloads = db.session.scalars(
        select(Event).where(
            Event.subject_type == "dossier", Event.subject_id == dossier.id, Event.action == "file_downloaded"
        )
    ).all()
    assert len(downloads) == 1 and f"#{file_id}" in downloads[0].note
    # Nobody else: another agency's leader, a processor of the agency, another dossier's file number.
    outsider = app.test_client()
    sign_in(outsider, make_account("leader", agency="so-y-te"))
    assert outsider.get(url).status_code == 404
    processor = app.test_client()
    sign_in(processor, make_account("processor", agency=agency))
    assert processor.get(url).status_code == 403
    assert leader.get(f"/staff/privacy/restricted/{code}/files/{file_id + 10_000}").status_code == 404
    # A dossier that is not restricted has no such door.
    other = make_citizen("b", phone="+84912000222", cccd="014190000888", open_dossier=False).dossiers[0]
    db.session.commit()
    assert leader.get(f"/staff/privacy/restricted/{other.code}/files/{other.files[0].id}").status_code == 404


def test_erasure_after_a_real_submission_leaves_no_mail_job_holding_the_address(app, monkeypatch):
    """A report sent through the web form queues its receipt e-mail in the jobs outbox (to, subject, body with
    the reporter's name): erasing the report must not leave the address or the name there."""
    import dataclasses
    import re

    from portal.jobs.models import OutboxJob
    from portal.settings import Smtp
    from tests.support.clients import fresh_client
    from tests.support.feedback import web_submit

    settings = app.config["PORTAL_SETTINGS"]  # a mail server configured: the receipt is queued (not sent)
    monkeypatch.setitem(
        app.config, "PORTAL_SETTINGS", dataclasses.replace(settings, smtp=Smtp(host="127.0.0.1"))
    )
    client = fresh_client(app)
    name, email = "Lường Thị Xóa", "xoa-toi@example.com"
    assert web_submit(client, contact_name=name, email=email, phone="0933 000 555").status_code == 302
    receipt = client.get("/feedback/receipt").get_data(as_text=True)
    token = re.search(r"/feedback/t/([A-Za-z0-9_-]{32})", receipt)[1]
    assert db.session.scalar(select(OutboxJob).where(OutboxJob.payload.contains(email))) is not None
    assert client.get(f"/my-data/t/{token}").status_code == 302
    assert client.post("/my-data/erase", data={"confirm": "y"}).status_code == 200
    text = database_text()
    for personal in (name, email, "+84933000555", "0933000555"):
        assert personal not in text, personal


def test_erasure_clears_the_citizens_is_it_fixed_comment(client, create_feedback):
    """Regression: the reply to "is it fixed?" (portal/feedback/closure.py) kept the citizen's words,
    phone number included, after their report was erased."""
    from portal.domain.feedback_status import FeedbackAction
    from portal.feedback import closure, operations
    from tests.support.factories import account
    from tests.support.feedback import make_item

    phone = "+84933000555"
    item = make_item(category="dat-dai", phone=phone, contact_name="Lò Thị Sửa")
    operations.staff_act(item, FeedbackAction.ACCEPT, account("processor"))
    fix = closure.answer_fixed(item, account("processor"), "Đã giải quyết.", None).fix
    fix.comment = f"Chưa sửa, gọi tôi {national(phone)}"
    token = "tok-" + "f" * 20
    item.token_hash = operations.hash_token(token)
    db.session.commit()
    assert client.get(f"/my-data/t/{token}").status_code == 302
    assert client.post("/my-data/erase", data={"confirm": "y"}).status_code == 200
    assert national(phone) not in database_text()
    assert fix.comment == ""
