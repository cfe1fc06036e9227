"""`flask --app portal check-files` (portal.uploads.reconcile): rows whose file is missing, files no row
references, counts, exit status, --json, and --delete-orphans that only removes unreferenced files older
than an hour. Each test points the upload store at its own folder (or bucket, on the S3 store) holding
exactly the database's files."""

from __future__ import annotations

import json

import pytest

from portal.dossiers import intake as dossiers
from portal.uploads import reconcile, storage
from portal.uploads.s3 import S3Store
from tests.support.feedback import make_item
from tests.support.files import PDF, jpeg_bytes
from tests.support.storage import age, names, remove, stray

TWO_HOURS = 2 * 3600


@pytest.fixture
def store(app, tmp_path, monkeypatch):
    """A fresh upload store with a file for every name the database holds (the demo dossiers' PDFs…)."""
    current = storage.backend()
    if isinstance(current, S3Store):
        server = app.extensions["portal.tests.s3_server"]
        fresh = S3Store(server.new_bucket(), "uploads/", current.endpoint_url, current.region)
        monkeypatch.setitem(app.extensions, storage.EXTENSION, fresh)
    else:
        monkeypatch.setattr(app, "instance_path", str(tmp_path))
    for row in reconcile.stored_rows():
        storage.backend().put(row.name, b"x")
    return storage.backend()


def run(app, *args):
    return app.test_cli_runner().invoke(args=["check-files", *args])


def a_dossier_file():
    from tests.dossiers.test_operations import person, procedure

    dossier = dossiers.submit_online(procedure(), person(), [dossiers.Upload(PDF, "to-khai.pdf")], None, "vi")
    return dossier, dossier.files[0]


def test_a_consistent_store_passes(app, store):
    a_dossier_file()
    make_item(photos=(jpeg_bytes(),))
    result = run(app)
    assert result.exit_code == 0, result.output
    assert "Rows whose file is missing: 0" in result.output
    assert "Files no row references (older than 1 h): 0" in result.output
    report = json.loads(run(app, "--json").output)
    assert report["ok"] is True and report["missing"] == [] and report["orphans"] == []
    assert report["files_on_disk"] == report["names_in_database"] == len(names()) > 0
    assert report["root"] == store.describe()


def test_missing_files_and_orphans_are_listed_with_counts_and_exit_1(app, store):
    dossier, record = a_dossier_file()
    item = make_item(photos=(jpeg_bytes(),))
    remove(record.stored_name)
    remove(item.photos[0].thumbnail_name)
    orphan = stray("0123abcd-left-by-a-crash.pdf", b"%PDF-", seconds_ago=TWO_HOURS)
    fresh = stray("fedc9876-upload-in-progress.jpg", seconds_ago=60)

    result = run(app)
    assert result.exit_code == 1
    assert "Rows whose file is missing: 2" in result.output
    assert f"dossier_files #{record.id} ({dossier.code}): {record.stored_name}" in result.output
    photo = item.photos[0]
    assert f"feedback_photos #{photo.id} ({item.code}): {photo.thumbnail_name}" in result.output
    assert "Files no row references (older than 1 h): 1" in result.output and orphan in result.output
    assert "not counted): 1" in result.output and fresh in result.output
    assert "Nothing was deleted" in result.output
    assert {orphan, fresh} <= names()  # never deletes by default

    as_json = run(app, "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.output)
    assert report["ok"] is False
    assert {(row["table"], row["row_id"], row["item"]) for row in report["missing"]} == {
        ("dossier_files", record.id, dossier.code),
        ("feedback_photos", item.photos[0].id, item.code),
    }
    assert [o["name"] for o in report["orphans"]] == [orphan] and report["orphans"][0]["size"] == 5
    assert report["orphans"][0]["age_seconds"] >= TWO_HOURS - 5
    assert [r["name"] for r in report["recent"]] == [fresh]
    assert report["deleted"] == []


def test_delete_orphans_removes_only_unreferenced_files_older_than_an_hour(app, store):
    _dossier, record = a_dossier_file()
    kept = age(record.stored_name, TWO_HOURS)  # old, but a row names it
    orphan = stray("0123abcd-left-by-a-crash.pdf", b"%PDF-", seconds_ago=TWO_HOURS)
    temporary = stray(".upload-k2j3h4", seconds_ago=TWO_HOURS)  # a temporary file of a crashed write
    fresh = stray("fedc9876-upload-in-progress.jpg", seconds_ago=60)

    result = run(app, "--delete-orphans", "--json")
    report = json.loads(result.output)
    assert sorted(report["deleted"]) == sorted([orphan, temporary])
    assert orphan not in names() and temporary not in names()
    assert {kept, fresh} <= names()
    assert result.exit_code == 0 and report["ok"] is True  # what was wrong is repaired

    again = run(app)
    assert again.exit_code == 0 and "Files no row references (older than 1 h): 0" in again.output


def test_delete_orphans_never_hides_a_missing_file(app, store):
    _dossier, record = a_dossier_file()
    remove(record.stored_name)
    result = run(app, "--delete-orphans")
    assert result.exit_code == 1 and "Rows whose file is missing: 1" in result.output


def test_a_file_written_after_the_listing_and_committed_is_not_an_orphan(app, store, monkeypatch):
    """The listing comes before the rows: an upload that commits in between is referenced, not orphaned."""
    listed = reconcile._files

    def list_then_upload(store, now):
        found = listed(store, now)
        a_dossier_file()  # written and flushed after the listing
        return found

    monkeypatch.setattr(reconcile, "_files", list_then_upload)
    report = reconcile.check()
    assert report.ok and report.missing == [] and report.orphans == []
