"""Where stored files live: the interface every upload store offers, and the local-filesystem store.

A store keeps flat, server-chosen names (portal.uploads.storage picks them: keyed content digest, random part,
suffix). It writes a file whole or not at all, opens it as a stream, tells its size, deletes it, says
whether it exists and lists what it holds. The local store is the default (instance/uploads); the S3 store
(portal.uploads.s3) serves several app machines from one bucket.

Errors: a name that is not there is `Missing` (a download answers 404); a store that cannot be reached or
refuses us is `StorageUnavailable` (a request answers a translated 503, see storage.init_app).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol


class Missing(LookupError):
    """The store does not hold this name (or the name is one no upload could have had)."""


class StorageUnavailable(RuntimeError):
    """The store could not be reached, timed out, or refused the request: try again later."""


@dataclass(frozen=True)
class Entry:
    name: str
    size: int
    modified: float  # POSIX time of the last write


class StoredFile:
    """A stored file opened for reading: a stream (read in chunks, never loaded whole) plus its size and
    last-write time. Closing it releases the file or the HTTP connection."""

    def __init__(self, stream: BinaryIO, size: int, modified: float) -> None:
        self.stream, self.size, self.modified = stream, size, modified

    def read(self, amount: int = -1) -> bytes:
        return self.stream.read(amount)

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> StoredFile:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class Store(Protocol):
    def describe(self) -> str:
        """Where the files are, for operators (a folder, or s3://bucket/prefix)."""
        ...

    def put(self, name: str, data: bytes) -> None:
        """Write `data` under `name`, atomically: readers see the whole file or nothing."""
        ...

    def open(self, name: str) -> StoredFile:
        """The file opened for reading; Missing if there is none."""
        ...

    def size(self, name: str) -> int:
        """Its size in bytes; Missing if there is none."""
        ...

    def exists(self, name: str) -> bool: ...

    def delete(self, name: str) -> None:
        """Remove it; a name that is not there is not an error."""
        ...

    def entries(self) -> Iterator[Entry]:
        """Every file the store holds, temporary ones of writes in progress included."""
        ...

    def check(self) -> None:
        """Raise StorageUnavailable unless the store answers (for readiness checks)."""
        ...


def check_name(name: str) -> str:
    """A stored name is one flat, visible name: nothing that could leave the store or hide in it."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError("bad stored name")
    return name


class LocalStore:
    """Files in one folder of this machine (by default instance/uploads): written to a temporary file in
    the same folder, flushed to disk, then renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return str(self.root)

    def folder(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root

    def path_of(self, name: str) -> Path:
        return self.folder() / check_name(name)

    def put(self, name: str, data: bytes) -> None:
        target = self.path_of(name)
        fd, temporary = tempfile.mkstemp(dir=self.folder(), prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, name: str) -> StoredFile:
        try:
            handle = self.path_of(name).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, ValueError):
            raise Missing(name) from None
        status = os.fstat(handle.fileno())
        return StoredFile(handle, status.st_size, status.st_mtime)

    def size(self, name: str) -> int:
        try:
            path = self.path_of(name)
            if not path.is_file():
                raise FileNotFoundError(name)
            return path.stat().st_size
        except (FileNotFoundError, ValueError):
            raise Missing(name) from None

    def exists(self, name: str) -> bool:
        try:
            return self.path_of(name).is_file()
        except ValueError:  # a name no upload could have had
            return False

    def delete(self, name: str) -> None:
        # Temporary ".upload-…" files left by a crash are deleted by check-files too: only flat names.
        if not name or name in (".", "..") or "/" in name or "\\" in name:
            raise ValueError("bad stored name")
        (self.folder() / name).unlink(missing_ok=True)

    def entries(self) -> Iterator[Entry]:
        for path in self.folder().iterdir():
            try:
                status = path.lstat()
            except FileNotFoundError:  # removed while we listed (a rolled-back upload)
                continue
            if path.is_file() or path.is_symlink():
                yield Entry(path.name, status.st_size, status.st_mtime)

    def check(self) -> None:
        if not os.access(self.folder(), os.W_OK):
            raise StorageUnavailable(f"{self.root} is not writable")
