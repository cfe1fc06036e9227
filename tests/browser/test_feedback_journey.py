"""Issue 3's acceptance path in a real Chromium at 360x800, in vi and en, with real clicks and form submits.

A citizen reports a problem with a photo, gets a code and a QR code, somebody else tracks it with the code
and the phone's last 4 digits, an admin forwards it to a ward, the ward's processor accepts and answers it,
and the citizen, not satisfied, sends it back to the agency. Every step is screenshotted into
tests/artifacts/screenshots/feedback-<lang>-<step>.png and checked by `check_page` (html lang, no
horizontal scrolling at 360 px, labelled controls, one h1, one main, no console or HTTP errors).

Vietnamese translations of feedback strings may lag behind, so nothing here asserts UI text: only
structure, URLs, classes and the data the citizen typed.
"""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.support.files import jpeg_bytes

pytestmark = pytest.mark.browser

LANGUAGES = ["vi", "en"]
VIEWPORT = "360x800"
CATEGORY = {"vi": "Giao thông – đường, cầu", "en": "Roads & bridges"}
COMMUNE = "Phường Chiềng Cơi"
WARD_AGENCY = {"vi": "UBND Phường Tô Hiệu", "en": "Phường Tô Hiệu People's Committee"}
PHONE, LAST_FOUR = "0912 345 678", "5678"
ADMIN, PROCESSOR = "admin@demo.sonla.vn", "xuly@demo.sonla.vn"
CODE = re.compile(r"^PA-\d{6}-\d{4}$")
QR_SRC = re.compile(r"^/feedback/t/([A-Za-z0-9_-]{22,})/qr\.svg$")
STATUS_URL = re.compile(r"/feedback/(PA-\d{6}-\d{4})/status$")

matrix = pytest.mark.parametrize("lang", LANGUAGES)


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "sat-lo.jpg"
    path.write_bytes(jpeg_bytes())
    return path


def click_and_wait(tab, selector: str) -> None:
    with tab.expect_navigation():
        tab.locator(selector).click()


def report_a_problem(tab, lang: str, title: str, photo) -> None:
    """From the home page, follow the navigation to the form, fill it in and send it."""
    tab.goto("/")
    click_and_wait(tab, "nav.main-nav a[href='/feedback/new']")
    assert urlsplit(tab.url).path == "/feedback/new"
    form = tab.locator("main form[enctype='multipart/form-data']")
    form.locator("label.category-choice", has_text=CATEGORY[lang]).locator("input").check()
    form.locator("#title").fill(title)
    form.locator("#description").fill(
        "Đất đá sạt xuống lấp nửa mặt đường sau mưa lớn, xe máy đi rất nguy hiểm. / "
        "Rocks slid onto half of the road after heavy rain; motorbikes can hardly pass."
    )
    form.locator("#photos").set_input_files(str(photo))
    form.locator("#commune").select_option(label=COMMUNE)
    form.locator("#address").fill("Tổ 3, gần cầu Chiềng Cơi")
    form.locator("#contact_name").fill("Lò Văn Pọm")
    form.locator("#phone").fill(PHONE)
    form.locator("#email").fill("pom@example.com")
    form.locator("#consent").check()
    assert not form.locator("#show_name").is_checked()  # off by default
    with tab.expect_navigation():
        form.locator("button[type=submit]").click()


def receipt_code(tab) -> str:
    assert urlsplit(tab.url).path == "/feedback/receipt", tab.url
    code = tab.locator(".code-box strong").inner_text().strip()
    assert CODE.match(code), code
    return code


def sign_in(tab, email: str) -> None:
    from portal.demo import DEMO_PASSWORD

    tab.goto("/")
    click_and_wait(tab, "nav.main-nav a[href='/login']")
    tab.locator("main #email").fill(email)
    tab.locator("main #password").fill(DEMO_PASSWORD)
    click_and_wait(tab, "main form button[type=submit]")
    assert urlsplit(tab.url).path == "/staff/queue", f"sign-in as {email} failed: {tab.url}"  # their queue
    assert tab.locator("nav.main-nav a[href='/staff/feedback']").is_visible()


def decode_qr(tab, lang: str) -> str:
    """Rasterise the receipt's QR <img> (an SVG) with an element screenshot and decode it with zxing-cpp."""
    import zxingcpp
    from PIL import Image

    image = tab.locator("img.qr")
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the QR image did not load"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    png = image.screenshot(path=str(SCREENSHOTS / f"feedback-{lang}-03-qr.png"))
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1, f"{len(results)} barcodes decoded from the QR image"
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0].text


@matrix
def test_feedback_journey(page, check_page, live_server, photo, lang):
    def check(tab, step: str) -> None:
        check_page(tab, f"feedback-{lang}-{step}", lang)

    title = f"Sạt lở đường tổ 3 Chiềng Cơi ({lang})"

    # 1. The citizen reports a problem from a phone.
    citizen = page(VIEWPORT, lang)
    citizen.goto("/")
    check(citizen, "01-home")
    click_and_wait(citizen, "nav.main-nav a[href='/feedback/new']")
    check(citizen, "02-form")
    report_a_problem(citizen, lang, title, photo)

    # 2. Receipt: code, QR code of the private link, the link itself.
    code = receipt_code(citizen)
    check(citizen, "03-receipt")
    src = citizen.locator("img.qr").get_attribute("src")
    token = QR_SRC.match(src or "")
    assert token, src
    token = token[1]
    svg = citizen.request.get(live_server + src)
    assert svg.status == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.body() and "no-store" in svg.headers["cache-control"]
    link_element = citizen.locator(".link-box a")
    link = link_element.inner_text().strip()
    assert link_element.get_attribute("href") == link
    assert urlsplit(link).path == f"/feedback/t/{token}", link
    assert decode_qr(citizen, lang) == link
    click_and_wait(citizen, f"main a.button[href='/feedback/{code}/status']")
    assert urlsplit(citizen.url).path == f"/feedback/{code}/status"
    assert citizen.locator("main h1").inner_text().strip() == title
    assert citizen.locator("p.status.status-new").is_visible()
    check(citizen, "04-status-new")

    # The QR's link opens the private page in a browser that has never seen the report. The test
    # settings use base_url=http://localhost, so the link's path is opened on the live server.
    scanner = page(VIEWPORT, lang)
    scanner.goto(f"/feedback/{code}/status")
    assert scanner.locator("main h1").inner_text().strip() != title  # no access without the link
    scanner.problems.clear()  # that 404 was expected
    scanner.goto(urlsplit(link).path)
    assert STATUS_URL.search(scanner.url) and STATUS_URL.search(scanner.url)[1] == code, scanner.url
    assert scanner.locator("main h1").inner_text().strip() == title
    check(scanner, "05-qr-status")

    # 3. Somebody else follows the report with the code and the phone's last 4 digits.
    other = page(VIEWPORT, lang)
    other.goto("/")
    click_and_wait(other, "nav.main-nav a[href='/track']")
    check(other, "06-track")
    other.locator("#code").fill(code)
    other.locator("#phone_digits").fill("1234")
    click_and_wait(other, "main form button[type=submit]")
    assert urlsplit(other.url).path == "/track"
    assert other.locator("#phone_digits-error").is_visible()
    assert other.locator("main h1").inner_text().strip() != title
    assert title not in other.locator("main").inner_text()
    assert other.locator("p.status").count() == 0
    # The wrong guess answers 404 (same as an unknown code): expected, so not a problem of the page.
    assert other.problems and all("404" in problem for problem in other.problems), other.problems
    other.problems.clear()
    check(other, "07-track-wrong")
    other.locator("#code").fill(code.lower())  # typed by hand, in lower case
    other.locator("#phone_digits").fill(LAST_FOUR)
    click_and_wait(other, "main form button[type=submit]")
    assert urlsplit(other.url).path == f"/feedback/{code}/status"
    assert other.locator("main h1").inner_text().strip() == title
    assert other.locator("p.status.status-new").is_visible()
    check(other, "08-track-status")

    # 4. Staff: the admin forwards the report to the ward; the ward's processor accepts and answers it.
    admin = page(VIEWPORT, lang)
    sign_in(admin, ADMIN)
    admin.goto(f"/staff/feedback/{code}")
    assert admin.locator("main h1").inner_text().strip() == title
    thumbnail = admin.locator(".photos img")
    assert thumbnail.count() == 1
    thumbnail.scroll_into_view_if_needed()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth > 0"), (
        "the photo's thumbnail did not load"
    )
    check(admin, "09-staff-item")
    forward = admin.locator("form[action$='/forward']")
    forward.locator("select[name=agency]").select_option(label=WARD_AGENCY[lang])
    forward.locator("textarea[name=note]").fill("Chuyển UBND phường xử lý theo địa bàn.")
    with admin.expect_navigation():
        forward.locator("button[type=submit]").click()
    assert urlsplit(admin.url).path == f"/staff/feedback/{code}"
    assert admin.locator(".flash-success").is_visible()
    assert "Tô Hiệu" in admin.locator("dl.facts").inner_text()
    assert admin.locator("span.status.status-new").is_visible()
    check(admin, "10-staff-forwarded")

    processor = page(VIEWPORT, lang)
    sign_in(processor, PROCESSOR)
    click_and_wait(processor, "nav.main-nav a[href='/staff/feedback']")
    check(processor, "11-queue")
    click_and_wait(processor, f".report-list a[href='/staff/feedback/{code}']")
    assert processor.locator("main h1").inner_text().strip() == title
    with processor.expect_navigation():
        processor.locator("form[action$='/accept'] button[type=submit]").click()
    assert processor.locator("span.status.status-accepted").is_visible()
    check(processor, "12-staff-accepted")
    answer = (
        "UBND phường đã cử lực lượng dọn đất đá và cắm biển cảnh báo; tuyến đường đã thông xe. / "
        "The ward cleared the rocks and put up warning signs; the road is open again."
    )
    processor.locator("form[action$='/answer'] textarea[name=note]").fill(answer)
    with processor.expect_navigation():
        processor.locator("form[action$='/answer'] button[type=submit]").click()
    assert processor.locator("span.status.status-answered").is_visible()
    assert answer in processor.locator("section.answer").inner_text()
    check(processor, "13-staff-answered")

    # 5. The citizen sees the answer and is not satisfied: the report goes back to the agency.
    citizen.reload()
    assert citizen.locator("p.status.status-answered").is_visible()
    assert answer in citizen.locator("section.answer .note").inner_text()
    rate = citizen.locator(f"form[action='/feedback/{code}/rate']")
    assert rate.is_visible()
    check(citizen, "14-answered")
    rate.locator("input[name=satisfied][value=no]").check()
    rate.locator("textarea[name=comment]").fill("Đá vẫn còn ở lề đường. / Rocks are still on the roadside.")
    with citizen.expect_navigation():
        rate.locator("button[type=submit]").click()
    assert urlsplit(citizen.url).path == f"/feedback/{code}/status"
    assert citizen.locator("p.status.status-accepted").is_visible()
    assert citizen.locator(".flash-success").is_visible()
    assert citizen.locator(f"form[action='/feedback/{code}/rate']").count() == 0  # rated once only
    check(citizen, "15-not-satisfied")

    # The processor sees the rating and the report is open again in the queue.
    processor.goto(f"/staff/feedback/{code}")
    assert processor.locator("span.status.status-accepted").is_visible()
    assert "Rocks are still on the roadside." in processor.locator("main").inner_text()
    check(processor, "16-staff-reopened")


@matrix
def test_report_without_javascript(page, check_page, photo, lang):
    tab = page(VIEWPORT, lang, javascript=False)
    report_a_problem(tab, lang, f"Ổ gà trên đường Chiềng Cơi, không JavaScript ({lang})", photo)
    code = receipt_code(tab)
    assert tab.locator("img.qr").is_visible()
    assert tab.locator("img.qr").evaluate("img => img.complete && img.naturalWidth > 0")
    check_page(tab, f"feedback-{lang}-nojs-receipt", lang)
    click_and_wait(tab, f"main a.button[href='/feedback/{code}/status']")
    assert tab.locator("p.status.status-new").is_visible()
    check_page(tab, f"feedback-{lang}-nojs-status", lang)
