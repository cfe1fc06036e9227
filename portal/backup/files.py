"""The upload store in a backup: every file copied with its SHA-256, and put back through a staging area.

Files are content-addressed and never rewritten, and they reach the store before the row that names them
is committed; so copying them after the database snapshot gives every row of the snapshot its file.
Names starting with "." are uploads still being written (storage.store's temporary files): skipped.

Both stores work the same way. The local folder is staged as a new folder beside it and swapped in by
renaming (the old folder is kept as `uploads.replaced-<time>`). An S3 store is staged under the prefix's
`.restore-<time>/` folder, then the objects in place are moved to `.replaced-<time>/` and the staged ones
copied in, on the server (neither folder is part of the store: it lists only the prefix's own objects).
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import BinaryIO

from portal.backup.manifest import UPLOADS, BackupError, Manifest, file_digest, stream_digest
from portal.uploads.backends import LocalStore, Store
from portal.uploads.s3 import S3Store

Source = Path | Callable[[], BinaryIO]  # a local file, or something that opens a stored object


def stored_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative POSIX name, path) of every finished file under the upload root."""
    for folder, folders, names in os.walk(root):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if not name.startswith(".") and path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def sources(store: Store) -> Iterator[tuple[str, Source]]:
    """(name, source) of every finished file in the store."""
    if isinstance(store, LocalStore):
        yield from stored_files(store.root)
        return
    for entry in sorted(store.entries(), key=lambda entry: entry.name):
        if not entry.name.startswith("."):
            yield entry.name, partial(_stream, store, entry.name)


def _stream(store: Store, name: str) -> BinaryIO:
    return store.open(name).stream


def count(store: Store) -> int:
    return sum(1 for _ in sources(store))


def _open(source: Source) -> BinaryIO:
    return source.open("rb") if isinstance(source, Path) else source()


def _copy(source: Source, target: Path) -> dict:
    """Copy to a new 0600 file, hashing what was written; make it durable."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with closing(_open(source)) as reader, os.fdopen(fd, "wb") as writer:
        written = stream_digest(reader, writer.write)
        writer.flush()
        os.fsync(writer.fileno())
    return written


def back_up(store: Store, folder: Path) -> dict[str, dict]:
    """Copy the whole store into folder/uploads; return the manifest entries."""
    (folder / UPLOADS).mkdir(mode=0o700)
    return {f"{UPLOADS}/{name}": _copy(source, folder / UPLOADS / name) for name, source in sources(store)}


@dataclass
class Staged:
    """The backup's files, copied next to the store and checked, not yet in place."""

    local: Path | None = None  # a folder beside the local store
    remote: S3Store | None = None  # a folder of the bucket
    stamp: str = ""

    def describe(self) -> str:
        return str(self.local) if self.local is not None else self.remote.describe() if self.remote else ""


def _stamp() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}"


def stage(folder: Path, manifest: Manifest, store: Store) -> Staged:
    """Copy the backup's uploads next to the store, checking each hash again as it is read."""
    if isinstance(store, LocalStore):
        return Staged(local=_stage_folder(folder, manifest, store.root))
    if not isinstance(store, S3Store):
        raise BackupError(f"cannot restore into {store.describe()}")
    stamp = _stamp()
    staging = store.within(f".restore-{stamp}")
    try:
        for name in manifest.upload_names:
            buffer = io.BytesIO()
            with (folder / UPLOADS / name).open("rb") as reader:
                written = stream_digest(reader, buffer.write)
            if written != manifest.files[f"{UPLOADS}/{name}"]:
                raise BackupError(f"{UPLOADS}/{name} changed while it was being read; nothing was restored")
            try:
                staging.put(name, buffer.getvalue())
            except ValueError:
                raise BackupError(f"{UPLOADS}/{name}: an S3 store holds only flat names") from None
    except BaseException:
        discard(Staged(remote=staging))
        raise
    return Staged(remote=staging, stamp=stamp)


def _stage_folder(folder: Path, manifest: Manifest, root: Path) -> Path:
    staging = Path(tempfile.mkdtemp(prefix=".uploads-restore-", dir=root.parent))
    try:
        for name in manifest.upload_names:
            written = _copy(folder / UPLOADS / name, staging / name)
            if written != manifest.files[f"{UPLOADS}/{name}"]:
                raise BackupError(f"{UPLOADS}/{name} changed while it was being read; nothing was restored")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def discard(staged: Staged) -> None:
    """Remove a staging area that will not be used (best effort: it is outside the store anyway)."""
    if staged.local is not None:
        shutil.rmtree(staged.local, ignore_errors=True)
    if staged.remote is not None:
        for entry in list(staged.remote.entries()):
            staged.remote.delete(entry.name)


def swap_in(staged: Staged, store: Store) -> str | None:
    """Put the staged files in place; the old ones are kept aside (where is returned) unless there were none."""
    if staged.local is not None and isinstance(store, LocalStore):
        kept = _swap_folder(staged.local, store.root)
        return str(kept) if kept is not None else None
    assert staged.remote is not None and isinstance(store, S3Store)
    replaced = list(store.entries())
    aside = store.within(f".replaced-{staged.stamp}")
    for entry in replaced:  # a copy first, then the delete: nothing is lost if this stops half-way
        aside.copy_from(store, entry.name)
        store.delete(entry.name)
    for entry in staged.remote.entries():
        store.copy_from(staged.remote, entry.name)
    discard(staged)
    return aside.describe() if replaced else None


def _swap_folder(staging: Path, root: Path) -> Path | None:
    kept = None
    if root.exists():
        if any(root.iterdir()):
            stamp = f"{root.name}.replaced-{_stamp()}"
            names = (stamp if number == 1 else f"{stamp}-{number}" for number in range(1, 1000))
            kept = next(root.with_name(name) for name in names if not root.with_name(name).exists())
            os.rename(root, kept)
        else:
            root.rmdir()
    os.rename(staging, root)
    root.chmod(0o700)
    return kept


def check(store: Store, manifest: Manifest) -> list[str]:
    """Compare the restored store with the manifest: every file there, none extra, every hash equal."""
    expected = {name: manifest.files[f"{UPLOADS}/{name}"] for name in manifest.upload_names}
    found = {}
    for name, source in sources(store):
        if isinstance(source, Path):
            found[name] = file_digest(source)
        else:
            with closing(source()) as reader:
                found[name] = stream_digest(reader)
    problems = [
        f"{UPLOADS}/{name}: missing after the restore" for name in sorted(expected.keys() - found.keys())
    ]
    problems += [f"{UPLOADS}/{name}: not in the backup" for name in sorted(found.keys() - expected.keys())]
    problems += [
        f"{UPLOADS}/{name}: SHA-256 differs from the manifest"
        for name in sorted(expected)
        if name in found and found[name] != expected[name]
    ]
    return problems
