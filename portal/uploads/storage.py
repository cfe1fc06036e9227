"""Private file storage, named by a keyed content digest and a random part, never served as static
files: the configured store (portal.uploads.backends) — a folder under the instance path by default, or
an S3-compatible bucket (PORTAL_STORAGE_URL=s3://bucket/prefix, portal.uploads.s3) when several machines
serve the portal.

Every file is encrypted before it reaches the store (portal.uploads.encryption, keys from
PORTAL_STORAGE_KEYS): `store()` seals, `open_decrypted()` and `read()` decrypt. The store itself (backend()) holds only
sealed bytes, so backups and the bucket are unreadable without the keys.

Files are written before the database commit; if the request's transaction is rolled back (or the
request fails), the files it wrote are removed again, so no orphan is left behind.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_app_context
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.errors import render_error

from .backends import LocalStore, StorageUnavailable, Store, StoredFile
from .encryption import Keyring, SealError, open_sealed, plain_size, seal

EXTENSION = "portal.uploads.store"
KEYRING = "portal.uploads.keyring"


def backend() -> Store:
    """The app's store: the S3 store built at start-up, or the instance folder's uploads/."""
    configured = current_app.extensions.get(EXTENSION)
    if configured is not None:
        return configured
    return LocalStore(Path(current_app.instance_path) / "uploads")


def root() -> Path:
    """The local store's folder (only meaningful without PORTAL_STORAGE_URL)."""
    return LocalStore(Path(current_app.instance_path) / "uploads").folder()


def path_of(name: str) -> Path:
    return LocalStore(Path(current_app.instance_path) / "uploads").path_of(name)


def content_digest(data: bytes) -> str:
    """The content part of a stored name: an HMAC of the plaintext under a key derived from the newest
    storage key, not its bare SHA-256, so that someone holding a copy of a document (and the bucket's list
    of names, or a backup) cannot confirm that the portal stores it (Law 91/2025: the store reveals
    nothing without the keys). Equal files under one key still share it, for the operators' checks."""
    ring = keyring()
    name_key = hmac.new(ring.key(ring.current), b"portal.uploads.names", hashlib.sha256).digest()
    return hmac.new(name_key, data, hashlib.sha256).hexdigest()[:32]


def store(data: bytes, suffix: str) -> str:
    """Write `data` atomically; return its server-chosen name (keyed content digest + random part + suffix).

    Names are never shared between uploads, so removing one request's uncommitted files can never
    take away a file that another request committed.
    """
    name = name_for(data, suffix)
    backend().put(name, seal(data, name, keyring()))
    g.setdefault("new_upload_names", []).append(name)
    return name


def name_for(data: bytes, suffix: str = ".jpg") -> str:
    """A new stored name for `data`: its keyed content digest, then a random part (never shared between
    uploads)."""
    return f"{content_digest(data)}-{secrets.token_hex(8)}{suffix}"


def keyring() -> Keyring:
    return current_app.extensions[KEYRING]


def open_decrypted(name: str) -> StoredFile:
    """The stored file opened for reading as plaintext (decrypted a segment at a time as it is read), with
    its plaintext size. Missing if there is none; StorageUnavailable if it cannot be decrypted (its key is
    not configured, or it was altered: logged)."""
    handle = backend().open(name)
    try:
        stream, header = open_sealed(handle.stream, name, keyring())
    except SealError as error:
        handle.close()
        current_app.logger.error("stored file %r cannot be decrypted: %s", name, error)
        raise StorageUnavailable(f"{name}: {error}") from error
    size = handle.size if header is None else plain_size(handle.size, header)
    return StoredFile(stream, size, handle.modified)


def read(name: str) -> bytes:
    """The whole stored file, decrypted (for exports and checks; downloads stream with open_decrypted())."""
    with open_decrypted(name) as handle:
        return handle.read()


def _files_committed(session) -> None:
    if has_app_context():
        g.pop("new_upload_names", None)


def _files_rolled_back(session) -> None:
    """A rollback means the rows naming this request's new files never existed: the files go at once (a
    route that rolls back and carries on, like form_nonce.lost_race, leaves no orphan behind)."""
    if has_app_context():
        discard_uncommitted_files()


def discard_uncommitted_files(error=None) -> None:
    """Remove files written since the last commit: their rows never reached the database."""
    names = g.pop("new_upload_names", [])
    if not names:
        return
    store_ = backend()
    for name in names:
        try:
            store_.delete(name)
        except StorageUnavailable as failure:
            # check-files lists it as an orphan after an hour; --delete-orphans removes it.
            current_app.logger.error("uncommitted upload %s not removed: %s", name, failure)


def unavailable_page(error: StorageUnavailable):
    current_app.logger.error("file storage unavailable: %s", error)
    response, status = render_error(
        503,
        _("Files are unavailable"),
        _("The portal cannot reach its file storage at the moment. Please try again in a few minutes."),
    )
    return response, status, {"Retry-After": "60"}


def configured_store(app: Flask) -> Store | None:
    """The S3 store the settings name, or None for the local folder."""
    from .s3 import S3Store

    settings = app.config["PORTAL_SETTINGS"]
    if not settings.storage_url:
        return None
    location = urlsplit(settings.storage_url)
    prefix = location.path.strip("/")
    return S3Store(
        location.netloc,
        f"{prefix}/" if prefix else "",
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
    )


def init_app(app: Flask) -> None:
    """Choose the store; forget a request's new files once committed (a listener on the Session class,
    installed once per process) and remove them if it ends without a commit; a store that cannot be reached
    answers a translated 503.

    Both removals are needed (tests/uploads/test_storage.py): a rollback removes the files at once, for a
    route that rolls back and carries on (form_nonce.lost_race); the app context's teardown removes what is
    left when no rollback event came: an exception or an HTTP error answered without a rollback, a request
    or command ending without a commit, a rollback when no transaction had begun (SQLAlchemy sends none)."""
    keys = app.config["PORTAL_SETTINGS"].storage_keys
    if not keys:
        raise RuntimeError("no storage key: set PORTAL_STORAGE_KEYS (see README, Configuration)")
    app.extensions[KEYRING] = Keyring(keys)
    configured = configured_store(app)
    if configured is not None:
        app.extensions[EXTENSION] = configured
    if not event.contains(Session, "after_commit", _files_committed):
        event.listen(Session, "after_commit", _files_committed)
    if not event.contains(Session, "after_rollback", _files_rolled_back):
        event.listen(Session, "after_rollback", _files_rolled_back)
    app.teardown_appcontext(discard_uncommitted_files)
    app.register_error_handler(StorageUnavailable, unavailable_page)
