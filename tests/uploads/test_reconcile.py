"""`flask --app portal check-files` (portal.uploads.reconcile): rows whose file is missing, files no row
references, counts, exit status, --json, and --delete-orphans that only removes unreferenced files older
than an hour. Each test points the upload store at its own folder holding exactly the database's files."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from portal.dossiers import intake as dossiers
from portal.uploads import reconcile, storage
from tests.support.feedback import make_item
from tests.support.files import PDF, jpeg_bytes

TWO_HOURS = 2 * 3600


@pytest.fixture
def store(app, tmp_path, monkeypatch) -> Path:
    """A fresh upload store with a file for every name the database holds (the demo dossiers' PDFs…)."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    for row in reconcile.stored_rows():
        storage.path_of(row.name).write_bytes(b"x")
    return storage.root()


def run(app, *args):
    return app.test_cli_runner().invoke(args=["check-files", *args])


def a_dossier_file():
    from tests.dossiers.test_operations import person, procedure

    dossier = dossiers.submit_online(procedure(), person(), [dossiers.Upload(PDF, "to-khai.pdf")], None, "vi")
    return dossier, dossier.files[0]


def aged(path: Path, seconds: int) -> Path:
    moment = time.time() - seconds
    os.utime(path, (moment, moment))
    return path


def stray(store: Path, name: str, data: bytes = b"x", age: int = 0) -> Path:
    """A file no row names, last written `age` seconds ago."""
    path = store / name
    path.write_bytes(data)
    return aged(path, age)


def test_a_consistent_store_passes(app, store):
    a_dossier_file()
    make_item(photos=(jpeg_bytes(),))
    result = run(app)
    assert result.exit_code == 0, result.output
    assert "Rows whose file is missing: 0" in result.output
    assert "Files no row references (older than 1 h): 0" in result.output
    report = json.loads(run(app, "--json").output)
    assert report["ok"] is True and report["missing"] == [] and report["orphans"] == []
    assert report["files_on_disk"] == report["names_in_database"] == len(list(store.iterdir())) > 0


def test_missing_files_and_orphans_are_listed_with_counts_and_exit_1(app, store):
    dossier, record = a_dossier_file()
    item = make_item(photos=(jpeg_bytes(),))
    storage.path_of(record.stored_name).unlink()
    storage.path_of(item.photos[0].thumbnail_name).unlink()
    orphan = stray(store, "0123abcd-left-by-a-crash.pdf", b"%PDF-", age=TWO_HOURS)
    fresh = stray(store, "fedc9876-upload-in-progress.jpg", age=60)

    result = run(app)
    assert result.exit_code == 1
    assert "Rows whose file is missing: 2" in result.output
    assert f"dossier_files #{record.id} ({dossier.code}): {record.stored_name}" in result.output
    photo = item.photos[0]
    assert f"feedback_photos #{photo.id} ({item.code}): {photo.thumbnail_name}" in result.output
    assert "Files no row references (older than 1 h): 1" in result.output and orphan.name in result.output
    assert "not counted): 1" in result.output and fresh.name in result.output
    assert "Nothing was deleted" in result.output
    assert orphan.exists() and fresh.exists()  # never deletes by default

    as_json = run(app, "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.output)
    assert report["ok"] is False
    assert {(row["table"], row["row_id"], row["item"]) for row in report["missing"]} == {
        ("dossier_files", record.id, dossier.code),
        ("feedback_photos", item.photos[0].id, item.code),
    }
    assert [o["name"] for o in report["orphans"]] == [orphan.name] and report["orphans"][0]["size"] == 5
    assert report["orphans"][0]["age_seconds"] >= TWO_HOURS - 5
    assert [r["name"] for r in report["recent"]] == [fresh.name]
    assert report["deleted"] == []


def test_delete_orphans_removes_only_unreferenced_files_older_than_an_hour(app, store):
    _dossier, record = a_dossier_file()
    kept = aged(storage.path_of(record.stored_name), TWO_HOURS)  # old, but a row names it
    orphan = stray(store, "0123abcd-left-by-a-crash.pdf", b"%PDF-", age=TWO_HOURS)
    temporary = stray(store, ".upload-k2j3h4", age=TWO_HOURS)  # a temporary file of a crashed write
    fresh = stray(store, "fedc9876-upload-in-progress.jpg", age=60)

    result = run(app, "--delete-orphans", "--json")
    report = json.loads(result.output)
    assert sorted(report["deleted"]) == sorted([orphan.name, temporary.name])
    assert not orphan.exists() and not temporary.exists()
    assert kept.exists() and fresh.exists()
    assert result.exit_code == 0 and report["ok"] is True  # what was wrong is repaired

    again = run(app)
    assert again.exit_code == 0 and "Files no row references (older than 1 h): 0" in again.output


def test_delete_orphans_never_hides_a_missing_file(app, store):
    _dossier, record = a_dossier_file()
    storage.path_of(record.stored_name).unlink()
    result = run(app, "--delete-orphans")
    assert result.exit_code == 1 and "Rows whose file is missing: 1" in result.output


def test_a_file_written_after_the_listing_and_committed_is_not_an_orphan(app, store, monkeypatch):
    """The listing comes before the rows: an upload that commits in between is referenced, not orphaned."""
    listed = reconcile._files

    def list_then_upload(root, now):
        found = listed(root, now)
        a_dossier_file()  # written and flushed after the listing
        return found

    monkeypatch.setattr(reconcile, "_files", list_then_upload)
    report = reconcile.check()
    assert report.ok and report.missing == [] and report.orphans == []
