"""Issue 5's acceptance check in a real Chromium at 360x800, vi and en: the demo dossier's payment page.

The reference of the demo dossier waiting for its fee ("Hà Văn Nam", status 6, payment pending) is found
the way an officer would: the receptionist signs in, searches the queue for the name and reads the
payment link on the dossier page. The citizen then opens /payments/<reference> in a fresh browser
without cookies. The QR <img> (an SVG) is rasterised by Chromium itself (element screenshot) and decoded
with zxing-cpp; its payload must carry the reference and amount shown on the page. "Save the QR image"
must download a PNG that decodes to the same payload. Screenshots: tests/artifacts/screenshots/payment-*.
"""

from __future__ import annotations

import io
import re
from urllib.parse import quote, urlsplit

import pytest

from portal.domain.vietqr import parse_payload
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

LANGUAGES = ["vi", "en"]
VIEWPORT = "360x800"
RECEPTIONIST = "tiepnhan@demo.sonla.vn"
APPLICANT = "Hà Văn Nam"
REFERENCE = re.compile(r"^SL[0-9A-HJKMNP-TV-Z]{10}$")
COUNTER_LINK = re.compile(r"^/staff/payments/(SL[0-9A-Z]{10})/counter$")
BANK = ("970415", "113366668888")  # Settings.for_tests

_found: dict[str, str] = {}

matrix = pytest.mark.parametrize("lang", LANGUAGES)


def click_and_wait(tab, selector: str) -> None:
    with tab.expect_navigation():
        tab.locator(selector).click()


@pytest.fixture
def reference(page, live_server) -> str:
    """The pending demo payment's reference, read from the staff pages once per live server."""
    if live_server not in _found:
        from portal.demo import DEMO_PASSWORD

        desk = page(VIEWPORT, "vi")
        desk.goto("/login")
        desk.locator("main #email").fill(RECEPTIONIST)
        desk.locator("main #password").fill(DEMO_PASSWORD)
        click_and_wait(desk, "main form button[type=submit]")
        assert urlsplit(desk.url).path == "/staff/queue", f"sign-in failed: {desk.url}"
        desk.goto(f"/staff/dossiers?q={quote(APPLICANT)}")
        items = desk.locator(".report-list a[href^='/staff/dossiers/']")
        assert items.count() == 1, f"{items.count()} dossiers of {APPLICANT}"
        click_and_wait(desk, ".report-list a[href^='/staff/dossiers/']")
        links = [
            link.get_attribute("href") for link in desk.locator("main a[href^='/staff/payments/']").all()
        ]
        references = [COUNTER_LINK.match(href)[1] for href in links if COUNTER_LINK.match(href or "")]
        assert len(references) == 1, links
        _found[live_server] = references[0]
    return _found[live_server]


def decode(png: bytes) -> str:
    import zxingcpp
    from PIL import Image

    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1, f"{len(results)} barcodes decoded"
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


@matrix
def test_payment_page_shows_a_scannable_qr(page, check_page, reference, lang):
    assert REFERENCE.match(reference), reference
    citizen = page(VIEWPORT, lang)
    citizen.context.grant_permissions(["clipboard-read", "clipboard-write"])
    citizen.goto(f"/payments/{reference}")
    assert citizen.evaluate("document.documentElement.lang") == lang
    check_page(citizen, f"payment-{lang}-01-page", lang)

    # What the page shows: the reference and the amount (the copy buttons carry the raw values).
    shown_reference = citizen.locator(".pay-facts strong.mono").inner_text().strip()
    assert shown_reference == reference
    copies = citizen.locator("button.copy")
    assert copies.count() == 3
    values = [copies.nth(index).get_attribute("data-copy") for index in range(3)]
    amount, account, copied_reference = int(values[0]), values[1], values[2]
    assert (account, copied_reference) == (BANK[1], reference) and amount > 0
    grouped = f"{amount:,}".replace(",", "." if lang == "vi" else ",")  # 20.000 ₫ / 20,000 ₫
    assert grouped in citizen.locator(".pay-facts").inner_text()

    # The QR, as Chromium draws it, decodes to that reference and amount.
    image = citizen.locator("img.pay-qr")
    image.scroll_into_view_if_needed()
    assert image.is_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR image did not load"
    box = image.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    payload = decode(image.screenshot(path=str(SCREENSHOTS / f"payment-{lang}-02-qr.png")))
    fields = parse_payload(payload)
    assert (fields.reference, fields.amount) == (reference, amount)
    assert (fields.bin, fields.account) == BANK and fields.warnings == ()

    # Copy buttons: visible with JavaScript, and they copy the raw value.
    for index in range(3):
        assert copies.nth(index).is_visible()
    copies.nth(2).click()
    assert citizen.evaluate("navigator.clipboard.readText()") == reference

    # "Save the QR image" downloads a PNG of the same payload, for paying from the same phone.
    save = citizen.locator("main a[href*='/qr.png?'][href$='download=1']")
    assert save.is_visible() and save.get_attribute("download") is not None
    box = save.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    with citizen.expect_download() as info:
        save.click()
    download = info.value
    assert download.suggested_filename == f"VietQR-{reference}.png"
    saved = SCREENSHOTS / f"payment-{lang}-03-saved.png"
    download.save_as(str(saved))
    data = saved.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert decode(data) == payload
    check_page(citizen, f"payment-{lang}-04-after-download", lang)


@matrix
def test_payment_page_without_javascript(page, check_page, reference, lang):
    citizen = page(VIEWPORT, lang, javascript=False)
    citizen.goto(f"/payments/{reference}")
    check_page(citizen, f"payment-{lang}-05-nojs", lang)
    image = citizen.locator("img.pay-qr")
    assert image.is_visible() and image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert citizen.locator("main a[href*='/qr.png?'][href$='download=1']").is_visible()
    assert citizen.locator("button.copy").count() == 3


CONTRAST = """el => {
    const parse = colour => (colour.match(/[\\d.]+/g) || []).map(Number);
    const channel = value => {
        value /= 255;
        return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
    };
    const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    let node = el, background = [255, 255, 255];
    for (; node && node.nodeType === 1; node = node.parentElement) {
        const colour = parse(getComputedStyle(node).backgroundColor);
        if (colour.length === 3 || (colour.length === 4 && colour[3] > 0)) { background = colour; break; }
    }
    const [light, dark] = [luminance(parse(getComputedStyle(el).color)), luminance(background)]
        .sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
}"""


@matrix
def test_copy_buttons_are_legible_with_javascript(page, reference, lang):
    citizen = page(VIEWPORT, lang)
    citizen.goto(f"/payments/{reference}")
    buttons = citizen.locator("button.copy").all()
    assert len(buttons) == 3 and all(button.is_visible() for button in buttons)
    assert citizen.locator(".pay-facts strong.mono").evaluate(CONTRAST) >= 4.5  # the measure itself works
    ratios = [button.evaluate(CONTRAST) for button in buttons]
    assert min(ratios) >= 4.5, f"contrast of the Copy buttons against the page: {ratios}"


@matrix
def test_copy_buttons_are_hidden_without_javascript(page, reference, lang):
    citizen = page(VIEWPORT, lang, javascript=False)
    citizen.goto(f"/payments/{reference}")
    buttons = citizen.locator("button.copy").all()
    assert len(buttons) == 3
    assert not any(button.is_visible() for button in buttons), "Copy buttons that cannot work are shown"


@matrix
def test_counter_view_shows_the_qr_large(page, check_page, reference, lang):
    from portal.demo import DEMO_PASSWORD

    desk = page(VIEWPORT, lang)
    desk.goto("/login")
    desk.locator("main #email").fill(RECEPTIONIST)
    desk.locator("main #password").fill(DEMO_PASSWORD)
    click_and_wait(desk, "main form button[type=submit]")
    desk.goto(f"/staff/payments/{reference}/counter")
    check_page(desk, f"payment-{lang}-06-counter", lang)
    image = desk.locator("img.counter-qr")
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    box = image.bounding_box()
    assert box["width"] >= 300 and box["x"] + box["width"] <= 360, box  # as large as the phone allows
    shot = image.screenshot(path=str(SCREENSHOTS / f"payment-{lang}-07-counter-qr.png"))
    fields = parse_payload(decode(shot))
    assert fields.reference == reference
