"""Reconcile the database with the upload store (`flask --app portal check-files`).

Two kinds of trouble: a row whose file is not on disk (a download would answer 404), and a file on disk no
row names (left by a crash between writing the file and committing, or by a restore). Files are written
before the database commit (portal.uploads.storage), so a file younger than GRACE may belong to an upload
still in progress: it is listed apart and never counts as trouble, nor is it ever deleted.

The listing is taken before the rows are read: a file committed in between is then seen as referenced,
never as an orphan.

Which rows name stored files is for the features to say: each registers a source of StoredRow at app start
(`register_source`, from its wiring.py), so uploads never imports the features that use it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app

from . import storage

GRACE_SECONDS = 3600  # an upload in progress is never older than this (requests time out long before)


@dataclass(frozen=True)
class StoredRow:
    table: str
    row_id: int
    item: str  # the dossier or feedback code the file belongs to
    name: str


@dataclass(frozen=True)
class DiskFile:
    name: str
    size: int
    age_seconds: int


@dataclass
class Report:
    root: str
    files_on_disk: int = 0
    names_in_database: int = 0
    missing: list[StoredRow] = field(default_factory=list)  # rows without their file
    orphans: list[DiskFile] = field(default_factory=list)  # unreferenced files older than GRACE
    recent: list[DiskFile] = field(default_factory=list)  # unreferenced, younger: maybe an upload in progress
    deleted: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not [o for o in self.orphans if o.name not in self.deleted]


SOURCES = "portal.uploads.stored_file_sources"


def register_source(app: Flask, source: Callable[[], Iterable[StoredRow]]) -> None:
    """A feature's stored files: `source()` yields a StoredRow for every stored name its tables hold."""
    app.extensions.setdefault(SOURCES, []).append(source)


def stored_rows():
    """Every (table, id, item code, stored name) the database holds, from each registered source."""
    for source in current_app.extensions.get(SOURCES, []):
        yield from source()


def _files(root: Path, now: float) -> dict[str, DiskFile]:
    found = {}
    for path in root.iterdir():
        try:
            status = path.lstat()
        except FileNotFoundError:  # removed while we listed (a rolled-back upload)
            continue
        if path.is_file() or path.is_symlink():
            found[path.name] = DiskFile(path.name, status.st_size, int(now - status.st_mtime))
    return found


def _exists(name: str) -> bool:
    try:
        return storage.path_of(name).is_file()
    except ValueError:  # a name no upload could have had: its file cannot be served
        return False


def check(delete_orphans: bool = False, now: float | None = None) -> Report:
    root = storage.root()
    now = time.time() if now is None else now
    on_disk = _files(root, now)
    report = Report(root=str(root), files_on_disk=len(on_disk))
    referenced = set()
    for row in stored_rows():
        referenced.add(row.name)
        if row.name not in on_disk and not _exists(row.name):
            report.missing.append(row)
    report.names_in_database = len(referenced)
    for name, file in sorted(on_disk.items()):
        if name not in referenced:
            (report.orphans if file.age_seconds >= GRACE_SECONDS else report.recent).append(file)
    if delete_orphans:
        report.deleted = _delete(root, report.orphans, now)
    return report


def _delete(root: Path, orphans: list[DiskFile], now: float) -> list[str]:
    deleted = []
    for orphan in orphans:
        path = root / orphan.name
        try:
            if now - path.lstat().st_mtime < GRACE_SECONDS:  # rewritten since we looked: leave it
                continue
            path.unlink()
        except FileNotFoundError:
            continue
        deleted.append(orphan.name)
    return deleted
