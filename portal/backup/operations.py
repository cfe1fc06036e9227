"""Make, verify and restore backups of the configured database and upload store (CLI in commands.py)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import URL

from portal.backup import files, inventory, postgres, sqlite
from portal.backup.manifest import (
    DUMP_NAMES,
    MANIFEST,
    BackupError,
    Manifest,
    file_digest,
    problems,
    read,
    write_private,
)
from portal.extensions import db
from portal.uploads import storage
from portal.uploads.backends import StorageUnavailable, Store

PREFIX = "portal-backup-"


class NotEmpty(BackupError):
    """The target holds data and the operator did not confirm with --yes."""


class HalfRestored(BackupError):
    """The database was restored but the upload store could not be put in place."""


@dataclass
class Check:
    manifest: Manifest
    notes: list[str] = field(default_factory=list)


@dataclass
class Restored:
    manifest: Manifest
    revision: str
    counts: dict[str, int]
    kept_uploads: str | None  # where the replaced upload store was set aside
    mismatches: list[str]


def database_kind(url: URL) -> str:
    return "sqlite" if url.get_backend_name() == "sqlite" else "postgresql"


def portal_version() -> str:
    try:
        return version("portal")
    except PackageNotFoundError:
        return "unknown"


def _fsync_folder(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create(output: Path | None = None) -> tuple[Path, Manifest]:
    """Write one backup folder under `output` (default: <instance>/backups); return its path and manifest.

    The work happens in a hidden `.portal-backup-…partial` folder that is renamed only once the dump, the
    uploads and the manifest are on disk; any failure removes it, so nothing incomplete looks finished.
    """
    url = db.engine.url
    kind = database_kind(url)
    output = (output or Path(current_app.instance_path) / "backups").resolve()
    output.mkdir(mode=0o700, parents=True, exist_ok=True)
    started = datetime.now(UTC).replace(microsecond=0)
    final = output / f"{PREFIX}{started:%Y%m%dT%H%M%SZ}"
    if final.exists():
        raise BackupError(f"{final} already exists; wait a second and run the backup again")
    work = Path(tempfile.mkdtemp(prefix=f".{final.name}-", suffix=".partial", dir=output))  # mode 0700
    try:
        dump = work / DUMP_NAMES[kind]
        if kind == "sqlite":
            revision, counts = sqlite.dump(Path(url.database or ""), dump)
            tool = f"sqlite3 {sqlite3.sqlite_version}"
        else:
            with db.engine.connect() as connection:
                revision, counts, tool = postgres.dump(connection, url, dump)
        if not revision:
            raise BackupError(
                "the database has no Alembic revision: run `flask --app portal db upgrade` first"
            )
        listed = {dump.name: file_digest(dump)}
        listed.update(files.back_up(storage.backend(), work))  # after the snapshot: see files.py
        manifest = Manifest(
            created_at=started.isoformat().replace("+00:00", "Z"),
            portal_version=portal_version(),
            alembic_revision=revision,
            database_kind=kind,
            row_counts=counts,
            files=listed,
            database_tool=tool,
        )
        write_private(work / MANIFEST, manifest.to_json())
        for folder in (work / "uploads", work):
            _fsync_folder(folder)
        os.rename(work, final)
        _fsync_folder(output)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final, manifest


def _intact(folder: Path) -> Manifest:
    manifest = read(folder)
    if bad := problems(folder, manifest):
        raise BackupError(f"the backup {folder} is damaged or was altered:\n  - " + "\n  - ".join(bad))
    return manifest


def _check_dump(folder: Path, manifest: Manifest) -> list[str]:
    """Open the dump itself: SQLite's integrity check and counts, or pg_restore's table of contents."""
    dump = folder / manifest.dump_name
    if manifest.database_kind == "sqlite":
        revision, counts = sqlite.check_dump(dump)
        differ = [
            f"table {name}: {counts.get(name, 'missing')} rows in the dump, "
            f"{manifest.row_counts.get(name, 'none')} in the manifest"
            for name in sorted(counts.keys() | manifest.row_counts.keys())
            if counts.get(name) != manifest.row_counts.get(name)
        ]
        if revision != manifest.alembic_revision:
            differ.insert(
                0, f"revision {revision or 'none'} in the dump, {manifest.alembic_revision} in the manifest"
            )
        if differ:
            raise BackupError(
                f"{manifest.dump_name} does not match the manifest:\n  - " + "\n  - ".join(differ)
            )
        return [f"{manifest.dump_name}: integrity check ok, {len(counts)} tables as in the manifest"]
    try:
        entries = postgres.check_archive(dump, postgres.tool_major(manifest.database_tool))
    except postgres.ToolMissing as error:  # the hashes are checked; the archive's structure could not be
        return [f"{manifest.dump_name}: archive not opened ({error})"]
    return [f"{manifest.dump_name}: readable pg_dump archive, {entries} entries"]


def verify(folder: Path) -> Check:
    """Check a backup without touching the database or the upload store."""
    manifest = _intact(folder)
    return Check(manifest, _check_dump(folder, manifest))


def _existing_data(url: URL) -> tuple[dict[str, int], int]:
    """Non-empty tables of the target database (alembic_version aside) and the files in the upload store."""
    stored = files.count(storage.backend())
    if database_kind(url) == "sqlite" and not Path(url.database or "").exists():
        return {}, stored
    with db.engine.connect() as connection:
        counts = inventory.row_counts(connection)
    rows = {name: count for name, count in counts.items() if count and name != inventory.VERSION_TABLE}
    return rows, stored


def _describe(rows: dict[str, int], stored: int) -> str:
    biggest = sorted(rows.items(), key=lambda item: (-item[1], item[0]))
    shown = ", ".join(f"{name} {count}" for name, count in biggest)
    parts = [f"{sum(rows.values())} rows in {len(rows)} tables ({shown})"] if rows else []
    parts += [f"{stored} files in the upload store"] if stored else []
    return " and ".join(parts)


def restore(folder: Path, overwrite: bool = False) -> Restored:
    """Restore a verified backup into the configured database and upload store, then check the result."""
    url = db.engine.url
    manifest = _intact(folder)
    target_kind = database_kind(url)
    if manifest.database_kind != target_kind:
        raise BackupError(
            f"this is a {manifest.database_kind} backup and the configured database is "
            f"{target_kind}; restore it into a {manifest.database_kind} database"
        )
    if not inventory.known(manifest.alembic_revision):
        raise BackupError(
            f"the backup is at revision {manifest.alembic_revision}, which this portal's "
            f"migrations do not know: restore it with the portal version that made it "
            f"({manifest.portal_version}) or newer"
        )
    _check_dump(folder, manifest)
    rows, stored = _existing_data(url)
    if (rows or stored) and not overwrite:
        raise NotEmpty(
            f"the target is not empty: {_describe(rows, stored)} in "
            f"{url.render_as_string(hide_password=True)} would be replaced by the backup "
            f"of {manifest.created_at}; run again with --yes to overwrite them"
        )
    store = storage.backend()
    staging = files.stage(folder, manifest, store)
    try:
        db.session.remove()
        if target_kind == "sqlite":
            db.engine.dispose()
            sqlite.restore(folder / manifest.dump_name, Path(url.database or ""))
        else:
            with db.engine.connect() as connection:
                server = postgres.server_major(connection)
            db.engine.dispose()  # no pooled connection of ours may hold a lock that pg_restore waits for
            postgres.restore(
                folder / manifest.dump_name, url, max(server, postgres.tool_major(manifest.database_tool))
            )
    except BaseException:
        files.discard(staging)
        raise
    try:
        kept = files.swap_in(staging, store)
    except (OSError, StorageUnavailable) as error:
        raise HalfRestored(
            f"the database was restored, but the upload store could not be replaced "
            f"({error}): the backup's files are in {staging.describe()}; "
            f"move them to {store.describe()} by hand"
        ) from None
    db.engine.dispose()
    with db.engine.connect() as connection:
        revision, counts = inventory.revision(connection), inventory.row_counts(connection)
    return Restored(manifest, revision, counts, kept, _mismatches(manifest, revision, counts, store))


def _mismatches(manifest: Manifest, revision: str, counts: dict[str, int], store: Store) -> list[str]:
    found = []
    if revision != inventory.head():
        found.append(
            f"database at revision {revision or 'none'}, the migrations' head is {inventory.head()} "
            f"(run `flask --app portal db upgrade`)"
        )
    found += [
        f"table {name}: {counts.get(name, 'missing')} rows, the manifest says "
        f"{manifest.row_counts.get(name, 'no such table')}"
        for name in sorted(counts.keys() | manifest.row_counts.keys())
        if counts.get(name) != manifest.row_counts.get(name)
    ]
    return found + files.check(store, manifest)
