"""Dossier documents: PDF, JPEG or PNG, identified by their content, never by name or declared type.

Images are re-encoded like photos (so nothing but pixels survives). PDFs cannot be re-encoded without a
heavy dependency, so they are checked instead: a real PDF header and end marker, and no embedded
JavaScript, launch actions or attached files; they are only ever served as downloads in a sandbox.
"""
from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass

from PIL import Image

from .images import ImageRejected, process_photo

MAX_BYTES = 10 * 1024 * 1024
# Scripts, launch actions, attached or embedded files: none belongs in a scanned form.
_ACTIVE_PDF = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|FileAttachment|RichMedia|XFA)(?![A-Za-z])")
DOCUMENT_SIDE = 3000  # scans stay legible


_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
MAX_INFLATED = 20 * 1024 * 1024


def _unescape_names(data: bytes) -> bytes:
    """PDF names may spell any byte as #xx (/J#61vaScript is /JavaScript)."""
    return _HEX_ESCAPE.sub(lambda match: bytes([int(match[1], 16)]), data)


def _readable_parts(raw: bytes):
    """The file itself and every Flate-compressed stream (object streams hide actions), bounded in size."""
    yield raw
    budget = MAX_INFLATED
    for match in _STREAM.finditer(raw):
        inflater = zlib.decompressobj()
        try:
            data = inflater.decompress(match[1], budget)
        except zlib.error:
            continue
        budget -= len(data)
        yield data
        if budget <= 0 or inflater.unconsumed_tail:  # a zip bomb is refused, not expanded
            raise DocumentRejected("too_large")


class DocumentRejected(ValueError):
    """`reason`: 'empty', 'too_large', 'type', 'active_content', 'corrupt', 'too_many_pixels'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
        if b"%%EOF" not in raw[-2048:]:
            raise DocumentRejected("corrupt")
        if any(_ACTIVE_PDF.search(_unescape_names(part)) for part in _readable_parts(raw)):
            raise DocumentRejected("active_content")
        return CheckedDocument(raw, "application/pdf", ".pdf")
    try:
        image = process_photo(raw, max_side=DOCUMENT_SIDE, formats=("JPEG", "PNG"))
    except ImageRejected as rejected:
        reason = {"not_image": "type", "too_large": "too_large", "too_many_pixels": "too_many_pixels",
                  "empty": "empty"}.get(rejected.reason, "corrupt")
        raise DocumentRejected(reason) from None
    Image.open(io.BytesIO(image.data)).verify()  # what we store is a JPEG we made ourselves
    return CheckedDocument(image.data, "image/jpeg", ".jpg")
