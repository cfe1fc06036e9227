"""What the configured upload store holds, asked through the store itself (local folder or S3), so the same
test checks both: names, content, removing a file, a stray file left by a crash, an old file."""

from __future__ import annotations

import os
import time

from portal.uploads import storage
from portal.uploads.backends import LocalStore
from portal.uploads.s3 import S3Store
from tests.support import s3


def names() -> set[str]:
    return {entry.name for entry in storage.backend().entries()}


def content(name: str) -> bytes:
    """The file as the portal reads it (decrypted)."""
    return storage.read(name)


def raw_content(name: str) -> bytes:
    """The bytes the store holds (sealed)."""
    with storage.backend().open(name) as handle:
        return handle.read()


def remove(name: str) -> None:
    storage.backend().delete(name)


def is_s3() -> bool:
    return isinstance(storage.backend(), S3Store)


def age(name: str, seconds: int) -> str:
    """Make the store report `name` as last written `seconds` ago (earlier than now)."""
    store = storage.backend()
    if isinstance(store, LocalStore):
        moment = time.time() - seconds
        os.utime(store.folder() / name, (moment, moment))
    else:
        assert isinstance(store, S3Store)
        s3.age(store.bucket, store.prefix + name, seconds)
    return name


def stray(name: str, data: bytes = b"x", seconds_ago: int = 0) -> str:
    """A file no row names (any name, a temporary ".upload-…" one too), written `seconds_ago`."""
    store = storage.backend()
    if isinstance(store, LocalStore):
        (store.folder() / name).write_bytes(data)
    else:
        assert isinstance(store, S3Store)
        store.client.put_object(Bucket=store.bucket, Key=store.prefix + name, Body=data)
    return age(name, seconds_ago) if seconds_ago else name
