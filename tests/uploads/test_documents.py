"""Dossier documents (portal.uploads.documents): PDF, JPEG or PNG, identified by content, never by name.

PDFs are checked (header, end marker, no active content); images are re-encoded to a fresh JPEG with
no metadata; everything else is refused. Display names are sanitised (portal.dossiers.intake).
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zlib

import pikepdf
import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.catalog.models import Procedure
from portal.dossiers.intake import display_name
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.uploads import storage
from portal.uploads.documents import MAX_BYTES, DocumentRejected, check_document
from tests.support.dossiers import applicant
from tests.support.files import PDF, jpeg_bytes

EXIF_MAKE, GPS_IFD = 0x010F, 0x8825


def reason_for(raw: bytes) -> str:
    with pytest.raises(DocumentRejected) as refused:
        check_document(raw)
    return refused.value.reason


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def pdf_with(catalog_extra: bytes = b"", objects: bytes = b"") -> bytes:
    """A small PDF whose catalog carries `catalog_extra`, with extra `objects` before the trailer."""
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >> endobj\n"
        b"4 0 obj << /Length 44 >> stream\nBT /F1 12 Tf 72 770 Td (Giay to) Tj ET\nendstream endobj\n"
        + objects
        + b"trailer << /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
    )


# --- PDFs -----------------------------------------------------------------------------------------


def test_real_pdf_is_accepted_as_the_rewritten_copy_that_was_checked():
    for raw, text in ((PDF, None), (pdf_with(), b"(Giay to) Tj")):
        checked = check_document(raw)
        assert (checked.mimetype, checked.suffix) == ("application/pdf", ".pdf")
        assert checked.data != raw and checked.data.startswith(b"%PDF-")  # qpdf's copy, not the upload
        with pikepdf.open(io.BytesIO(checked.data)) as pdf:
            assert len(pdf.pages) == 1
            if text:
                assert text in pdf.pages[0].Contents.read_bytes()


def test_pdf_with_an_incremental_update_tail_is_accepted():
    raw = pdf_with() + (
        b"5 0 obj << /Producer (scanner) >> endobj\ntrailer << /Root 1 0 R /Prev 0 >>\n%%EOF\r\n"
    )
    assert check_document(raw).mimetype == "application/pdf"


ACTIVE = [
    pytest.param(b"/AcroForm << /XFA 9 0 R >>", id="xfa-form"),
    pytest.param(b"/Annots [<< /Subtype /FileAttachment /FS (a.exe) >>]", id="file-attachment-annotation"),
    pytest.param(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>", id="openaction-javascript"),
    pytest.param(b"/AA << /O << /S /JavaScript /JS 9 0 R >> >>", id="additional-action-js"),
    pytest.param(b"/Names << /JavaScript << /Names [(x) 9 0 R] >> >>", id="javascript-name-tree"),
    pytest.param(b"/OpenAction << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) >> >>", id="launch"),
    pytest.param(b"/OpenAction 9 0 R", id="js-in-another-object"),
    pytest.param(b"/RichMedia 9 0 R", id="richmedia"),
]
ACTIVE_OBJECTS = {
    "js-in-another-object": b"9 0 obj << /S /JavaScript /JS (this.exportDataObject()) >> endobj\n",
}


@pytest.mark.parametrize("extra", ACTIVE)
def test_pdf_with_active_content_is_refused(extra, request):
    objects = ACTIVE_OBJECTS.get(request.node.callspec.id, b"")
    assert reason_for(pdf_with(extra, objects)) == "active_content"


def test_pdf_with_an_attached_file_is_refused():
    embedded = (
        b"9 0 obj << /Type /Filespec /F (a.exe) /EF << /F 10 0 R >> >> endobj\n"
        b"10 0 obj << /Type /EmbeddedFile /Length 2 >> stream\nMZ\nendstream endobj\n"
    )
    raw = pdf_with(b"/Names << /EmbeddedFiles << /Names [(a.exe) 9 0 R] >> >>", embedded)
    assert reason_for(raw) == "active_content"


def test_active_content_anywhere_in_the_file_is_refused():
    # After the end marker, as an incremental update would add it.
    raw = pdf_with() + (
        b"1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (x) >> >> endobj\n%%EOF\n"
    )
    assert reason_for(raw) == "active_content"


# Ways to hide the same active content from a byte search; a PDF reader still runs it.
# PDF names may escape any character as #xx (PDF 1.2+): /J#61vaScript is /JavaScript.
@pytest.mark.parametrize(
    "extra",
    [
        b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>",
        b"/OpenAction << /S /#4Caunch /F (cmd.exe) >>",
    ],
    ids=["javascript", "launch"],
)
def test_pdf_with_hex_escaped_active_names_is_refused(extra):
    assert reason_for(pdf_with(extra)) == "active_content"


def test_pdf_with_javascript_in_a_compressed_object_stream_is_refused():
    """An object stream (/ObjStm, PDF 1.5+) is Flate-compressed: a byte search alone does not see inside."""
    body = b"9 0 << /S /JavaScript /JS (app.alert(1)) >>"
    packed = zlib.compress(body)
    stream = (
        b"8 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(packed)).encode()
        + b" >> stream\n"
        + packed
        + b"\nendstream endobj\n"
    )
    assert b"JavaScript" not in stream  # hidden from a plain byte search
    assert reason_for(pdf_with(b"/OpenAction 9 0 R", stream)) == "active_content"


def test_pdf_with_a_compression_bomb_is_refused():
    packed = zlib.compress(b"\0" * (30 * 1024 * 1024), 9)  # ~30 KB that inflate to 30 MB
    stream = (
        b"8 0 obj << /Filter /FlateDecode /Length "
        + str(len(packed)).encode()
        + b" >> stream\n"
        + packed
        + b"\nendstream endobj\n"
    )
    assert reason_for(pdf_with(objects=stream)) == "too_large"


def test_pdf_with_ordinary_compressed_content_is_accepted():
    packed = zlib.compress(b"BT /F1 12 Tf 72 770 Td (Giay xac nhan cu tru) Tj ET")
    stream = (
        b"8 0 obj << /Filter /FlateDecode /Length "
        + str(len(packed)).encode()
        + b" >> stream\n"
        + packed
        + b"\nendstream endobj\n"
    )
    assert check_document(pdf_with(objects=stream)).mimetype == "application/pdf"


def test_pdf_with_an_untyped_attached_file_is_refused():
    # /Type /EmbeddedFile is optional on the file stream: the /EmbeddedFiles name tree must be enough.
    embedded = (
        b"9 0 obj << /Type /Filespec /F (a.exe) /EF << /F 10 0 R >> >> endobj\n"
        b"10 0 obj << /Length 2 >> stream\nMZ\nendstream endobj\n"
    )
    raw = pdf_with(b"/Names << /EmbeddedFiles << /Names [(a.exe) 9 0 R] >> >>", embedded)
    assert reason_for(raw) == "active_content"


def test_pdf_without_end_marker_is_refused():
    assert reason_for(PDF.replace(b"%%EOF", b"")) == "corrupt"
    assert reason_for(pdf_with()[:200]) == "corrupt"  # cut short by a broken upload
    # The marker must be at the end, not somewhere in the first kilobytes of a long file.
    assert reason_for(PDF + b"0" * 4096) == "corrupt"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"<?php system($_GET['c']); ?>\n", id="php"),
        pytest.param(b"<?php /* %PDF-1.4 */ echo 1; ?>\n%%EOF\n", id="php-mentioning-pdf"),
        pytest.param(b"<!doctype html><html><script>alert(document.cookie)</script></html>", id="html"),
        pytest.param(b"\xef\xbb\xbf<html><body onload=alert(1)>", id="html-with-bom"),
        pytest.param(b"MZ\x90\x00\x03" + b"\x00" * 200, id="windows-executable"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 200, id="zip-or-docx"),
        pytest.param(b" %PDF-1.4\n%%EOF\n", id="pdf-header-not-at-start"),
        pytest.param(b"#!/bin/sh\nrm -rf /\n", id="shell"),
    ],
)
def test_non_documents_named_pdf_are_refused(raw):
    assert reason_for(raw) == "type"


def test_empty_file_is_refused():
    assert reason_for(b"") == "empty"


def test_size_limit_is_ten_megabytes():
    tail = b"\n%%EOF\n"
    at_limit = PDF + b"%" * (MAX_BYTES - len(PDF) - len(tail)) + tail
    assert len(at_limit) == MAX_BYTES == 10 * 1024 * 1024
    assert check_document(at_limit).mimetype == "application/pdf"
    assert reason_for(at_limit + b"\n") == "too_large"
    assert reason_for(b"\xff\xd8\xff" + b"\x00" * MAX_BYTES) == "too_large"


# --- images ---------------------------------------------------------------------------------------


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_jpeg_is_reencoded_without_exif():
    raw = jpeg_bytes(exif_gps=True)
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(GPS_IFD)  # the original carries a location
    checked = check_document(raw)
    assert (checked.mimetype, checked.suffix) == ("image/jpeg", ".jpg")
    assert checked.data != raw and b"PhoneMaker" not in checked.data and b"Exif" not in checked.data
    image = opened(checked.data)
    assert image.format == "JPEG" and image.size == (800, 600)
    assert not image.getexif() and "exif" not in image.info


def test_png_becomes_jpeg_without_its_metadata():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "secret-comment-123")
    raw = encode(Image.new("RGBA", (300, 200), (10, 120, 200, 128)), "PNG", pnginfo=info)
    checked = check_document(raw)
    assert (checked.mimetype, checked.suffix) == ("image/jpeg", ".jpg")
    assert b"secret-comment-123" not in checked.data
    image = opened(checked.data)
    assert image.format == "JPEG" and image.mode == "RGB" and image.size == (300, 200)


def test_large_scans_are_scaled_down():
    checked = check_document(encode(Image.new("L", (4500, 3000), 255), "PNG"))
    assert max(opened(checked.data).size) == 3000


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "BMP", "TIFF"])
def test_other_image_formats_are_refused(fmt):
    assert reason_for(encode(Image.new("RGB", (50, 50), "red"), fmt)) == "type"


@pytest.mark.parametrize(
    "raw",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    ],
    ids=["svg", "svg-with-xml-declaration"],
)
def test_svg_is_refused(raw):
    assert reason_for(raw) == "type"


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def test_pixel_bomb_is_refused():
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0))
    raw = b"\x89PNG\r\n\x1a\n" + header + _chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + _chunk(b"IEND", b"")
    assert reason_for(raw) == "too_many_pixels"


def test_truncated_jpeg_is_refused():
    raw = jpeg_bytes()
    assert reason_for(raw[: len(raw) // 2]) == "corrupt"


# --- display names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("to-khai.pdf", "to-khai.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\System32\\evil.pdf", "evil.pdf"),
        ("C:\\Users\\Xuan\\Desktop\\CCCD mat truoc.jpg", "CCCD mat truoc.jpg"),
        ("/var/www/shell.php.pdf", "shell.php.pdf"),
        ("<img src=x onerror=alert(1)>.pdf", "img src=x onerror=alert(1).pdf"),
        ("to\x00khai\x1b[31m.pdf", "tokhai[31m.pdf"),
        ("a\r\nContent-Type: text/html.pdf", "html.pdf"),  # no header injection, and '/' splits
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override
        ('"quoted"|name?*.pdf', "quotedname.pdf"),
        ("", "document"),
        ("   ", "document"),
        ("folder/", "document"),
    ],
)
def test_display_name_is_sanitised(given, shown):
    assert display_name(given) == shown


def test_display_name_is_short_and_nfc():
    assert len(display_name("a" * 500 + ".pdf")) == 200
    decomposed = unicodedata.normalize("NFD", "Giấy xác nhận cư trú.pdf")
    assert display_name(decomposed) == unicodedata.normalize("NFC", "Giấy xác nhận cư trú.pdf")


@pytest.mark.parametrize("name", ["../../<b>tờ khai</b>.pdf", "..\\..\\x<y>.pdf", "a\x07b\x7f.pdf"])
def test_stored_name_is_ours_and_display_name_is_clean(app, client, name):
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.004194"))
    data = applicant()
    data[f"doc-{procedure.documents[0].id}"] = [(io.BytesIO(PDF), name)]
    response = client.post("/dossiers/apply/1.004194", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    dossier = db.session.scalar(select(Dossier).order_by(Dossier.id.desc()))
    [stored] = dossier.files
    # The server names the file (a random or content-derived hex name); nothing of the client's name survives.
    assert re.fullmatch(r"[0-9a-f][0-9a-f-]{31,}\.pdf", stored.stored_name)
    assert stored.display_name and not set(stored.display_name) & set("/\\<>\x00\x07\x7f")
    assert stored.mimetype == "application/pdf"
    assert stored.size == len(
        storage.read(stored.stored_name)
    )  # the plaintext size (the store holds it sealed)
    with client.get(f"/dossiers/{dossier.code}/files/{stored.id}") as download:
        assert download.status_code == 200 and download.data == check_document(PDF).data  # the checked copy
        disposition = download.headers["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert not set(disposition) & set("/\\<>\x00\x07\x7f\r\n")


@pytest.mark.parametrize(
    "raw",
    [b"<?php system($_GET['c']); ?>", pdf_with(b"/OpenAction << /S /Launch /F (x) >>")],
    ids=["php", "active-pdf"],
)
def test_a_refused_document_creates_no_dossier(app, client, raw):
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "1.004194"))
    before = db.session.scalar(select(func.count(Dossier.id)))
    data = applicant()
    data[f"doc-{procedure.documents[0].id}"] = [(io.BytesIO(PDF), "to-khai.pdf")]
    data["doc-other"] = [(io.BytesIO(raw), "giay-to.pdf")]
    response = client.post("/dossiers/apply/1.004194", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Dossier.id))) == before


def test_an_image_documents_comment_does_not_survive():
    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), "white").save(buffer, format="JPEG", comment=b"<script>alert(1)</script>")
    checked = check_document(buffer.getvalue())
    assert checked.mimetype == "image/jpeg"
    assert b"<script>" not in checked.data
    assert "comment" not in Image.open(io.BytesIO(checked.data)).info
