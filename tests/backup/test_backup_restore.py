"""`flask --app portal backup` and `restore` (SECURITY.md check 36), on the suite's database kind.

A seeded database with a feedback photo and a dossier document (made through the real operations) is
backed up once; each test restores it into a scratch database and upload folder of its own and checks
migrations at head, row counts and every file's SHA-256 independently of the backup code. Everything runs
twice: with the local upload folder and with the S3 store on a moto server (tests/support/s3.py).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.pool import NullPool

from portal.backup import files as backup_files
from portal.catalog.models import Procedure
from portal.dossiers import intake as dossier_intake
from portal.dossiers.models import DossierFile
from portal.extensions import db
from portal.feedback.models import FeedbackPhoto
from portal.uploads import storage
from portal.uploads.s3 import S3Store
from tests.conftest import build_app, migrate_and_seed
from tests.support.databases import backend, throwaway_database
from tests.support.dossiers import person as applicant
from tests.support.feedback import make_item
from tests.support.files import PDF, jpeg_bytes
from tests.support.storage import content, names, raw_content, remove

ONLINE_PROCEDURE = "1.004194"  # commune level, fully online


@dataclass
class Source:
    app: object
    backup: Path
    counts: dict[str, int]
    uploads: dict[str, str]  # name -> SHA-256, hashed here, not by the backup code
    photo: str
    document: str


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def uploads_of(application) -> dict[str, str]:
    """Every file of the app's upload store (the whole folder tree, or the bucket prefix's objects)."""
    with application.app_context():
        if isinstance(storage.backend(), S3Store):
            return {name: hashlib.sha256(raw_content(name)).hexdigest() for name in sorted(names())}
        root = storage.root()
    return {
        path.relative_to(root).as_posix(): sha256(path) for path in sorted(root.rglob("*")) if path.is_file()
    }


def bucket_keys(application) -> set[str]:
    """Every key in the S3 store's bucket, folders below the prefix included (empty for the local store)."""
    with application.app_context():
        store = storage.backend()
    if not isinstance(store, S3Store):
        return set()
    pages = store.client.get_paginator("list_objects_v2").paginate(Bucket=store.bucket)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def counts_of(application) -> dict[str, int]:
    with application.app_context(), db.engine.connect() as connection:
        names = inspect(connection).get_table_names()
        return {
            name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()  # noqa: S608
            for name in names
        }


def heads_of(application) -> tuple[set[str], set[str]]:
    """(the database's Alembic revisions, the migration scripts' heads)."""
    from alembic.script import ScriptDirectory

    from portal.settings import ROOT

    with application.app_context(), db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current, set(ScriptDirectory(str(ROOT / "migrations")).get_heads())


def cli(application, *args: str):
    """Run a `flask` command as the shell would: in an app context, then close every connection."""
    with application.app_context():
        try:
            return application.test_cli_runner().invoke(args=list(args))
        finally:
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module", params=["local", "s3"])
def store_kind(request):
    return request.param


def store_settings(request, kind: str) -> dict[str, str]:
    """Settings overrides: none for the local folder, a new bucket on the moto server for S3."""
    if kind == "local":
        return {}
    server = request.getfixturevalue("s3_server")
    return server.settings(server.new_bucket())


@pytest.fixture(scope="module")
def source(tmp_path_factory, store_kind, request):
    folder = tmp_path_factory.mktemp("backup-source")
    with throwaway_database(folder, "backup_source") as url:
        application = build_app(folder, url, **store_settings(request, store_kind))
        migrate_and_seed(application)
        with application.app_context():
            item = make_item(photos=(jpeg_bytes(color=(12, 34, 56)),))
            procedure = db.session.scalar(select(Procedure).where(Procedure.code == ONLINE_PROCEDURE))
            dossier = dossier_intake.submit_online(
                procedure, applicant(), [dossier_intake.Upload(PDF, "to-khai.pdf")], None, "vi"
            )
            db.session.commit()
            photo, document = item.photos[0].stored_name, dossier.files[0].stored_name
            db.session.remove()
        result = cli(application, "backup", "--output", str(folder / "backups"))
        assert result.exit_code == 0, result.output
        [backup] = (folder / "backups").iterdir()
        yield Source(application, backup, counts_of(application), uploads_of(application), photo, document)
        with application.app_context():
            db.engine.dispose()


@pytest.fixture
def target(tmp_path, store_kind, request):
    """An empty scratch database and upload store, configured as a second portal."""
    with throwaway_database(tmp_path, "backup_target") as url:
        application = build_app(tmp_path / "instance", url, **store_settings(request, store_kind))
        yield application
        with application.app_context():
            db.engine.dispose()


def copy_of(backup: Path, folder: Path) -> Path:
    return Path(shutil.copytree(backup, folder / backup.name))


def table_names(application) -> list[str]:
    with application.app_context(), db.engine.connect() as connection:
        return inspect(connection).get_table_names()


# ------------------------------------------------------------------------------------------------ backup


def test_the_backup_is_one_private_folder_with_a_complete_manifest(source):
    backup = source.backup
    assert backup.name.startswith("portal-backup-") and backup.name.endswith("Z")
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == 1 and manifest["portal_version"]
    assert manifest["database"]["kind"] == backend()
    assert {manifest["alembic_revision"]} == heads_of(source.app)[1]
    assert manifest["row_counts"] == source.counts
    assert manifest["row_counts"]["feedback_photos"] >= 1 and manifest["row_counts"]["dossier_files"] >= 1
    dump = manifest["database"]["file"]
    assert dump == {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[backend()]
    listed = manifest["files"]
    assert {name for name in listed if name != dump} == {f"uploads/{name}" for name in source.uploads}
    assert f"uploads/{source.photo}" in listed and f"uploads/{source.document}" in listed
    for name, entry in listed.items():
        assert entry == {"sha256": sha256(backup / name), "size": (backup / name).stat().st_size}, name
    for name in source.uploads:
        assert listed[f"uploads/{name}"]["sha256"] == source.uploads[name]
    # Personal data: the folder and everything in it for the owner only.
    for path in [backup, *backup.rglob("*")]:
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
    assert sorted(path.name for path in backup.iterdir()) == sorted([dump, "manifest.json", "uploads"])


def test_verify_accepts_an_intact_backup(source):
    result = cli(source.app, "backup", "--verify", str(source.backup))
    assert result.exit_code == 0, result.output
    assert "is intact" in result.output
    # The dump itself is opened too, not only hashed.
    opened = {"sqlite": "integrity check ok", "postgresql": "readable pg_dump archive"}[backend()]
    assert opened in result.output


def test_a_failed_backup_leaves_nothing_that_looks_complete(source, tmp_path, monkeypatch):
    real_copy, calls = backup_files._copy, []

    def failing_copy(origin, destination):
        calls.append(origin)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_copy(origin, destination)

    monkeypatch.setattr(backup_files, "_copy", failing_copy)
    result = cli(source.app, "backup", "--output", str(tmp_path / "out"))

    assert result.exit_code != 0 and len(calls) == 2
    assert list((tmp_path / "out").iterdir()) == []  # not even the hidden work folder


@pytest.mark.skipif(backend() != "postgresql", reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_without_pg_dump_the_backup_names_the_missing_tool(source, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_PG_BINDIR", str(tmp_path / "no-client"))
    result = cli(source.app, "backup", "--output", str(tmp_path / "out"))

    assert result.exit_code != 0
    assert "pg_dump" in result.output and "was not found" in result.output
    assert "postgresql-client" in result.output
    assert "Traceback" not in result.output
    assert list((tmp_path / "out").iterdir()) == []


def test_the_dump_is_a_snapshot_of_committed_data(source, tmp_path):
    """A transaction still open while the backup runs is neither in the dump nor blocks it."""
    with source.app.app_context():
        url = db.engine.url
    writer = create_engine(url, poolclass=NullPool)
    try:
        with writer.connect() as connection:
            connection.execute(
                text(
                    "INSERT INTO calendar_days (day, kind, reason, legal_reference) "
                    "VALUES (:day, 'off', 'uncommitted', '')"
                ),
                {"day": date(2031, 1, 2)},
            )
            result = cli(source.app, "backup", "--output", str(tmp_path / "out"))
            connection.rollback()
    finally:
        writer.dispose()
    assert result.exit_code == 0, result.output
    [backup] = (tmp_path / "out").iterdir()
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["row_counts"]["calendar_days"] == source.counts["calendar_days"]


# ----------------------------------------------------------------------------------------------- restore


def check_restored(source, application) -> None:
    current, heads = heads_of(application)
    assert current == heads
    assert counts_of(application) == source.counts
    assert uploads_of(application) == source.uploads
    with application.app_context():
        photos = db.session.scalars(select(FeedbackPhoto.stored_name)).all()
        documents = db.session.scalars(select(DossierFile.stored_name)).all()
        db.session.remove()
        assert source.photo in photos and source.document in documents
        for name in [*photos, *documents]:
            # The same sealed bytes as in the source (the store holds them encrypted), and they still decrypt.
            assert hashlib.sha256(raw_content(name)).hexdigest() == source.uploads[name], name
            assert content(name)


def test_restore_into_a_scratch_database_and_folder(source, target):
    result = cli(target, "restore", str(source.backup))

    assert result.exit_code == 0, result.output
    assert "every SHA-256 matches" in result.output
    check_restored(source, target)
    with target.app_context():
        if not isinstance(storage.backend(), S3Store):
            assert stat.S_IMODE(storage.root().stat().st_mode) == 0o700
    assert not [key for key in bucket_keys(target) if "/.restore-" in key]  # the staging area is gone


def test_restore_onto_data_needs_yes_and_then_replaces_it(source, target):
    assert cli(target, "restore", str(source.backup)).exit_code == 0
    with target.app_context():
        remove(source.photo)
        db.session.execute(text("DELETE FROM calendar_days WHERE day = (SELECT max(day) FROM calendar_days)"))
        db.session.commit()
        db.session.remove()
    changed = counts_of(target)

    refused = cli(target, "restore", str(source.backup))

    assert refused.exit_code != 0
    assert "not empty" in refused.output and "--yes" in refused.output and "calendar_days" in refused.output
    assert "Nothing was restored" in refused.output and "Traceback" not in refused.output
    assert counts_of(target) == changed and source.photo not in uploads_of(target)
    replaced = uploads_of(target)

    result = cli(target, "restore", "--yes", str(source.backup))
    assert result.exit_code == 0, result.output
    check_restored(source, target)
    # The replaced store is set aside, not deleted: a folder beside the local one, a folder of the bucket.
    with target.app_context():
        store = storage.backend()
        if isinstance(store, S3Store):
            kept = {key for key in bucket_keys(target) if key.startswith(f"{store.prefix}.replaced-")}
            assert {key.rsplit("/", 1)[1] for key in kept} == set(replaced)
            assert len({key.rsplit("/", 1)[0] for key in kept}) == 1
        else:
            root = storage.root()
            [kept_folder] = [
                path for path in root.parent.iterdir() if path.name.startswith("uploads.replaced-")
            ]
            assert {path.name for path in kept_folder.iterdir()} == set(replaced)
    assert "previous upload store was kept in" in result.output


def alter_upload(backup: Path, source: Source) -> str:
    path = backup / "uploads" / source.photo
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    return f"uploads/{source.photo}"


def alter_dump(backup: Path, source: Source) -> str:
    [dump] = [path for path in backup.iterdir() if path.name.startswith("database.")]
    with dump.open("ab") as handle:
        handle.write(b"\0")
    return dump.name


def remove_document(backup: Path, source: Source) -> str:
    (backup / "uploads" / source.document).unlink()
    return f"uploads/{source.document}"


def add_file(backup: Path, source: Source) -> str:
    (backup / "uploads" / "planted.html").write_text("<script>alert(1)</script>")
    return "uploads/planted.html"


def escape_the_folder(backup: Path, source: Source) -> str:
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["uploads/../../escaped.txt"] = {"sha256": "0" * 64, "size": 1}
    (backup / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return "uploads/../../escaped.txt"


@pytest.mark.parametrize("tamper", [alter_upload, alter_dump, remove_document, add_file, escape_the_folder])
def test_a_tampered_backup_is_refused_before_anything_is_touched(source, target, tmp_path, tamper):
    backup = copy_of(source.backup, tmp_path / "copy")
    named = tamper(backup, source)

    verified = cli(target, "backup", "--verify", str(backup))
    restored = cli(target, "restore", "--yes", str(backup))

    for result in (verified, restored):
        assert result.exit_code != 0
        assert named in result.output, result.output
        assert "Traceback" not in result.output
    assert "Nothing was restored" in restored.output
    assert table_names(target) == []
    assert uploads_of(target) == {} and bucket_keys(target) == set()  # no staging area left either
    assert not (tmp_path / "escaped.txt").exists()


def test_a_manifest_that_does_not_match_the_database_fails_the_restore(source, target, tmp_path):
    backup = copy_of(source.backup, tmp_path / "copy")
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    manifest["row_counts"]["events"] += 1
    (backup / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    result = cli(target, "restore", str(backup))

    # SQLite: the dump's own counts are read before anything is touched; PostgreSQL: after the restore.
    assert result.exit_code != 0
    assert "table events" in result.output and "Traceback" not in result.output


def test_restore_refuses_what_is_not_a_backup(target, tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli(target, "restore", str(tmp_path / "empty"))
    assert result.exit_code != 0
    assert "manifest.json is missing" in result.output
    assert table_names(target) == []


def test_counts_helper_sees_the_whole_database(source):
    # Guards the independent checks above: they must count every table, not an empty schema.
    assert len(source.counts) >= 15 and source.counts["feedback_items"] >= 1
    with source.app.app_context():
        photos = db.session.scalar(select(func.count()).select_from(FeedbackPhoto))
        assert photos == source.counts["feedback_photos"]
        db.session.remove()


def edit_manifest(backup: Path, change) -> None:
    path = backup / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def test_a_backup_from_a_newer_portal_is_refused(source, target, tmp_path):
    backup = copy_of(source.backup, tmp_path / "copy")
    edit_manifest(backup, lambda manifest: manifest.update(alembic_revision="ffffffffffff"))

    result = cli(target, "restore", str(backup))

    assert result.exit_code != 0
    assert "ffffffffffff" in result.output and "do not know" in result.output
    assert table_names(target) == []


def test_a_backup_of_the_other_database_kind_is_refused(source, target, tmp_path):
    backup = copy_of(source.backup, tmp_path / "copy")
    kinds = {"sqlite": ("postgresql", "database.pgdump"), "postgresql": ("sqlite", "database.sqlite3")}
    other, dump = kinds[backend()]
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    old_dump = manifest["database"]["file"]
    (backup / old_dump).rename(backup / dump)

    def swap(data):
        data["database"].update(kind=other, file=dump)
        data["files"][dump] = data["files"].pop(old_dump)

    edit_manifest(backup, swap)

    result = cli(target, "restore", str(backup))

    assert result.exit_code != 0
    assert f"this is a {other} backup and the configured database is {backend()}" in result.output
    assert table_names(target) == []


def test_an_unusable_output_folder_is_reported_without_a_traceback(source, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    result = cli(source.app, "backup", "--output", str(tmp_path / "a-file" / "backups"))
    assert result.exit_code != 0
    assert "no backup was written" in result.output and "Traceback" not in result.output
