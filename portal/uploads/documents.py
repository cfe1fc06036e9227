"""Dossier documents: PDF, JPEG or PNG, identified by their content, never by name or declared type.

Images are re-encoded like photos (so nothing but pixels survives). PDFs are parsed with pikepdf, refused
when they carry scripts, actions that open or send files, attached files, forms or multimedia, or are
encrypted or unreadable, and stored as the re-written copy that was checked (portal.uploads.pdf). Every
document is only ever served as a download in a sandbox, under a name with the extension of its type.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from portal.domain.errors import ReasonedError

from .images import ImageRejected, process_photo
from .pdf import PdfRejected, clean_pdf

MAX_BYTES = 10 * 1024 * 1024  # one document
# A dossier's documents together ("at most 10 MB each and 20 MB in all"): the largest request body too
# (MAX_CONTENT_LENGTH, portal/__init__.py), and the documents a form keeps as drafts across its errors.
MAX_TOTAL_BYTES = 20 * 1024 * 1024
DOCUMENT_SIDE = 3000  # scans stay legible


class DocumentRejected(ReasonedError):
    """`reason`: 'empty', 'too_large', 'type', 'active_content', 'encrypted', 'corrupt', 'too_many_pixels'."""


@dataclass(frozen=True)
class CheckedDocument:
    data: bytes
    mimetype: str
    suffix: str


def check_document(raw: bytes) -> CheckedDocument:
    if not raw:
        raise DocumentRejected("empty")
    if len(raw) > MAX_BYTES:
        raise DocumentRejected("too_large")
    if raw.startswith(b"%PDF-"):
        if b"%%EOF" not in raw[-2048:]:  # cut short by a broken upload
            raise DocumentRejected("corrupt")
        try:
            return CheckedDocument(clean_pdf(raw), "application/pdf", ".pdf")
        except PdfRejected as rejected:
            raise DocumentRejected(rejected.reason) from None
    try:
        image = process_photo(raw, max_side=DOCUMENT_SIDE, formats=("JPEG", "PNG"))
    except ImageRejected as rejected:
        reason = {
            "not_image": "type",
            "too_large": "too_large",
            "too_many_pixels": "too_many_pixels",
            "empty": "empty",
        }.get(rejected.reason, "corrupt")
        raise DocumentRejected(reason) from None
    Image.open(io.BytesIO(image.data)).verify()  # what we store is a JPEG we made ourselves
    return CheckedDocument(image.data, "image/jpeg", ".jpg")
