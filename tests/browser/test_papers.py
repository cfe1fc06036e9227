"""The printed papers in a real Chromium (issue 11 item 9, issue 13 item 2): forms 01 (A5 and A4), 02, 03,
05, 06 and the slips (A6, 58 mm) of the demo dossiers, each printed to PDF with the page size its
stylesheet names: one page of that size, and its QR code, as laid out for print, decodes to the dossier's
private link. Each is kept as tests/artifacts/papers-<name>.pdf, with a screenshot of its print layout at
the paper's size in tests/artifacts/screenshots/papers-<name>.png."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_dossier_journey import click_and_wait, sign_in

pytestmark = pytest.mark.browser

ARTIFACTS = SCREENSHOTS.parent
LEADER = "lanhdao@demo.sonla.vn"  # Tô Hiệu ward, where the demo dossiers are
MM = 72 / 25.4  # PDF points per millimetre
PAPER_MM = {
    "A4": (210, 297),
    "A5": (148, 210),
    "A4 landscape": (297, 210),
    "A6": (105, 148),
    "58mm": (58, 210),
}
TRACKING_URL = re.compile(r"^https?://[^/]+/dossiers/t/[^/]+/[0-9a-f]{48}$")


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        return [
            (float(p.mediabox[2]) - float(p.mediabox[0]), float(p.mediabox[3]) - float(p.mediabox[1]))
            for p in document.pages
        ]


def decode_qr(tab, selector: str) -> str:
    import zxingcpp
    from PIL import Image

    image = tab.locator(selector).first
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR image did not load"
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.screenshot())))
    assert len(results) == 1 and results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


def print_and_check(tab, name: str, paper: str, qr: str = "img.qr") -> None:
    """Print to PDF at the size the page's CSS asks for: one page of that paper; screenshot its print layout
    at the paper's size (96 px per inch) and decode its QR code there."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = tab.pdf(prefer_css_page_size=True, print_background=True)
    (ARTIFACTS / f"papers-{name}.pdf").write_bytes(pdf)
    width, height = PAPER_MM[paper]
    tab.emulate_media(media="print")
    tab.set_viewport_size({"width": round(width * 96 / 25.4), "height": round(height * 96 / 25.4)})
    tab.screenshot(path=str(SCREENSHOTS / f"papers-{name}.png"), full_page=True)
    link = decode_qr(tab, qr)
    tab.emulate_media(media="null")  # no emulation again: pdf() prints with print media
    tab.set_viewport_size({"width": 360, "height": 800})
    pages = pdf_pages(pdf)
    assert len(pages) == 1, f"{name}: {len(pages)} pages"
    assert abs(pages[0][0] - width * MM) < 2 and abs(pages[0][1] - height * MM) < 2, (name, pages, paper)
    assert TRACKING_URL.match(link), (name, link)
    assert not tab.problems, (name, tab.problems)


def open_dossier_in_status(tab, status: int) -> str:
    tab.goto(f"/staff/dossiers?status={status}")
    links = tab.locator("main a[href^='/staff/dossiers/']")
    codes = [
        urlsplit(h).path.rsplit("/", 1)[1]
        for h in links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    ]
    codes = [c for c in codes if re.fullmatch(r"[\w.]+-\d{6}-\d{4}", c)]
    assert codes, f"no demo dossier in status {status}"
    tab.goto(f"/staff/dossiers/{codes[0]}")
    return codes[0]


def test_every_paper_prints_on_one_page_of_its_size(page):
    tab = page("360x800", "vi")
    sign_in(tab, LEADER)

    code = open_dossier_in_status(tab, 5)
    click_and_wait(tab, f"main a[href^='/dossiers/{code}/papers/02/']")
    print_and_check(tab, "form02", "A4")

    code = open_dossier_in_status(tab, 3)
    click_and_wait(tab, f"main a[href='/dossiers/{code}/papers/03']")
    print_and_check(tab, "form03", "A4")

    code = open_dossier_in_status(tab, 10)
    click_and_wait(tab, f"main a[href='/staff/papers/dossiers/{code}/05']")
    print_and_check(tab, "form05", "A4")
    tab.goto(f"/staff/dossiers/{code}")
    click_and_wait(tab, f"main a[href='/dossiers/{code}/papers/06']")
    print_and_check(tab, "form06", "A4 landscape")

    tab.goto(f"/dossiers/{code}/receipt")
    print_and_check(tab, "form01-a5", "A5")
    click_and_wait(tab, f"main a[href='/dossiers/{code}/receipt?paper=a4']")
    print_and_check(tab, "form01-a4", "A4")
    click_and_wait(tab, f"main a[href='/dossiers/{code}/slip']")
    print_and_check(tab, "slip-a6", "A6", "img.slip-qr")
    click_and_wait(tab, "a[href='?size=58mm']")
    print_and_check(tab, "slip-58mm", "58mm", "img.slip-qr")
