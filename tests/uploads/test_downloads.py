"""Every route that serves a stored file (portal.uploads.serving): dossier documents and results, feedback
photos, from the local folder and from the S3 store (tests/uploads/conftest.py). A download is an
attachment named with the stored type's extension; a file missing from the store is a translated 404,
never a 500; downloads of personal files are audited (who, which file, which item)."""

from __future__ import annotations

import io
import re

import pytest
from babel.support import Translations
from PIL import Image
from sqlalchemy import select

from portal.catalog.models import Procedure
from portal.dossiers.models import Dossier, DossierFile
from portal.events.models import Event
from portal.extensions import db
from portal.settings import ROOT
from tests.support.clients import fresh_client, signed_in
from tests.support.dossiers import applicant
from tests.support.factories import account
from tests.support.feedback import make_item, publish
from tests.support.files import PDF, jpeg_bytes
from tests.support.storage import content, remove

LEADER = "leader"
PROCESSOR = "processor"


PROCEDURE = "1.004194"  # a commune-level procedure of the demo staff's ward (applicant() lives there)
VI = Translations.load(str(ROOT / "translations"), ["vi"])


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def submit(client, files: list[tuple[bytes, str]]) -> Dossier:
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == PROCEDURE))
    data = applicant()
    data[f"doc-{procedure.documents[0].id}"] = [(io.BytesIO(raw), name) for raw, name in files]
    response = client.post(f"/dossiers/apply/{PROCEDURE}", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    code = re.search(r"/dossiers/([^/]+)/receipt", response.headers["Location"])[1]
    return db.session.scalar(select(Dossier).where(Dossier.code == code))


def file_url(dossier: Dossier, record: DossierFile) -> str:
    return f"/dossiers/{dossier.code}/files/{record.id}"


def downloads(subject_type: str, subject_id: int) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.subject_type == subject_type,
                Event.subject_id == subject_id,
                Event.action == "file_downloaded",
            )
            .order_by(Event.id)
        )
    )


def body(response) -> str:
    text = response.get_data(as_text=True)
    response.close()
    return text


# --- names and headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "given", "shown", "mimetype"),
    [
        pytest.param(PDF, "ho_so.html", "ho_so.pdf", "application/pdf", id="pdf-named-html"),
        pytest.param(PDF, "run.bat", "run.pdf", "application/pdf", id="pdf-named-bat"),
        pytest.param(png_bytes(), "x.png", "x.jpg", "image/jpeg", id="png-stored-as-jpeg"),
        pytest.param(jpeg_bytes(), "anh.svg", "anh.jpg", "image/jpeg", id="jpeg-named-svg"),
    ],
)
def test_a_document_is_stored_and_downloaded_with_the_extension_of_its_type(app, raw, given, shown, mimetype):
    client = fresh_client(app)
    dossier = submit(client, [(raw, given)])
    [record] = dossier.files
    assert (record.display_name, record.mimetype) == (shown, mimetype)
    with client.get(file_url(dossier, record)) as response:
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == f"attachment; filename={shown}"
        assert response.mimetype == mimetype
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "private, no-store"


def test_a_row_stored_before_the_rule_still_downloads_with_the_right_extension(app):
    client = fresh_client(app)
    dossier = submit(client, [(PDF, "to-khai.pdf")])
    [record] = dossier.files
    record.display_name = "ho_so.html"  # as the portal stored it before this change
    db.session.flush()
    with client.get(file_url(dossier, record)) as response:
        assert response.headers["Content-Disposition"] == "attachment; filename=ho_so.pdf"
        assert response.mimetype == "application/pdf"


def test_feedback_photos_are_attachments_named_after_the_item(app):
    item = make_item(photos=(jpeg_bytes(),))
    photo = item.photos[0]
    staff = signed_in(app, PROCESSOR)
    for name, expected in (
        (photo.stored_name, f"{item.code}-1.jpg"),
        (photo.thumbnail_name, f"{item.code}-1-thumb.jpg"),
    ):
        with staff.get(f"/feedback/photos/{name}") as response:
            assert response.status_code == 200 and response.mimetype == "image/jpeg"
            assert response.headers["Content-Disposition"] == f"attachment; filename={expected}"
            assert "sandbox" in response.headers["Content-Security-Policy"]


# --- a file missing on disk --------------------------------------------------------------------------------


def assert_translated_404(response) -> None:
    assert response.status_code == 404
    text = body(response)
    assert VI.gettext("File not found") in text and VI.gettext("File not found") != "File not found"
    assert "Traceback" not in text and "FileNotFoundError" not in text


@pytest.mark.parametrize("who", ["citizen", "staff"])
def test_a_dossier_file_missing_on_disk_is_a_translated_404(app, who):
    client = fresh_client(app)
    dossier = submit(client, [(PDF, "to-khai.pdf")])
    [record] = dossier.files
    remove(record.stored_name)
    reader = client if who == "citizen" else signed_in(app, PROCESSOR)
    assert_translated_404(reader.get(file_url(dossier, record)))
    assert downloads("dossier", dossier.id) == []  # nothing was downloaded


def test_a_result_missing_on_disk_is_a_translated_404(app):
    client = fresh_client(app)
    dossier = submit(client, [(PDF, "to-khai.pdf")])
    [record] = dossier.files
    record.kind = "result"
    db.session.flush()
    remove(record.stored_name)
    assert_translated_404(client.get(file_url(dossier, record)))


@pytest.mark.parametrize("published", [False, True], ids=["private", "published"])
def test_a_feedback_photo_missing_on_disk_is_a_translated_404(app, published):
    item = make_item(photos=(jpeg_bytes(),))
    if published:
        publish(item)
    photo = item.photos[0]
    remove(photo.stored_name)
    reader = fresh_client(app) if published else signed_in(app, PROCESSOR)
    assert_translated_404(reader.get(f"/feedback/photos/{photo.stored_name}"))
    with reader.get(f"/feedback/photos/{photo.thumbnail_name}") as thumbnail:
        assert thumbnail.status_code == 200  # the other file of the row is still there


# --- audit -------------------------------------------------------------------------------------------------


def test_a_staff_download_is_audited_with_who_which_file_and_which_item(app):
    client = fresh_client(app)
    dossier = submit(client, [(PDF, "to-khai.pdf")])
    [record] = dossier.files
    staff = signed_in(app, PROCESSOR, remote_addr="10.0.0.7")
    with staff.get(file_url(dossier, record)) as response:
        assert response.status_code == 200
    [event] = downloads("dossier", dossier.id)
    assert event.actor_id == account(PROCESSOR).id and event.ip_address == "10.0.0.7"
    assert f"#{record.id}" in event.note and "to-khai.pdf" in event.note and "staff" in event.note
    assert not event.is_public


def test_a_citizen_download_is_audited_too(app):
    client = fresh_client(app, remote_addr="203.0.113.9")
    dossier = submit(client, [(PDF, "to-khai.pdf")])
    [record] = dossier.files
    for _ in range(2):
        with client.get(file_url(dossier, record)) as response:
            assert response.status_code == 200
    events = downloads("dossier", dossier.id)
    assert len(events) == 2  # every download, not only the first
    assert all(e.actor_id is None and e.ip_address == "203.0.113.9" and "session" in e.note for e in events)


def test_a_refused_download_is_not_audited(app):
    dossier = submit(fresh_client(app), [(PDF, "to-khai.pdf")])
    [record] = dossier.files
    assert fresh_client(app).get(file_url(dossier, record)).status_code == 404  # a stranger
    assert downloads("dossier", dossier.id) == []


def test_private_photos_are_audited_and_published_ones_are_not(app):
    item = make_item(photos=(jpeg_bytes(),))
    photo = item.photos[0]
    staff = signed_in(app, PROCESSOR)
    for name in (photo.stored_name, photo.thumbnail_name):
        with staff.get(f"/feedback/photos/{name}") as response:
            assert response.status_code == 200
    events = downloads("feedback", item.id)
    assert [e.note.split(" · ")[0] for e in events] == [f"{item.code}-1.jpg", f"{item.code}-1-thumb.jpg"]
    assert all(e.actor_id == account(PROCESSOR).id for e in events)

    publish(item)
    db.session.flush()
    with fresh_client(app).get(f"/feedback/photos/{photo.stored_name}") as response:
        assert response.status_code == 200 and response.headers["Cache-Control"] == "public, max-age=3600"
    assert len(downloads("feedback", item.id)) == 2  # public, like the answer: not audited


def test_downloads_appear_in_the_audit_log_with_a_translated_label_and_not_on_the_timeline(app):
    client = fresh_client(app)
    dossier = submit(client, [(PDF, "to-khai.pdf")])
    [record] = dossier.files
    with signed_in(app, PROCESSOR).get(file_url(dossier, record)) as response:
        assert response.status_code == 200
    leader = signed_in(app, LEADER)
    query = f"subject_type=dossier&subject={dossier.code}&action=file_downloaded"
    page = body(leader.get(f"/staff/audit?{query}"))
    label = VI.gettext("File downloaded")
    assert label != "File downloaded" and label in page and "to-khai.pdf" in page
    timeline = body(leader.get(f"/staff/dossiers/{dossier.code}"))
    assert label not in timeline


# --- streaming and validators ------------------------------------------------------------------------------


def test_a_download_is_streamed_with_its_length_and_no_validator(app):
    client = fresh_client(app)
    dossier = submit(client, [(PDF, "to-khai.pdf")])
    [record] = dossier.files
    with client.get(file_url(dossier, record)) as response:
        assert response.status_code == 200
        assert response.is_streamed  # sent from the store's stream a block at a time, never held whole
        data = response.get_data()
        assert data == content(record.stored_name)
        assert response.headers["Content-Length"] == str(len(data))
        assert "ETag" not in response.headers and "Last-Modified" not in response.headers


def test_a_published_photo_has_an_etag_and_answers_304_to_it(app):
    item = make_item(photos=(jpeg_bytes(),))
    publish(item)
    db.session.flush()
    url = f"/feedback/photos/{item.photos[0].stored_name}"
    client = fresh_client(app)
    with client.get(url) as first:
        assert first.status_code == 200 and first.get_data() == content(item.photos[0].stored_name)
        etag = first.headers["ETag"]
        assert etag == f'"{item.photos[0].stored_name}"' and first.headers["Last-Modified"]
    with client.get(url, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.get_data() == b""
