"""Routes of closure the citizen can verify: the staff answer as fixed (after photo through the upload
pipeline, translated refusal), the question by e-mail or SMS, the one-tap page (GET changes nothing, POST
with CSRF, once), 404 for a wrong or another report's token, and the before/after photos on the pages."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import timedelta

import pytest

from portal.db_types import utcnow
from portal.domain.feedback_status import FeedbackAction as A
from portal.extensions import db
from portal.feedback import closure, operations
from portal.settings import Smtp
from tests.support.clients import fresh_client, signed_in
from tests.support.factories import account
from tests.support.feedback import EMAIL, events_of, make_item
from tests.support.files import jpeg_bytes
from tests.support.jobs import QueuedMail
from tests.support.sms import queued_sms, with_sms


@pytest.fixture
def mailbox(app, monkeypatch):
    smtp = Smtp(host="127.0.0.1", port=9)  # never contacted: no worker runs here
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", replace(app.config["PORTAL_SETTINGS"], smtp=smtp))
    return QueuedMail()


def accepted(email: str = EMAIL):
    item = make_item(email=email, now=utcnow() - timedelta(days=10), photos=(jpeg_bytes(color=(90, 60, 20)),))
    operations.staff_act(item, A.ACCEPT, account("processor"))
    return item


def answer(staff, item, fixed: bool = True, photo: bytes | None = None):
    data: dict = {"note": "Đã san lấp ổ gà, xe đi lại bình thường."}
    if fixed:
        data["fixed"] = "1"
    if photo is not None:
        data["after_photo"] = (io.BytesIO(photo), "sau.jpg")
    return staff.post(
        f"/staff/feedback/{item.code}/answer",
        data=data,
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def question_link(text: str) -> str:
    match = re.search(r"https?://[^\s]+/feedback/(PA-[\d-]+)/fixed/([A-Za-z0-9_-]+)", text)
    assert match, text
    return f"/feedback/{match[1]}/fixed/{match[2]}"


def test_answer_as_fixed_without_the_photo_is_refused_in_vietnamese(app):
    item = accepted()
    body = answer(signed_in(app, account("processor")), item).get_data(as_text=True)
    assert "Loại phản ánh này cần ảnh hiện trường sau khi khắc phục" in body
    db.session.refresh(item)
    assert item.status == "accepted" and item.fixes == []


def test_answer_as_fixed_mails_the_question_and_the_citizen_answers_once(app, mailbox):
    item = accepted()
    staff = signed_in(app, account("processor"))
    assert answer(staff, item, photo=jpeg_bytes()).status_code == 200
    db.session.refresh(item)
    [fix] = item.fixes
    assert item.status == "answered" and fix.stored_name
    [(to, _subject, body)] = [mail for mail in mailbox if "/fixed/" in mail[2]]
    assert to == EMAIL
    path = question_link(body)
    citizen = fresh_client(app)
    page = citizen.get(path)
    assert page.status_code == 200 and "Đã khắc phục chưa?" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"  # never the token elsewhere
    db.session.refresh(fix)
    assert fix.reply == ""  # a GET changes nothing
    response = citizen.post(path, data={"answer": "no", "comment": "Vẫn còn ổ gà"})
    assert response.status_code == 303
    db.session.refresh(item)
    db.session.refresh(fix)
    assert (fix.reply, fix.comment, fix.reopened, item.status) == ("no", "Vẫn còn ổ gà", True, "accepted")
    events = [e.id for e in events_of(item)]
    again = citizen.post(path, data={"answer": "yes"})
    assert again.status_code == 303
    db.session.refresh(fix)
    assert fix.reply == "no" and [e.id for e in events_of(item)] == events
    assert "Nothing more is needed" in citizen.get(path + "?lang=en").get_data(as_text=True)


def test_without_an_e_mail_address_the_question_goes_by_sms(app, monkeypatch, mailbox):
    with_sms(app, monkeypatch)
    item = accepted(email="")
    answer(signed_in(app, account("processor")), item, photo=jpeg_bytes())
    [sms] = [s for s in queued_sms() if s["purpose"] == "fix-check"]
    assert sms["to"] == item.phone and item.code in sms["text"]
    assert fresh_client(app).get(question_link(sms["text"])).status_code == 200


def test_a_wrong_or_another_reports_token_is_not_found(app):
    first, second = accepted(), accepted()
    token = closure.answer_fixed(first, account("processor"), "Xong.", jpeg_bytes()).token
    other = closure.answer_fixed(second, account("processor"), "Xong.", jpeg_bytes()).token
    client = fresh_client(app)
    assert client.get(f"/feedback/{first.code}/fixed/{token}").status_code == 200
    assert client.get(f"/feedback/{first.code}/fixed/{other}").status_code == 404  # another report's
    assert client.get(f"/feedback/{first.code}/fixed/{token}x").status_code == 404
    assert client.post(f"/feedback/{second.code}/fixed/{token}", data={"answer": "no"}).status_code == 404
    assert first.fixes[0].reply == "" and second.fixes[0].reply == ""


def test_the_answer_needs_the_csrf_token(app, monkeypatch):
    item = accepted()
    token = closure.answer_fixed(item, account("processor"), "Xong.", jpeg_bytes()).token
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client = fresh_client(app)
    path = f"/feedback/{item.code}/fixed/{token}"
    assert client.post(path, data={"answer": "no"}).status_code == 400
    assert item.fixes[0].reply == ""
    page = client.get(path).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    assert client.post(path, data={"answer": "yes", "csrf_token": csrf}).status_code == 303
    db.session.refresh(item.fixes[0])
    assert item.fixes[0].reply == "yes"


def test_public_page_shows_before_and_after_and_serves_the_after_photo(app):
    item = accepted()
    fix = closure.answer_fixed(item, account("processor"), "Xong.", jpeg_bytes()).fix
    db.session.commit()
    client = fresh_client(app)
    body = client.get(f"/feedback/{item.code}").get_data(as_text=True)
    assert f"/feedback/after-photos/{fix.thumbnail_name}" in body
    assert f"/feedback/photos/{item.photos[0].thumbnail_name}" in body
    photo = client.get(f"/feedback/after-photos/{fix.stored_name}")
    assert photo.status_code == 200 and photo.data.startswith(b"\xff\xd8")
    assert client.get("/feedback/after-photos/nothing.jpg").status_code == 404


def test_an_unpublished_items_after_photo_is_not_public(app):
    item = accepted()
    fix = closure.answer_fixed(item, account("processor"), "Xong.", jpeg_bytes()).fix
    item.is_published = False
    db.session.commit()
    assert fresh_client(app).get(f"/feedback/after-photos/{fix.stored_name}").status_code == 404
    staff = signed_in(app, account("processor"))
    assert staff.get(f"/feedback/after-photos/{fix.stored_name}").status_code == 200
