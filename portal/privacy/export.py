"""The export of a subject's data: one ZIP with a JSON file per kind of record, the original files and a short
index in the citizen's language (index.txt).

Small exports are built in the request; one with more than INLINE_FILES files or INLINE_BYTES bytes of files
is built by the jobs worker after the commit (job kind "privacy-export"). Either way the ZIP goes to the
upload store, and the citizen's browser keeps the link's token (only its SHA-256 is stored); the link and
the file expire after EXPIRY (the retention job deletes expired files, portal/privacy/retention.py).
"""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from datetime import date, datetime, timedelta
from typing import Any

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import inspect

from portal import jobs
from portal.db_types import utcnow
from portal.domain.digests import sha256_hex
from portal.extensions import db
from portal.uploads import storage
from portal.uploads.backends import Missing
from portal.uploads.reconcile import StoredRow

from . import queries
from .models import ExportArchive
from .queries import Holdings, Subject
from .retention import Due

KIND = "privacy-export"
EXPIRY = timedelta(days=7)
INLINE_FILES, INLINE_BYTES = 20, 5 * 1024 * 1024
# Columns never exported: secrets and internal keys, not data about the citizen.
HIDDEN = frozenset(
    {
        "password_hash",
        "token_hash",
        "form_nonce",
        "link_salt",
        "search_key",
        "public_search_key",
        "page_version",
        "queue_due",
        "session_version",
        "code_hash",
    }
)


def _value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def row(model: Any) -> dict[str, Any]:
    """Every column of a row, except the HIDDEN ones."""
    return {
        column.key: _value(getattr(model, column.key))
        for column in inspect(type(model)).columns
        if column.key not in HIDDEN
    }


def records(found: Holdings) -> dict[str, list[dict[str, Any]]]:
    """The JSON files of the export: record kind -> rows."""
    return {
        "account": [row(found.account)] if found.account is not None else [],
        "feedback": [row(item) for item in found.feedback],
        "feedback_photos": [row(photo) for item in found.feedback for photo in item.photos],
        "dossiers": [row(dossier) for dossier in found.dossiers],
        "dossier_files": [row(file) for dossier in found.dossiers for file in dossier.files],
        "payments": [row(payment) for payment in found.payments],
        "consents": [row(consent) for consent in found.consents],
        "privacy_requests": [row(request) for request in found.requests],
        "access_log": [
            {
                "at": touch.at.isoformat(),
                "record": touch.subject_code or touch.subject_type,
                "action": touch.action,
                "officer": touch.actor,
                "agency": touch.agency,
                "role": touch.role,
            }
            for touch in found.touches
        ],
    }


def small(found: Holdings) -> bool:
    files = [stored for stored, _, _ in found.files()]
    if len(files) > INLINE_FILES:
        return False
    total = 0
    for name in files:
        try:
            total += storage.backend().size(name)
        except Missing:
            continue
    return total <= INLINE_BYTES


def build_zip(found: Holdings, locale: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        data = records(found)
        for kind, rows in data.items():
            archive.writestr(f"{kind}.json", json.dumps(rows, ensure_ascii=False, indent=1))
        missing = []
        for stored, name, _type in found.files():
            try:
                archive.writestr(name, storage.read(stored))  # the plaintext: files are encrypted at rest
            except Missing:
                missing.append(name)
        with force_locale(locale if locale in ("vi", "en") else "vi"):
            index = render_template(
                "privacy/export_index.txt", data=data, files=found.files(), missing=missing, now=utcnow()
            )
        archive.writestr("index.txt", index)
    return buffer.getvalue()


def request_export(subject: Subject, locale: str) -> tuple[ExportArchive, str]:
    """Start an export: built now when small, else by the worker after the commit. Returns the row and the
    link's token (kept by the citizen's browser only)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    archive = ExportArchive(
        subject_type=subject.kind,
        subject_id=subject.id,
        token_hash=sha256_hex(token),
        status="pending",
        locale=locale,
        created_at=now,
        expires_at=now + EXPIRY,
    )
    db.session.add(archive)
    db.session.flush()
    found = queries.holdings(subject)
    if small(found):
        _fill(archive, found)
    else:
        jobs.enqueue(KIND, f"{KIND}:{archive.id}", {"export_id": archive.id})
    return archive, token


def _fill(archive: ExportArchive, found: Holdings) -> None:
    data = build_zip(found, archive.locale)
    archive.stored_name = storage.store(data, ".zip")
    archive.size = len(data)
    archive.status = "ready"
    db.session.flush()


def run_job(payload: dict[str, Any], key: str) -> None:
    """The worker's side of a large export (idempotent: a ready or vanished export is left as it is)."""
    archive = db.session.get(ExportArchive, payload.get("export_id"))
    if archive is None or archive.status == "ready":
        return
    _fill(archive, queries.holdings(Subject(archive.subject_type, archive.subject_id)))
    db.session.commit()


def expired_due(chosen: dict[str, int], now: datetime) -> list[Any]:
    """The retention rule `exports_expired_days` (registered in wiring.py): export ZIPs whose link expired
    that many days ago (0: as soon as it expires) lose their file and row."""
    cutoff = now - timedelta(days=chosen["exports_expired_days"])
    found = db.session.scalars(
        db.select(ExportArchive).where(ExportArchive.expires_at < cutoff).order_by(ExportArchive.id)
    )
    return [Due(f"export {archive.id}: delete the expired ZIP", _expirer(archive)) for archive in found]


def _expirer(archive: ExportArchive):
    def apply() -> list[str]:
        name = archive.stored_name
        db.session.delete(archive)
        return [name] if name else []  # the retention run deletes the file after its commit

    return apply


def delete_archive(archive: ExportArchive) -> None:
    if archive.stored_name:
        storage.backend().delete(archive.stored_name)
    db.session.delete(archive)


def stored_files():
    """The export ZIPs the upload store must hold (registered with `flask check-files`)."""
    from sqlalchemy import select

    for row_id, subject_type, name in db.session.execute(
        select(ExportArchive.id, ExportArchive.subject_type, ExportArchive.stored_name).where(
            ExportArchive.stored_name != ""
        )
    ):
        yield StoredRow("privacy_exports", row_id, f"export-{subject_type}", name)
