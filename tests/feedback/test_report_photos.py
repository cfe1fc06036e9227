"""Issue 18 item 2: photos kept as drafts of the form across an error (encrypted at rest like every upload,
unreachable from another session, deleted by the retention job), and item 3's warning before sending."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from portal.db_types import utcnow
from portal.extensions import db
from portal.privacy import retention
from portal.uploads import draft_posts, storage
from portal.uploads.drafts import UploadDraft
from tests.support.double_post import hidden_fields, stored_files
from tests.support.feedback import by_code, feedback_count, form_data, receipt_code
from tests.support.files import jpeg_bytes

DRAFTS = re.compile(r'name="remove_photo" value="(\d+)"')


def opened(client) -> dict:
    page = client.get("/feedback/new")
    return hidden_fields(page.get_data(as_text=True))


def post(client, hidden: dict, photos=(), **overrides):
    data = form_data(**overrides) | hidden
    data["photos"] = [(io.BytesIO(raw), name) for raw, name in photos]
    return client.post("/feedback/new", data=data, content_type="multipart/form-data")


def two_photos():
    return [(jpeg_bytes(color=(10, 200, 10)), "cau.jpg"), (jpeg_bytes(color=(10, 10, 200)), "duong.jpg")]


def draft_count() -> int:
    return db.session.scalar(select(func.count(UploadDraft.id)))


def test_a_form_error_keeps_the_photos_and_sending_uses_them(app, client):
    hidden = opened(client)
    answer = post(client, hidden, two_photos(), title="")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert len(DRAFTS.findall(body)) == 2 and "cau.jpg" in body and "duong.jpg" in body
    draft = db.session.scalars(select(UploadDraft)).first()
    with storage.backend().open(draft.stored_name) as handle:
        sealed = handle.read()
    assert not sealed.startswith(b"\xff\xd8") and storage.read(draft.stored_name).startswith(b"\xff\xd8")
    # The same photo chosen again is kept once.
    assert len(DRAFTS.findall(post(client, hidden, two_photos()[:1], title="").get_data(as_text=True))) == 2
    answer = post(client, hidden)  # no photo chosen this time
    assert answer.status_code == 302
    item = by_code(receipt_code(client))
    assert len(item.photos) == 2 and draft_count() == 0
    assert {p.stored_name for p in item.photos} <= stored_files(app)


def test_remove_a_kept_photo(app, client):
    hidden = opened(client)
    body = post(client, hidden, two_photos(), title="").get_data(as_text=True)
    first = DRAFTS.findall(body)[0]
    names = set(db.session.scalars(select(UploadDraft.stored_name).where(UploadDraft.id == int(first))))
    answer = post(client, hidden, remove_photo=first)
    assert answer.status_code == 200 and len(DRAFTS.findall(answer.get_data(as_text=True))) == 1
    assert not names & stored_files(app)  # its file went with it
    assert post(client, hidden).status_code == 302
    assert len(by_code(receipt_code(client)).photos) == 1


def test_another_session_cannot_reach_the_drafts(app, client):
    hidden = opened(client)
    body = post(client, hidden, two_photos(), title="").get_data(as_text=True)
    first = DRAFTS.findall(body)[0]
    stranger = app.test_client()
    own = opened(stranger)
    answer = post(stranger, own | {"nonce": hidden["nonce"]}, title="")
    assert not DRAFTS.findall(answer.get_data(as_text=True))  # not listed with the copied nonce
    post(stranger, own | {"nonce": hidden["nonce"]}, remove_photo=first, title="")
    post(stranger, own | {"nonce": hidden["nonce"]}, two_photos(), title="")
    assert draft_count() == 2  # neither removed nor added to
    assert post(client, hidden).status_code == 302
    assert len(by_code(receipt_code(client)).photos) == 2


def test_the_retention_job_deletes_old_drafts_with_their_files(app, client):
    hidden = opened(client)
    post(client, hidden, two_photos(), title="")
    names = {n for d in db.session.scalars(select(UploadDraft)) for n in (d.stored_name, d.thumbnail_name)}
    assert names <= stored_files(app)
    retention.run(app, dry_run=False, now=utcnow() + timedelta(hours=23), echo=lambda _: None)
    assert draft_count() == 2
    retention.run(app, dry_run=False, now=utcnow() + timedelta(days=1, minutes=1), echo=lambda _: None)
    assert draft_count() == 0 and not names & stored_files(app)


def test_personal_details_in_the_text_are_warned_about_before_sending(client):
    hidden = opened(client)
    before = feedback_count()
    text = "Gọi tôi 0912.345.678 hoặc pom@example.com để chỉ đường vào bản."
    answer = post(client, hidden, description=text)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and feedback_count() == before
    assert 'name="pii_ack" value="1"' in body and "số điện thoại" in body and "địa chỉ e-mail" in body
    assert text in body  # what was typed is kept
    assert post(client, hidden, description=text, pii_ack="1").status_code == 302
    assert feedback_count() == before + 1


def test_past_the_address_limit_the_photos_are_refused_and_the_report_still_goes(app, client, monkeypatch):
    """The per-address limit on files kept as drafts (portal/uploads/draft_posts.py; a smaller one here) holds
    on the report form: a fresh form's photos are refused under their field, with what was typed kept and
    nothing stored; the report is still sent without them (a post with no file counts nothing)."""
    monkeypatch.setattr(draft_posts, "FILES_PER_ADDRESS_HOUR", 2)
    assert post(client, opened(client), two_photos(), title="").status_code == 400
    hidden, files, before = opened(client), stored_files(app), feedback_count()
    answer = post(client, hidden, [(jpeg_bytes(color=(200, 10, 10)), "cong.jpg")], title="Cống tắc ở bản Mé")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "quá nhiều tệp được gửi từ kết nối của bạn" in body
    assert "Cống tắc ở bản Mé" in body and not DRAFTS.findall(body)
    assert draft_count() == 2 and stored_files(app) == files
    assert post(client, hidden, title="Cống tắc ở bản Mé").status_code == 302
    assert feedback_count() == before + 1 and by_code(receipt_code(client)).photos == []
