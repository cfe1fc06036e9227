"""Reconcile the database with the upload store (`flask --app portal check-files`), local folder or S3.

Two kinds of trouble: a row whose file is not in the store (a download would answer 404), and a file no
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

from flask import Flask, current_app

from . import storage
from .backends import Missing, Store

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


def _files(store: Store, now: float) -> dict[str, DiskFile]:
    return {
        entry.name: DiskFile(entry.name, entry.size, int(now - entry.modified)) for entry in store.entries()
    }


def check(delete_orphans: bool = False, now: float | None = None) -> Report:
    """Raises StorageUnavailable when the store cannot be listed or read."""
    store = storage.backend()
    now = time.time() if now is None else now
    on_disk = _files(store, now)
    report = Report(root=store.describe(), files_on_disk=len(on_disk))
    referenced = set()
    for row in stored_rows():
        referenced.add(row.name)
        # Not listed: maybe written after the listing; a name no upload could have had is missing.
        if row.name not in on_disk and not store.exists(row.name):
            report.missing.append(row)
    report.names_in_database = len(referenced)
    for name, file in sorted(on_disk.items()):
        if name not in referenced:
            (report.orphans if file.age_seconds >= GRACE_SECONDS else report.recent).append(file)
    if delete_orphans:
        report.deleted = _delete(store, report.orphans, now)
    return report


def _delete(store: Store, orphans: list[DiskFile], now: float) -> list[str]:
    deleted = []
    # Listed again just before deleting: a file rewritten or removed since the first listing is left alone.
    current = {entry.name: entry.modified for entry in store.entries()} if orphans else {}
    for orphan in orphans:
        modified = current.get(orphan.name)
        if modified is None:  # gone since we looked
            continue
        if now - modified < GRACE_SECONDS:  # rewritten since we looked: leave it
            continue
        try:
            store.delete(orphan.name)
        except Missing:
            continue
        deleted.append(orphan.name)
    return deleted
