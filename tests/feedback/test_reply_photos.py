"""Issue 18 item 5: the citizen's reply to a request for information carries photos (checked, re-encoded
without EXIF, encrypted at rest like the report's), kept across a form error, shown with the reply on the
timeline; public only once the report is published and unless staff hid them ("redact")."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.domain.feedback_status import FeedbackAction as A
from portal.events.models import Event
from portal.extensions import db
from portal.feedback import operations, redaction
from portal.feedback.models import FeedbackPhoto
from portal.uploads import storage
from portal.uploads.drafts import UploadDraft
from tests.support.clients import fresh_client, sign_in
from tests.support.double_post import hidden_fields, stored_files
from tests.support.factories import make_account
from tests.support.feedback import by_code, receipt_code, web_submit
from tests.support.files import jpeg_bytes

DRAFTS = re.compile(r'name="remove_photo" value="(\d+)"')
GPS_IFD = 0x8825


@pytest.fixture
def asked(app):
    """A report sent through the web by `citizen`, on which its agency asked for more information."""
    citizen = fresh_client(app)
    assert web_submit(citizen, photos=[(jpeg_bytes(color=(1, 2, 3)), "bao-cao.jpg")]).status_code == 302
    item = by_code(receipt_code(citizen))
    officer = make_account("processor", agency=db.session.get(Agency, item.agency_id))
    operations.staff_act(item, A.REQUEST_INFO, officer, note="Xin gửi ảnh gần hơn.")
    return citizen, item, officer


def reply(client, item, text="Ảnh chụp gần đây.", photos=(), **hidden):
    data = {"text": text, **hidden, "photos": [(io.BytesIO(raw), name) for raw, name in photos]}
    return client.post(f"/feedback/{item.code}/reply", data=data, content_type="multipart/form-data")


def drafts() -> int:
    return db.session.scalar(select(func.count(UploadDraft.id)))


def reply_photos(item) -> list[FeedbackPhoto]:
    return [p for p in item.photos if p.reply_event_id is not None]


def test_the_reply_carries_photos_linked_to_it(app, asked):
    citizen, item, officer = asked
    photos = [(jpeg_bytes(color=(10, 200, 10), exif_gps=True), "gan.jpg"), (jpeg_bytes(), "xa.jpg")]
    assert reply(citizen, item, photos=photos).status_code == 302
    db.session.refresh(item)
    assert item.status == "accepted"
    event = db.session.scalar(select(Event).where(Event.subject_id == item.id, Event.action == "supply_info"))
    attached = reply_photos(item)
    assert [p.reply_event_id for p in attached] == [event.id, event.id]
    assert [p.position for p in item.photos] == [1, 2, 3]  # after the report's own photo
    assert len(item.report_photos) == 1 and drafts() == 0
    first = attached[0]
    with storage.backend().open(first.stored_name) as handle:
        assert not handle.read().startswith(b"\xff\xd8")  # encrypted at rest
    image = Image.open(io.BytesIO(storage.read(first.stored_name)))
    assert not image.getexif().get_ifd(GPS_IFD)  # re-encoded: no location
    assert {first.stored_name, first.thumbnail_name} <= stored_files(app)
    status = citizen.get(f"/feedback/{item.code}/status").get_data(as_text=True)
    history = status[status.index('class="timeline"') :]
    assert first.thumbnail_name in history  # with the reply on the timeline
    assert status.index(first.thumbnail_name) > status.index('class="timeline"')  # not with the report's
    staff = fresh_client(app)
    sign_in(staff, officer)
    page = staff.get(f"/staff/feedback/{item.code}").get_data(as_text=True)
    assert page.index(first.thumbnail_name) > page.index('class="timeline"')
    assert staff.get(f"/feedback/photos/{first.stored_name}").status_code == 200


def test_a_form_error_keeps_the_photos_and_the_next_send_uses_them(app, asked):
    citizen, item, _officer = asked
    answer = reply(citizen, item, text="", photos=[(jpeg_bytes(color=(9, 9, 200)), "cong.jpg")])
    body = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "cong.jpg" in body and len(DRAFTS.findall(body)) == 1
    hidden = hidden_fields(body)
    assert hidden.get("nonce") and drafts() == 1
    answer = reply(citizen, item, text="Đây là ảnh cống.", nonce=hidden["nonce"])
    assert answer.status_code == 302
    db.session.refresh(item)
    assert item.status == "accepted" and len(reply_photos(item)) == 1 and drafts() == 0


def test_remove_a_kept_photo_and_six_photos_are_too_many(asked):
    citizen, item, _officer = asked
    six = [(jpeg_bytes(size=(40, 40), color=(n, n, 9)), f"{n}.jpg") for n in range(6)]
    body = reply(citizen, item, text="", photos=six).get_data(as_text=True)
    kept = DRAFTS.findall(body)
    assert len(kept) == 5 and "5" in body
    nonce = hidden_fields(body)["nonce"]
    answer = reply(citizen, item, text="", nonce=nonce, remove_photo=kept[0])
    assert answer.status_code == 200 and len(DRAFTS.findall(answer.get_data(as_text=True))) == 4
    assert reply(citizen, item, nonce=nonce).status_code == 302
    db.session.refresh(item)
    assert len(reply_photos(item)) == 4 and drafts() == 0


def test_another_browser_cannot_use_the_drafts(app, asked):
    citizen, item, _officer = asked
    body = reply(citizen, item, text="", photos=[(jpeg_bytes(), "a.jpg")]).get_data(as_text=True)
    nonce = hidden_fields(body)["nonce"]
    stranger = fresh_client(app)
    assert reply(stranger, item, nonce=nonce).status_code == 404  # no access to the item at all
    db.session.refresh(item)
    assert item.status == "info_requested" and drafts() == 1


def test_a_reply_when_nothing_is_asked_keeps_no_photo(asked):
    citizen, item, _officer = asked
    assert reply(citizen, item).status_code == 302
    assert reply(citizen, item, photos=[(jpeg_bytes(), "late.jpg")]).status_code == 302  # a second tap
    db.session.refresh(item)
    assert reply_photos(item) == [] and drafts() == 0


def test_public_only_once_published_and_not_redacted(app, asked):
    citizen, item, officer = asked
    assert reply(citizen, item, photos=[(jpeg_bytes(color=(5, 90, 5)), "ro.jpg")]).status_code == 302
    db.session.refresh(item)
    photo = reply_photos(item)[0]
    anonymous = fresh_client(app)
    assert anonymous.get(f"/feedback/photos/{photo.stored_name}").status_code == 404
    operations.staff_act(item, A.ANSWER, officer, note="Đã sửa xong.")  # answered: published
    page = anonymous.get(f"/feedback/{item.code}").get_data(as_text=True)
    assert photo.thumbnail_name in page
    assert anonymous.get(f"/feedback/photos/{photo.stored_name}").status_code == 200
    redaction.redact(item, officer, item.title, item.description, {photo.id})
    page = anonymous.get(f"/feedback/{item.code}").get_data(as_text=True)
    assert photo.thumbnail_name not in page
    assert anonymous.get(f"/feedback/photos/{photo.stored_name}").status_code == 404
    assert citizen.get(f"/feedback/photos/{photo.stored_name}").status_code == 200  # its citizen still
