"""The upload store in a backup: every file copied with its SHA-256, and put back through a staging folder.

Files are content-addressed and never rewritten, and they reach the disk before the row that names them
is committed; so copying them after the database snapshot gives every row of the snapshot its file.
Names starting with "." are uploads still being written (storage.store's temporary files): skipped.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from portal.backup.manifest import UPLOADS, BackupError, Manifest, file_digest, stream_digest


def stored_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative POSIX name, path) of every finished file under the upload root."""
    for folder, folders, names in os.walk(root):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            if not name.startswith(".") and path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def _copy(source: Path, target: Path) -> dict:
    """Copy to a new 0600 file, hashing what was written; make it durable."""
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with source.open("rb") as reader, os.fdopen(fd, "wb") as writer:
        written = stream_digest(reader, writer.write)
        writer.flush()
        os.fsync(writer.fileno())
    return written


def back_up(root: Path, folder: Path) -> dict[str, dict]:
    """Copy the whole store into folder/uploads; return the manifest entries."""
    (folder / UPLOADS).mkdir(mode=0o700)
    return {f"{UPLOADS}/{name}": _copy(path, folder / UPLOADS / name) for name, path in stored_files(root)}


def stage(folder: Path, manifest: Manifest, root: Path) -> Path:
    """Copy the backup's uploads into a new folder beside `root`, checking each hash again as it is read."""
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


def swap_in(staging: Path, root: Path) -> Path | None:
    """Make the staged folder the upload store; the old store is kept aside (returned) unless empty."""
    kept = None
    if root.exists():
        if any(root.iterdir()):
            stamp = f"{root.name}.replaced-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
            names = (stamp if number == 1 else f"{stamp}-{number}" for number in range(1, 1000))
            kept = next(root.with_name(name) for name in names if not root.with_name(name).exists())
            os.rename(root, kept)
        else:
            root.rmdir()
    os.rename(staging, root)
    root.chmod(0o700)
    return kept


def check(root: Path, manifest: Manifest) -> list[str]:
    """Compare the restored store with the manifest: every file there, none extra, every hash equal."""
    expected = {name: manifest.files[f"{UPLOADS}/{name}"] for name in manifest.upload_names}
    found = {name: file_digest(path) for name, path in stored_files(root)}
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
