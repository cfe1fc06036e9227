"""Issue 18 item 7 in Chromium at 360x800: the citizen of an underpaid fee (demo "Sồng A Chứ", half paid)
follows the dossier from /track to its payment page and sees the bank by name, what the fee is for, the amount
still owed, and a QR that asks for exactly that. Screenshots: tests/artifacts/screenshots/payment-owed-*."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pytest

from portal.domain.vietqr import parse_payload
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_payment_page import click_and_wait, decode

pytestmark = pytest.mark.browser

VIEWPORT = "360x800"
RECEPTIONIST = "tiepnhan@demo.sonla.vn"
APPLICANT = "Sồng A Chứ"


def dossier_of_applicant(page) -> tuple[str, str]:
    """The demo dossier's code and the last four digits of its phone, as the desk reads them."""
    from portal.demo import DEMO_PASSWORD

    desk = page(VIEWPORT, "vi")
    desk.goto("/login")
    desk.locator("main #email").fill(RECEPTIONIST)
    desk.locator("main #password").fill(DEMO_PASSWORD)
    click_and_wait(desk, "main form button[type=submit]")
    assert urlsplit(desk.url).path == "/staff/queue", desk.url
    desk.goto(f"/staff/dossiers?q={quote(APPLICANT)}")
    click_and_wait(desk, ".report-list a[href^='/staff/dossiers/']")
    code = urlsplit(desk.url).path.rsplit("/", 1)[1]
    phone = desk.locator("main a[href^='tel:']").get_attribute("href")
    return code, re.sub(r"\D", "", phone)[-4:]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_citizen_sees_the_bank_the_purpose_and_what_is_still_owed(page, check_page, lang):
    code, digits = dossier_of_applicant(page)
    citizen = page(VIEWPORT, lang)
    citizen.goto("/track")
    citizen.locator("main input[name=code]").fill(code)
    citizen.locator("main input[name=phone_digits]").fill(digits)
    click_and_wait(citizen, "main form button[type=submit]")
    assert code in citizen.locator("main").inner_text()
    click_and_wait(citizen, "main a[href^='/payments/']")
    check_page(citizen, f"payment-owed-{lang}-01-page", lang)
    main = citizen.locator("main").inner_text()
    assert citizen.locator(".bank-badge").inner_text() == "VietinBank"  # BIN 970415 (Settings.for_tests)
    assert code in main and "gia hạn tạm trú".lower() in main.lower()
    owed = int(citizen.locator(".pay-due button.copy").get_attribute("data-copy"))
    assert owed > 0
    image = citizen.locator("img.pay-qr")
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    box = image.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    fields = parse_payload(decode(image.screenshot(path=str(SCREENSHOTS / f"payment-owed-{lang}-02-qr.png"))))
    assert fields.amount == owed
