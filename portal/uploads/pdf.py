"""PDFs, parsed with pikepdf (qpdf): inspected after full decoding, then stored as qpdf's re-written copy.

A byte search cannot see what a reader sees: names may be #-escaped, and objects may sit in an object
stream behind any chain of filters (`[/FlateDecode /FlateDecode]`, `/ASCIIHexDecode` …). qpdf decodes
all of that; this module walks every object it found — those the file's cross-reference points to, those
packed in object streams, and the decoded syntax of object streams nothing points to — and refuses a PDF that
carries anything a reader could run, open, send or play (see ACTIONS, KEYS, SUBTYPES). What is stored is
then qpdf's re-written file: a fresh cross-reference, regenerated object streams, only the objects the
document reaches, and no bytes after the end (no incremental-update leftovers, no appended payloads),
so the bytes kept are the bytes that were checked.
"""

from __future__ import annotations

import io
import re

import pikepdf
from pikepdf import settings as qpdf_settings

from portal.domain.errors import ReasonedError

# The decoded size of all streams but images: a compression bomb is refused, not expanded (fonts, page
# contents and object streams of a real document are far smaller; scanned pages are images).
MAX_DECODED = 20 * 1024 * 1024
# What qpdf may allocate to decode any one stream (an A4 page scanned at 300 dpi in RGB is 26 MB of pixels).
MAX_STREAM_DECODED = 64 * 1024 * 1024

# Action types (PDF 32000-1 §12.6.4) that run code, open, import or send files, or play media.
ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/ImportData",
        "/SubmitForm",
        "/ResetForm",
        "/GoToR",
        "/GoToE",
        "/Rendition",
        "/RichMediaExecute",
        "/Movie",
        "/Sound",
        "/GoTo3DView",
    }
)
# Keys that only exist for scripts, triggered actions, attached files, forms or multimedia.
KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/AA",
        "/EmbeddedFiles",
        "/EF",
        "/AcroForm",
        "/XFA",
        "/RichMedia",
        "/RichMediaContent",
        "/RichMediaSettings",
        "/3DD",
        "/Collection",
    }
)
# /Type or /Subtype values of attached files, file-attachment, multimedia and 3D annotations and streams.
SUBTYPES = frozenset(
    {"/EmbeddedFile", "/FileAttachment", "/RichMedia", "/3D", "/U3D", "/PRC", "/Movie", "/Sound", "/Screen"}
)
# LZW has no memory limit in qpdf (a 10 MB stream can expand to gigabytes); PDF/A forbids it anyway.
_LZW = re.compile(rb"/LZWDecode(?![A-Za-z])")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_ACTIVE_BYTES = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|FileAttachment|RichMedia|XFA)(?![A-Za-z])"
)
_STREAM_DATA = re.compile(rb"(?<!end)stream\r?\n.*?\r?\nendstream", re.S)


class PdfRejected(ReasonedError):
    """`reason`: 'active_content', 'encrypted', 'corrupt' or 'too_large'."""


def _limit_qpdf() -> None:
    """qpdf decodes Flate, RunLength and predictors without a bound unless told; give each stream one."""
    names = ("flate_max_memory", "run_length_max_memory", "png_max_memory", "tiff_max_memory")
    if any(qpdf_settings.get_qpdf_limits().get(name) != MAX_STREAM_DECODED for name in names):
        qpdf_settings.set_qpdf_limits(
            flate_max_memory=MAX_STREAM_DECODED,
            run_length_max_memory=MAX_STREAM_DECODED,
            png_max_memory=MAX_STREAM_DECODED,
            tiff_max_memory=MAX_STREAM_DECODED,
        )


def _unescape_names(data: bytes) -> bytes:
    return _HEX_ESCAPE.sub(lambda match: bytes([int(match[1], 16)]), data)


def _names_active(syntax: bytes) -> bool:
    """A second, lexical look at object syntax (never at stream data: binary data holds any bytes).

    qpdf drops a key whose value is null or points nowhere (`/RichMedia 9 0 R` with no object 9), and a
    reader in repair mode may still find what it meant: such a file is refused too.
    """
    return bool(_ACTIVE_BYTES.search(_unescape_names(syntax)))


def _is_active(value: pikepdf.Object) -> bool:
    """One dictionary (or stream dictionary), without looking at what it contains."""
    return any(key in KEYS for key in value.keys()) or is_active_kind(value)


def is_active_kind(value: pikepdf.Object) -> bool:
    """An action, attachment or multimedia dictionary, by its /S, /Type or /Subtype name."""
    for key in ("/S", "/Type", "/Subtype"):
        item = value.get(key)
        if isinstance(item, pikepdf.Name) and (
            str(item) in SUBTYPES or (key == "/S" and str(item) in ACTIONS)
        ):
            return True
    return False


def _contains_active(root: pikepdf.Object) -> bool:
    """`root` and every direct object inside it; indirect ones are visited on their own."""
    stack = [root]
    while stack:
        value = stack.pop()
        if isinstance(value, (pikepdf.Dictionary, pikepdf.Stream)):
            if _is_active(value):
                return True
            children = [value.get(key) for key in value.keys()]
        elif isinstance(value, pikepdf.Array):
            children = list(value)
        else:
            continue
        stack.extend(
            child for child in children if isinstance(child, pikepdf.Object) and not child.is_indirect
        )
    return False


def _decoded(stream: pikepdf.Stream) -> bytes | None:
    """The stream's data with every standard filter undone; None for image codecs (DCT, JBIG2, JPX…)."""
    try:
        return stream.read_bytes()
    except pikepdf.DataDecodingError as error:
        if "memory limit exceeded" in str(error):
            raise PdfRejected("too_large") from None
        raise PdfRejected("corrupt") from None
    except pikepdf.PdfError:
        return None  # a filter qpdf leaves encoded (images); such data is never an object or an action


def _inspect(pdf: pikepdf.Pdf) -> None:
    decoded = 0
    for value in pdf.objects:  # every object qpdf knows, including those inside object streams
        if value is None:
            continue
        if _contains_active(value):
            raise PdfRejected("active_content")
        if isinstance(value, pikepdf.Stream):
            if value.get("/Subtype") == pikepdf.Name.Image and value.get("/Type") != pikepdf.Name.ObjStm:
                continue  # pixels, never objects or actions; qpdf decodes them (if at all) within its limits
            data = _decoded(value)
            decoded += len(data or b"")
            if decoded > MAX_DECODED:
                raise PdfRejected("too_large")
            if data is not None and value.get("/Type") == pikepdf.Name.ObjStm:
                # Its objects are among pdf.objects when the cross-reference points to them; read the
                # syntax too, for objects nothing points to that a reader's repair might still find.
                if _names_active(data):
                    raise PdfRejected("active_content")
    if _contains_active(pdf.trailer):
        raise PdfRejected("active_content")


def _rewritten(pdf: pikepdf.Pdf) -> bytes:
    """qpdf's copy; re-opened once, so an upload is never stored in a form no reader can open."""
    pages = len(pdf.pages)
    # qpdf writes /Size into a cross-reference stream only when the trailer had one (a repaired file has not).
    pdf.trailer.Size = 0
    out = io.BytesIO()
    pdf.save(
        out,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
        stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
        deterministic_id=True,
    )
    data = out.getvalue()
    with pikepdf.open(io.BytesIO(data)) as copy:
        if len(copy.pages) != pages:
            raise PdfRejected("corrupt")
    return data


def clean_pdf(raw: bytes) -> bytes:
    """The checked, re-written PDF; PdfRejected if it carries active content or cannot be read safely."""
    _limit_qpdf()
    syntax = _STREAM_DATA.sub(b"stream endstream", raw)
    if _LZW.search(_unescape_names(syntax)):
        raise PdfRejected("corrupt")
    if _names_active(syntax):
        raise PdfRejected("active_content")
    try:
        pdf = pikepdf.open(io.BytesIO(raw))
    except pikepdf.PasswordError:
        raise PdfRejected("encrypted") from None
    except (pikepdf.PdfError, RuntimeError, ValueError, RecursionError):
        raise PdfRejected("corrupt") from None
    try:
        with pdf:
            if pdf.is_encrypted:  # even with an empty user password: the stored copy must be plain
                raise PdfRejected("encrypted")
            _inspect(pdf)
            return _rewritten(pdf)
    except PdfRejected:
        raise
    except (pikepdf.PdfError, RuntimeError, ValueError, RecursionError):
        raise PdfRejected("corrupt") from None
