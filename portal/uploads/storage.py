"""Private file storage under the instance folder, content-addressed, never served as static files.

Files are written before the database commit; if the request's transaction is rolled back (or the
request fails), the files it wrote are removed again, so no orphan is left behind.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from pathlib import Path

from flask import current_app, g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session


def root() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(name: str) -> Path:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError("bad stored name")
    return root() / name


def store(data: bytes, suffix: str) -> str:
    """Write `data` atomically; return its server-chosen name (content hash + random part + suffix).

    Names are never shared between uploads, so removing one request's uncommitted files can never
    take away a file that another request committed.
    """
    name = f"{hashlib.sha256(data).hexdigest()[:32]}-{secrets.token_hex(8)}{suffix}"
    target = path_of(name)
    if not target.exists():
        fd, temporary = tempfile.mkstemp(dir=root(), prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        g.setdefault("new_upload_paths", []).append(target)
    return name


def _files_committed(session) -> None:
    if has_app_context():
        g.pop("new_upload_paths", None)


def discard_uncommitted_files(error=None) -> None:
    """Remove files written since the last commit: their rows never reached the database."""
    for path in g.pop("new_upload_paths", []):
        path.unlink(missing_ok=True)


def init_app(app) -> None:
    """Forget a request's new files once committed (a listener on the Session class, installed once per
    process) and remove them if it ends without a commit."""
    if not event.contains(Session, "after_commit", _files_committed):
        event.listen(Session, "after_commit", _files_committed)
    app.teardown_appcontext(discard_uncommitted_files)
