"""The files an administrator may attach to a procedure as blank forms (tờ khai), identified by their
content, never by name or declared type (issue 18 item 8).

- PDF: active content (scripts, the open action, triggered actions, attached files, form fields' scripts,
  multimedia) is taken out, then the file goes through the dossiers' check (portal.uploads.pdf.clean_pdf)
  and is stored as qpdf's re-written copy: what citizens download is what was checked.
- Word (.docx) and Excel (.xlsx): an Office Open XML ZIP whose declared content types are those of a plain
  document or workbook; macros (vbaProject, .docm/.xlsm types), ActiveX, embedded objects, encrypted or
  oversized entries and odd entry names are refused. Stored as uploaded.
- Anything else (an .exe renamed .pdf, an old binary .doc, HTML…) is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

import pikepdf

from portal.domain.errors import ReasonedError
from portal.uploads.pdf import KEYS, PdfRejected, clean_pdf, is_active_kind

MAX_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED = 30 * 1024 * 1024
MAX_ENTRIES = 500
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The main part's content type -> the file's type and extension.
MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (DOCX, ".docx"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (XLSX, ".xlsx"),
}
# Parts that carry code or foreign objects: macros, ActiveX controls, OLE objects, attached templates' code.
_ACTIVE_PART = re.compile(r"(vbaProject|vbaData|activeX|oleObject|embeddings/|macrosheets/)", re.I)
_ACTIVE_TYPE = re.compile(r"(macroEnabled|vbaProject|activeX|oleObject|ms-office\.vba)", re.I)
_CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"


class FormFileRejected(ReasonedError):
    """`reason`: 'empty', 'too_large', 'type', 'macro', 'active_content', 'encrypted' or 'corrupt'."""


@dataclass(frozen=True)
class CheckedForm:
    data: bytes
    content_type: str
    suffix: str


def _strip_value(value: pikepdf.Object | None) -> bool:
    """True when `value` is an action, attachment or multimedia dictionary that has to go."""
    return isinstance(value, (pikepdf.Dictionary, pikepdf.Stream)) and is_active_kind(value)


def _strip(container: pikepdf.Object) -> None:
    """Remove active keys from one dictionary, and active entries from it or from one array."""
    if isinstance(container, (pikepdf.Dictionary, pikepdf.Stream)):
        for key in list(container.keys()):
            if key in KEYS or _strip_value(container.get(key)):
                del container[key]
    elif isinstance(container, pikepdf.Array):
        for index in reversed(range(len(container))):
            if _strip_value(container[index]):
                del container[index]


def _walk(root: pikepdf.Object) -> None:
    stack = [root]
    while stack:
        value = stack.pop()
        _strip(value)
        if isinstance(value, (pikepdf.Dictionary, pikepdf.Stream)):
            children = [value.get(key) for key in value.keys()]
        elif isinstance(value, pikepdf.Array):
            children = list(value)
        else:
            continue
        stack.extend(c for c in children if isinstance(c, pikepdf.Object) and not c.is_indirect)


def sanitised_pdf(raw: bytes) -> bytes:
    """The PDF without its active content, re-written and checked (PdfRejected if it still carries any)."""
    try:
        pdf = pikepdf.open(io.BytesIO(raw))
    except pikepdf.PasswordError:
        raise PdfRejected("encrypted") from None
    except (pikepdf.PdfError, RuntimeError, ValueError, RecursionError):
        raise PdfRejected("corrupt") from None
    with pdf:
        if pdf.is_encrypted:
            raise PdfRejected("encrypted")
        for value in list(pdf.objects):
            if value is not None:
                _walk(value)
        _walk(pdf.trailer)
        pdf.trailer.Size = 0  # as clean_pdf does: qpdf writes /Size only when the trailer had one
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return clean_pdf(out.getvalue())


def _office(raw: bytes) -> CheckedForm:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FormFileRejected("corrupt") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNZIPPED:
            raise FormFileRejected("too_large")
        names = set()
        for entry in entries:
            name = entry.filename
            if entry.flag_bits & 0x1:
                raise FormFileRejected("encrypted")
            if name.startswith("/") or "\\" in name or ".." in name.split("/") or name in names:
                raise FormFileRejected("corrupt")
            if _ACTIVE_PART.search(name):
                raise FormFileRejected("macro")
            names.add(name)
        if "[Content_Types].xml" not in names:
            raise FormFileRejected("type")
        try:
            declaration = archive.read("[Content_Types].xml")
            if b"<!DOCTYPE" in declaration or b"<!ENTITY" in declaration:  # no entity expansion, ever
                raise FormFileRejected("corrupt")
            types = ElementTree.fromstring(declaration)  # noqa: S314 (no DTD: nothing to expand or fetch)
            for entry in entries:  # every entry readable: its CRC checked, nothing cut short
                archive.read(entry)
        except (ElementTree.ParseError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
            raise FormFileRejected("corrupt") from None
    declared = [
        element.get("ContentType", "")
        for element in types
        if element.tag in (f"{_CONTENT_TYPES_NS}Default", f"{_CONTENT_TYPES_NS}Override")
    ]
    if any(_ACTIVE_TYPE.search(kind) for kind in declared):
        raise FormFileRejected("macro")
    kinds = {MAIN_PARTS[kind] for kind in declared if kind in MAIN_PARTS}
    if len(kinds) != 1:
        raise FormFileRejected("type")
    content_type, suffix = kinds.pop()
    return CheckedForm(raw, content_type, suffix)


def check_form_file(raw: bytes) -> CheckedForm:
    """The file to store and its type; FormFileRejected with the reason otherwise."""
    if not raw:
        raise FormFileRejected("empty")
    if len(raw) > MAX_BYTES:
        raise FormFileRejected("too_large")
    if raw.startswith(b"%PDF-"):
        try:
            return CheckedForm(sanitised_pdf(raw), PDF, ".pdf")
        except PdfRejected as rejected:
            raise FormFileRejected(rejected.reason) from None
    if raw.startswith(b"PK\x03\x04"):
        return _office(raw)
    raise FormFileRejected("type")
