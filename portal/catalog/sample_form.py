"""A one-page demo blank form (tờ khai) built from a procedure's own fields, for `flask seed-demo`.

Clearly marked as a demo sample, not the official form of the ministry. Written with pikepdf (no browser,
no font files): the standard Helvetica font, so the text is Vietnamese without its diacritics.
"""

from __future__ import annotations

import io
import textwrap
import unicodedata

import pikepdf

from .models import Procedure

WIDTH, HEIGHT = 595, 842  # A4 in points
MARGIN = 56
COLUMNS = 88  # characters of an 11 pt Helvetica line between the margins


def ascii_text(text: str) -> str:
    """Vietnamese without its marks (đ → d), and nothing a PDF string would need escaped."""
    text = text.replace("đ", "d").replace("Đ", "D")
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", text) if unicodedata.category(ch) != "Mn")
    return "".join(ch if 32 <= ord(ch) < 127 and ch not in "()\\" else " " for ch in bare)


def _lines(procedure: Procedure) -> list[tuple[str, int, str]]:
    """(font, size, text) from the top of the page down."""
    lines = [
        ("F2", 11, "CONG HOA XA HOI CHU NGHIA VIET NAM"),
        ("F1", 11, "Doc lap - Tu do - Hanh phuc"),
        ("F1", 9, ""),
        ("F2", 14, "TO KHAI"),
    ]
    lines += [("F2", 12, part) for part in textwrap.wrap(ascii_text(procedure.name).upper(), 70)]
    lines += [
        ("F1", 9, f"Ma thu tuc: {procedure.national_code or procedure.code}"),
        ("F1", 9, "MAU DEMO - DEMO SAMPLE: khong phai bieu mau chinh thuc / not the official form"),
        ("F1", 11, ""),
    ]
    lines += [
        ("F1", 11, part)
        for part in textwrap.wrap(f"Kinh gui: {ascii_text(procedure.deciding_body)}", COLUMNS)
    ]
    for label in (
        "Ho, chu dem, ten nguoi yeu cau",
        "Ngay, thang, nam sinh",
        "So dinh danh ca nhan (CCCD)",
        "Noi cu tru",
        "So dien thoai",
    ):
        lines.append(("F1", 11, f"{label}: " + "." * max(10, COLUMNS - len(label) - 2)))
    lines.append(("F1", 11, ""))
    lines.append(("F2", 11, "Giay to kem theo:"))
    for number, document in enumerate(procedure.documents[:8], start=1):
        wrapped = textwrap.wrap(f"{number}. {ascii_text(document.name)}", COLUMNS) or [""]
        lines += [("F1", 10, part) for part in wrapped[:2]]
    days = "trong ngay" if procedure.same_day else f"{procedure.processing_days} ngay lam viec"
    lines += [
        ("F1", 11, ""),
        ("F1", 11, f"Thoi han giai quyet: {days}."),
        ("F1", 11, "Toi cam doan nhung noi dung khai tren day la dung su that."),
        ("F1", 11, ""),
        ("F1", 11, " " * 60 + "..........., ngay ..... thang ..... nam ......"),
        ("F2", 11, " " * 70 + "NGUOI YEU CAU"),
        ("F1", 10, " " * 68 + "(Ky, ghi ro ho ten)"),
    ]
    return lines


def sample_pdf(procedure: Procedure) -> bytes:
    """The demo form as PDF bytes (a valid one-page PDF without scripts or forms)."""
    content = ["BT"]
    y = HEIGHT - MARGIN
    for font, size, text in _lines(procedure):
        y -= size + 6
        content.append(f"/{font} {size} Tf 1 0 0 1 {MARGIN} {y} Tm ({text}) Tj")
    content.append("ET")
    pdf = pikepdf.new()
    fonts = pikepdf.Dictionary(
        F1=pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        ),
        F2=pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name("/Helvetica-Bold")
        ),
    )
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, WIDTH, HEIGHT],
        Resources=pikepdf.Dictionary(Font=fonts),
        Contents=pdf.make_stream("\n".join(content).encode("ascii")),
    )
    pdf.pages.append(pikepdf.Page(page))
    pdf.docinfo["/Title"] = f"To khai - {ascii_text(procedure.name)} (mau demo)"
    out = io.BytesIO()
    pdf.save(out, compress_streams=True, deterministic_id=True)
    return out.getvalue()
