"""Private upload storage (portal.uploads.storage): content-addressed, atomic, confined to the uploads
folder, and no orphan file when a request's transaction is rolled back — on the local folder and on the S3
store (tests/uploads/conftest.py runs each test on both)."""

from __future__ import annotations

import hashlib
import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests

from portal.extensions import db
from portal.feedback import numbering, operations, report_photos
from portal.uploads import backends, storage
from tests.support.clients import fresh_client
from tests.support.feedback import by_code, feedback_count, receipt_code, web_submit
from tests.support.files import jpeg_bytes
from tests.support.storage import content, names


def tree(folder: Path) -> set[Path]:
    return {path for path in folder.rglob("*")}


def unique_jpeg(seed: int) -> bytes:
    """A JPEG no other test stores, so its files cannot already exist from a committed row."""
    return jpeg_bytes(size=(800, 600), color=(seed % 256, (seed * 7) % 256, (seed * 13) % 256))


# --------------------------------------------------------------------------------------------------- store()


def test_store_names_are_server_chosen_and_never_shared(app):
    data = b"first file " + os.urandom(16)
    name = storage.store(data, ".jpg")
    # A keyed content digest plus a random part: no two uploads share a file.
    assert re.fullmatch(storage.content_digest(data) + r"-[0-9a-f]{16}\.jpg", name)
    # The name does not give the plaintext's bare hash away: holding a copy does not prove it is stored.
    assert hashlib.sha256(data).hexdigest()[:32] not in name
    assert content(name) == data
    with storage.open_decrypted(name) as handle:
        assert handle.size == len(data)  # the plaintext's size, worked out from the sealed file's
    again = storage.store(data, ".jpg")
    assert again != name and content(again) == data and {name, again} <= names()


def test_the_store_answers_the_readiness_check(app):
    storage.backend().check()  # the local folder is writable; the moto bucket exists and answers


@pytest.mark.local_storage
def test_the_local_store_is_the_instance_folder(app):
    name = storage.store(b"local " + os.urandom(8), ".jpg")
    path = storage.path_of(name)
    assert path.parent == storage.root() == Path(app.instance_path) / "uploads"
    assert storage.backend().describe() == str(storage.root())


@pytest.mark.local_storage
def test_store_writes_a_temporary_file_in_the_folder_then_renames_it(app, monkeypatch):
    calls = []
    real_replace, real_fsync = os.replace, os.fsync
    monkeypatch.setattr(backends.os, "fsync", lambda fd: (calls.append(("fsync", fd)), real_fsync(fd))[1])

    def spy_replace(src, dst):
        calls.append(("replace", Path(src), Path(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(backends.os, "replace", spy_replace)
    data = os.urandom(64)
    name = storage.store(data, ".jpg")
    assert [call[0] for call in calls] == ["fsync", "replace"]  # flushed to disk before it appears
    _, source, target = calls[1]
    assert source.parent == target.parent == storage.root()  # same filesystem: the rename is atomic
    assert source.name.startswith(".upload-") and target.name == name
    assert not any(n.startswith(".upload-") for n in names())


@pytest.mark.local_storage
def test_a_failed_write_leaves_neither_the_file_nor_a_temporary_one(app, monkeypatch):
    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(backends.os, "replace", broken_replace)
    data = os.urandom(64)
    before = names()
    with pytest.raises(OSError):
        storage.store(data, ".jpg")
    assert names() == before
    assert not storage.path_of(hashlib.sha256(data).hexdigest() + ".jpg").exists()


@pytest.mark.parametrize("suffix", ["/../../evil.py", "/../x", "\\..\\evil", "/x"])
def test_store_never_writes_outside_the_uploads_folder(app, suffix):
    instance = Path(app.instance_path)
    before, stored = tree(instance.parent), names()
    with pytest.raises(ValueError):
        storage.store(b"#!/bin/sh\nrm -rf /\n", suffix)
    assert tree(instance.parent) == before and names() == stored


@pytest.mark.local_storage
@pytest.mark.parametrize(
    "name", ["../x", "../../etc/passwd", "a/b", "a\\b", ".hidden", ".upload-abc", "", "/abs"]
)
def test_path_of_rejects_names_that_could_escape_or_hide(app, name):
    with pytest.raises(ValueError):
        storage.path_of(name)


@pytest.mark.local_storage
def test_path_of_accepts_a_stored_name(app):
    name = hashlib.sha256(b"x").hexdigest() + ".jpg"
    path = storage.path_of(name)
    assert path == storage.root() / name and path.resolve().parent == storage.root().resolve()
    assert storage.root() == Path(app.instance_path) / "uploads"
    assert "static" not in storage.root().parts  # never served as static files


# -------------------------------------------------------------------------------------------------- requests


def draft_files() -> set[str]:
    from portal.uploads.drafts import UploadDraft

    db.session.expire_all()
    rows = db.session.execute(select(UploadDraft.stored_name, UploadDraft.thumbnail_name)).all()
    return {name for row in rows for name in row}


def test_invalid_second_photo_stores_nothing(app):
    client = fresh_client(app)
    before_files, before_rows = names(), feedback_count()
    php = b"<?php system($_GET['c']); ?>"
    response = web_submit(client, photos=[(unique_jpeg(11), "ok.jpg"), (php, "x.jpg")])
    assert response.status_code == 400
    # Nothing of the refused file; the valid photo is kept as the form's draft (issue 18 item 2), only that.
    assert names() - before_files == draft_files()
    assert len(draft_files()) == 2  # the photo and its thumbnail
    assert feedback_count() == before_rows


def test_files_of_a_rolled_back_submission_are_removed(app, monkeypatch):
    """The photos are written, then the operation fails: the route rolls back, the files go too."""

    def fail(*args, **kwargs):
        raise operations.FeedbackError("category")

    monkeypatch.setattr(numbering, "number", fail)  # runs after the photos were stored
    client = fresh_client(app)
    before_files, before_rows = names(), feedback_count()
    response = web_submit(client, photos=[(unique_jpeg(21), "a.jpg"), (unique_jpeg(22), "b.jpg")])
    assert response.status_code == 400
    # The report's own files went with the rollback; what stays is the form's draft of the two photos
    # (issue 18 item 2: the citizen does not upload them again).
    assert names() - before_files == draft_files()
    assert feedback_count() == before_rows


def test_files_of_a_crashed_request_are_removed(app, monkeypatch):
    def crash(item):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(operations, "search_keys", crash)
    client = fresh_client(app)
    before_files, before_rows = names(), feedback_count()
    response = web_submit(client, photos=[(unique_jpeg(31), "a.jpg")])
    assert response.status_code == 500
    assert "unexpected" not in response.get_data(as_text=True)
    # The report's files went; the form's draft of the photo, committed before the report was built,
    # stays for the citizen's next try (issue 18 item 2) and expires by the retention schedule.
    assert names() - before_files == draft_files()
    assert feedback_count() == before_rows


def test_files_of_a_request_refused_with_an_http_error_are_removed(app, monkeypatch):
    """An HTTP error raised after a file was stored (a limit, a 404) is answered without a rollback: the
    app context's teardown removes the file."""
    written = []

    def keep_then_refuse(form, nonce, image, *args):
        written.append(storage.store(image.data, ".jpg"))
        raise TooManyRequests()

    monkeypatch.setattr(report_photos.drafts, "keep", keep_then_refuse)
    response = web_submit(fresh_client(app), photos=[(unique_jpeg(35), "a.jpg")])
    assert response.status_code == 429
    assert len(written) == 1 and written[0] not in names()


# Which mechanism removes a request's uncommitted files: a rollback removes them at once (the Session's
# after_rollback listener, so a route that rolls back and carries on, like form_nonce.lost_race, leaves none);
# the end of the app context removes what is left when no rollback event came: an exception or an HTTP error
# answered without a rollback, a request that ends without committing, a rollback when no transaction had
# begun (SQLAlchemy then sends no event), a command or job that stops.


def _uncommitted(label: str) -> str:
    return storage.store(label.encode() + os.urandom(16), ".jpg")


def test_a_rollback_removes_the_new_files_at_once(app):
    with app.app_context():
        db.session.execute(select(1))  # the transaction has begun
        name = _uncommitted("rolled back")
        db.session.rollback()
        assert not storage.backend().exists(name)


def test_an_exception_without_a_rollback_removes_the_new_files(app):
    with pytest.raises(RuntimeError), app.app_context():
        db.session.execute(select(1))
        name = _uncommitted("crashed")
        raise RuntimeError("unexpected")
    assert not storage.backend().exists(name)


def test_a_context_ending_without_a_commit_removes_the_new_files(app):
    with app.app_context():
        db.session.execute(select(1))
        name = _uncommitted("never committed")
    assert not storage.backend().exists(name)


def test_a_rollback_before_any_transaction_removes_the_new_files(app):
    with app.app_context():
        name = _uncommitted("no transaction")
        db.session.rollback()  # nothing had begun: no after_rollback event
    assert not storage.backend().exists(name)


def test_a_commit_keeps_the_new_files(app):
    with app.app_context():
        db.session.execute(select(1))
        name = _uncommitted("committed")
        db.session.commit()
    assert storage.backend().exists(name)
    storage.backend().delete(name)


def test_a_committed_submission_keeps_its_files(app):
    client = fresh_client(app)
    before = names()
    response = web_submit(client, photos=[(unique_jpeg(41), "a.jpg"), (unique_jpeg(42), "b.png")])
    assert response.status_code == 302
    item = by_code(receipt_code(client))
    written = {name for photo in item.photos for name in (photo.stored_name, photo.thumbnail_name)}
    assert len(written) == 4
    assert written <= names() and written.isdisjoint(before)
    for photo in item.photos:
        image = Image.open(io.BytesIO(content(photo.stored_name)))
        assert image.format == "JPEG" and (image.width, image.height) == (photo.width, photo.height)
        assert dict(image.getexif()) == {}


def test_a_rolled_back_request_does_not_remove_a_file_a_committed_item_uses(app, monkeypatch):
    photo = unique_jpeg(51)
    client = fresh_client(app)
    assert web_submit(client, photos=[(photo, "a.jpg")]).status_code == 302
    kept = {p.stored_name for p in by_code(receipt_code(client)).photos}

    def fail(*args, **kwargs):
        raise operations.FeedbackError("category")

    monkeypatch.setattr(numbering, "number", fail)  # after the photos were stored
    assert web_submit(fresh_client(app), photos=[(photo, "same.jpg")]).status_code == 400
    assert kept <= names()


def test_a_rollback_racing_a_commit_of_the_same_photo_keeps_the_committed_file(app):
    photo = unique_jpeg(61)
    # Request A (simulated in the test's own context) writes the photo and has not committed yet…
    from portal.uploads.images import process_photo

    processed = process_photo(photo)
    storage.store(processed.data, ".jpg")
    # …request B sends the same photo and commits…
    client = fresh_client(app)
    assert web_submit(client, photos=[(photo, "a.jpg")]).status_code == 302
    item = by_code(receipt_code(client))
    # …then A fails and rolls back.
    storage.discard_uncommitted_files()
    assert storage.backend().exists(item.photos[0].stored_name)
