"""Issue 4's acceptance path in a real Chromium at 360x800, in vi and en, with real clicks and form submits.

1. A citizen finds "Đăng ký tạm trú" (1.004194) in the catalogue, submits it online with a PDF and a JPEG,
   gets the code, the receipt and its QR code. The receptionist types the code into the queue's search box
   (as a USB scanner would) and receives the dossier; the processor starts it and asks for a document
   (form 02); the citizen sends it from the status page; the processor attaches the result; the receptionist
   returns it; the citizen downloads the result PDF and, with JavaScript off, rates the service (once).
2. The receipt printed by Chromium (print-to-PDF, A4) is exactly one page, and the QR code of the printed
   layout decodes to the absolute secret tracking link, which opens the dossier in a browser that has never
   seen it.

Every step is screenshotted into tests/artifacts/screenshots/dossier-<lang>-<step>.png and checked by
`check_page` (html lang, no horizontal scrolling at 360 px, labelled controls, one h1, one main, no console
or HTTP errors). The printed receipts are kept as tests/artifacts/dossier-<lang>-receipt.pdf.

Vietnamese translations of dossier strings may lag behind, so nothing here asserts UI text: only
structure, URLs, form actions, classes and the data the citizen typed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.support.files import PDF, jpeg_bytes

pytestmark = pytest.mark.browser

LANGUAGES = ["vi", "en"]
VIEWPORT = "360x800"
A4_VIEWPORT = {"width": 794, "height": 1123}  # 210 x 297 mm at 96 px per inch
ARTIFACTS = SCREENSHOTS.parent
PROCEDURE = "1.004194"  # Đăng ký tạm trú: fully online, 3 working days
PROCEDURE_NAME = "Đăng ký tạm trú"
COMMUNE_CODE, COMMUNE_NAME = "03646", "Phường Tô Hiệu"
APPLICANT = {
    "name": "Lò Thị Xuân",
    "id_number": "014190000123",
    "birth_date": "1990-05-17",
    "phone": "0912 345 678",
    "email": "xuan@example.com",
    "address": "Tổ 3, đường Tô Hiệu",
}
RECEPTIONIST, PROCESSOR = "tiepnhan@demo.sonla.vn", "xuly@demo.sonla.vn"
CODE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.H52-\d{6}-\d{4}")
RECEIPT_PATH = re.compile(rf"^/dossiers/({CODE.pattern})/receipt$")
TRACKING_URL = re.compile(rf"^https?://[^/]+/dossiers/t/({CODE.pattern})/([0-9a-f]{{48}})$")
FILE_LINK = re.compile(r"^/dossiers/(?P<code>[^/]+)/files/\d+$")
PAGE_OBJECT = re.compile(rb"/Type\s*/Page[^s]")
A4_MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0 0 59[56](\.\d+)? 84[12](\.\d+)?\s*\]")  # 210 x 297 mm in pt

matrix = pytest.mark.parametrize("lang", LANGUAGES)


@pytest.fixture
def files(tmp_path):
    """The citizen's and the processor's files on disk, as a file picker would give them."""
    # Real names from phones and scanners are long and have no break opportunity: they must wrap at 360 px.
    paths = {
        "form": tmp_path / "to-khai-CT01.pdf",
        "photo": tmp_path / "IMG_20261123_CCCD_mat_truoc_mat_sau_Lo_Thi_Xuan_014190000123.jpg",
        "supplement": tmp_path / "Scan_HopDongThueNha_LoThiXuan_To3_DuongToHieu_PhuongToHieu.pdf",
        "result": tmp_path / "ket-qua-tam-tru.pdf",
    }
    for key, path in paths.items():
        path.write_bytes(jpeg_bytes() if key == "photo" else PDF)
    return paths


def click_and_wait(tab, selector: str) -> None:
    with tab.expect_navigation():
        tab.locator(selector).click()


def path_of(tab) -> str:
    return urlsplit(tab.url).path


def fill_and_submit(tab, files) -> str:
    """On /dossiers/apply/1.004194: fill the applicant, attach the files, consent, send. Returns the code."""
    assert path_of(tab) == f"/dossiers/apply/{PROCEDURE}", tab.url
    form = tab.locator("main form[enctype='multipart/form-data']")
    form.locator("#applicant_name").fill(APPLICANT["name"])
    form.locator("#id_number").fill(APPLICANT["id_number"])
    form.locator("#birth_date").fill(APPLICANT["birth_date"])
    form.locator("#phone").fill(APPLICANT["phone"])
    form.locator("#email").fill(APPLICANT["email"])
    form.locator("#address").fill(APPLICANT["address"])
    commune = form.locator("#commune")
    assert commune.locator(f"option[value='{COMMUNE_CODE}']").inner_text().strip() == COMMUNE_NAME
    commune.select_option(value=COMMUNE_CODE)
    documents = form.locator("input[type=file]:not(#doc-other)")
    assert documents.count() >= 1
    documents.first.set_input_files(str(files["form"]))
    form.locator("#doc-other").set_input_files(str(files["photo"]))
    assert not form.locator("#consent").is_checked()  # unticked by default
    form.locator("#consent").check()
    with tab.expect_navigation():
        form.locator("button[type=submit]").click()
    receipt = RECEIPT_PATH.match(path_of(tab))
    assert receipt, f"the dossier was not accepted: {tab.url}\n{tab.locator('main').inner_text()[:1500]}"
    return receipt[1]


def check_receipt(tab, code: str) -> None:
    assert tab.locator(".form-code strong").inner_text().strip() == code
    qr = tab.locator("img.qr")
    assert qr.get_attribute("src") == f"/dossiers/{code}/qr.svg"
    qr.scroll_into_view_if_needed()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), "the receipt's QR image did not load"
    text = tab.locator("article.paper-form").inner_text()
    for typed in (APPLICANT["name"], APPLICANT["address"], COMMUNE_NAME, PROCEDURE_NAME):
        assert typed in text, f"{typed!r} is missing from the receipt"


def sign_in(tab, email: str) -> None:
    from portal.demo import DEMO_PASSWORD

    tab.goto("/")
    click_and_wait(tab, "nav.main-nav a[href='/login']")
    tab.locator("main #email").fill(email)
    tab.locator("main #password").fill(DEMO_PASSWORD)
    click_and_wait(tab, "main form button[type=submit]")
    assert path_of(tab) == "/staff/queue", (
        f"sign-in as {email} failed: {tab.url}"
    )  # staff land on their queue
    assert tab.locator("nav.main-nav a[href='/staff/dossiers']").is_visible()


def act(tab, code: str, action: str, *, note: str | None = None, upload=None) -> None:
    """Press a staff action's button on the dossier page; the page comes back with a success flash."""
    assert path_of(tab) == f"/staff/dossiers/{code}", tab.url
    form = tab.locator(f"form.action-form[action='/staff/dossiers/{code}/{action}']")
    assert form.count() == 1, f"no {action!r} action on {tab.url}"
    if note is not None:
        form.locator("textarea[name=note]").fill(note)
    if upload is not None:
        form.locator("input[type=file][name=files]").set_input_files(str(upload))
    with tab.expect_navigation():
        form.locator("button[type=submit]").click()
    assert path_of(tab) == f"/staff/dossiers/{code}", tab.url
    assert tab.locator(".flash-success").is_visible(), tab.locator("main").inner_text()[:1000]


def status_is(tab, status: int) -> None:
    badge = tab.locator("main span.status").first
    assert f"status-d{status}" in (badge.get_attribute("class") or "").split(), badge.get_attribute("class")


@matrix
def test_dossier_journey(page, check_page, files, lang):
    def check(tab, step: str) -> None:
        check_page(tab, f"dossier-{lang}-{step}", lang)

    # 1. The citizen finds the procedure in the catalogue and submits it online from a phone.
    citizen = page(VIEWPORT, lang)
    citizen.goto("/")
    click_and_wait(citizen, "nav.main-nav a[href='/procedures']")
    assert path_of(citizen) == "/procedures"
    check(citizen, "01-procedures")
    citizen.locator("main #q").fill("tam tru")
    with citizen.expect_navigation():
        citizen.locator("main #q").press("Enter")
    assert path_of(citizen) == "/procedures" and "q=tam+tru" in citizen.url, citizen.url
    result = citizen.locator(f".procedure-list a[href='/procedures/{PROCEDURE}']")
    assert result.count() == 1, citizen.locator("main").inner_text()[:1000]
    assert result.locator(".title").inner_text().strip() == PROCEDURE_NAME
    check(citizen, "02-search")
    click_and_wait(citizen, f".procedure-list a[href='/procedures/{PROCEDURE}']")
    assert citizen.locator("main h1").inner_text().strip() == PROCEDURE_NAME
    check(citizen, "03-procedure")
    click_and_wait(citizen, f"main a.button[href='/dossiers/apply/{PROCEDURE}']")
    check(citizen, "04-apply")
    code = fill_and_submit(citizen, files)

    # 2. The receipt: code, QR code, what the citizen typed; then the private status page.
    check_receipt(citizen, code)
    check(citizen, "05-receipt")
    click_and_wait(citizen, f"main .no-print a[href='/dossiers/{code}']")
    assert citizen.locator("main p.small strong").inner_text().strip() == code
    status_is(citizen, 1)
    check(citizen, "06-status-submitted")

    # 3. The receptionist types (or scans) the code into the queue's search box and presses Enter.
    desk = page(VIEWPORT, lang)
    sign_in(desk, RECEPTIONIST)
    click_and_wait(desk, "nav.main-nav a[href='/staff/dossiers']")
    assert desk.locator(f".report-list a[href='/staff/dossiers/{code}']").count() == 1  # waiting in the queue
    check(desk, "07-desk-queue")
    desk.locator("main #q").fill(code)
    with desk.expect_navigation():
        desk.locator("main #q").press("Enter")
    assert path_of(desk) == f"/staff/dossiers/{code}", desk.url  # scan-to-open, no result list in between
    assert APPLICANT["id_number"] in desk.locator("dl.facts").inner_text()
    status_is(desk, 1)
    check(desk, "08-desk-dossier")
    act(desk, code, "receive")
    status_is(desk, 2)
    check(desk, "09-desk-received")

    # 4. The processor starts processing and asks for a document (form 02).
    processor = page(VIEWPORT, lang)
    sign_in(processor, PROCESSOR)
    click_and_wait(processor, "nav.main-nav a[href='/staff/dossiers']")
    click_and_wait(processor, f".report-list a[href='/staff/dossiers/{code}']")
    act(processor, code, "start")
    status_is(processor, 4)
    check(processor, "10-processing")
    request = (
        "Bổ sung hợp đồng thuê nhà có chữ ký của chủ nhà. / "
        "Please add the rental contract signed by the landlord."
    )
    act(processor, code, "request_supplement", note=request)
    status_is(processor, 5)
    check(processor, "11-supplement-requested")

    # 5. The citizen sees the request on the status page and sends the document.
    citizen.reload()
    status_is(citizen, 5)
    panel = citizen.locator("section.panel[aria-labelledby='supplement-title']")
    assert request in panel.locator(".note").inner_text()
    check(citizen, "12-status-supplement")
    supplement = panel.locator(f"form[action='/dossiers/{code}/supplement']")
    supplement.locator("#supplement-files").set_input_files(str(files["supplement"]))
    supplement.locator("textarea[name=note]").fill("Gửi hợp đồng thuê nhà. / The rental contract.")
    with citizen.expect_navigation():
        supplement.locator("button[type=submit]").click()
    assert path_of(citizen) == f"/dossiers/{code}"
    assert citizen.locator(".flash-success").is_visible()
    status_is(citizen, 4)
    assert citizen.locator(f"form[action='/dossiers/{code}/supplement']").count() == 0
    assert files["supplement"].name in citizen.locator("main").inner_text()
    check(citizen, "13-status-supplemented")

    # 6. The processor attaches the result; the receptionist hands it over.
    processor.reload()
    status_is(processor, 4)
    act(processor, code, "finish", upload=files["result"])
    status_is(processor, 9)
    assert files["result"].name in processor.locator("main").inner_text()
    check(processor, "14-result-ready")
    desk.reload()
    act(desk, code, "return_result")
    status_is(desk, 10)
    check(desk, "15-desk-returned")

    # 7. The citizen sees the result and downloads it.
    citizen.reload()
    status_is(citizen, 10)
    download_link = citizen.locator("section.answer a.button")
    assert download_link.count() == 1
    href = download_link.get_attribute("href") or ""
    assert FILE_LINK.match(href) and FILE_LINK.match(href)["code"] == code, href
    check(citizen, "16-status-result")
    with citizen.expect_download() as waiting:
        download_link.click()
    download = waiting.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename == files["result"].name
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read().startswith(b"%PDF")
    assert path_of(citizen) == f"/dossiers/{code}"  # a download, the page stays
    assert not citizen.problems, citizen.problems

    # 8. The citizen rates the service once, from the same page, with JavaScript off (issue 11 item 7).
    plain = page(VIEWPORT, lang, javascript=False)
    plain.context.add_cookies(citizen.context.cookies())
    plain.goto(f"/dossiers/{code}")
    rating = plain.locator(f"form[action='/dossiers/{code}/rating']")
    assert rating.count() == 1
    check(plain, "17-status-rate")
    rating.locator("input[name=overall][value=unsatisfied]").check()
    with plain.expect_navigation():
        rating.locator("button[type=submit]").click()  # no reason: refused, nothing kept
    assert plain.locator(".flash-error").is_visible()
    rating = plain.locator(f"form[action='/dossiers/{code}/rating']")
    rating.locator("input[name=overall][value=unsatisfied]").check()
    rating.locator("textarea[name=reason]").fill("Phải đi lại hai lần để bổ sung giấy tờ.")
    rating.locator("details summary").click()
    rating.locator("select[name=c_attitude]").select_option("2")
    with plain.expect_navigation():
        rating.locator("button[type=submit]").click()
    assert path_of(plain) == f"/dossiers/{code}"
    assert plain.locator(".flash-success").is_visible()
    assert plain.locator(f"form[action='/dossiers/{code}/rating']").count() == 0  # once
    assert plain.locator("#rating.notice").count() == 1
    check(plain, "18-status-rated")


def decode_printed_qr(a4_screenshot, pdf_path) -> str:
    """The QR code of the receipt as printed, rasterised and decoded with zxing-cpp.

    With poppler's pdftoppm the printed PDF itself is rendered at 150 dpi; without it, the screenshot of
    the receipt in print media at an A4-sized viewport is decoded (same print stylesheet, no page margins).
    """
    import zxingcpp
    from PIL import Image

    image = a4_screenshot
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:
        image = pdf_path.with_suffix(".png")
        command = [pdftoppm, "-png", "-r", "150", "-singlefile", str(pdf_path), str(image.with_suffix(""))]
        subprocess.run(command, check=True, timeout=60)  # noqa: S603 (our own file, no shell)
    results = zxingcpp.read_barcodes(Image.open(image))
    codes = [result for result in results if result.format == zxingcpp.BarcodeFormat.QRCode]
    assert len(codes) == 1, f"{len(codes)} QR codes decoded from the printed receipt ({image})"
    return codes[0].text


@matrix
def test_printed_receipt(page, check_page, files, lang):
    citizen = page(VIEWPORT, lang)
    citizen.goto(f"/procedures/{PROCEDURE}")
    click_and_wait(citizen, f"main a.button[href='/dossiers/apply/{PROCEDURE}']")
    code = fill_and_submit(citizen, files)
    citizen.goto(f"/dossiers/{code}/receipt")
    check_receipt(citizen, code)
    check_page(citizen, f"dossier-{lang}-print-01-receipt-360", lang)

    # Chromium's print-to-PDF on A4 with the print stylesheet: one page.
    citizen.emulate_media(media="print")
    for hidden in (".site-header", ".site-footer", ".no-print"):
        assert not citizen.locator(hidden).is_visible(), f"{hidden} is printed"
    pdf = citizen.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf_path = ARTIFACTS / f"dossier-{lang}-receipt.pdf"
    pdf_path.write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    assert A4_MEDIA_BOX.search(pdf), re.findall(rb"/MediaBox\s*\[[^\]]*\]", pdf)
    pages = len(PAGE_OBJECT.findall(pdf))
    assert pages == 1, f"the printed receipt has {pages} A4 pages, expected 1"

    # The receipt in print media at an A4-sized viewport; its QR code (or the PDF's, with pdftoppm)
    # decodes to the absolute secret tracking link.
    citizen.set_viewport_size(A4_VIEWPORT)
    check_page(citizen, f"dossier-{lang}-print-02-a4", lang)
    link = decode_printed_qr(SCREENSHOTS / f"dossier-{lang}-print-02-a4.png", pdf_path)
    tracking = TRACKING_URL.match(link)
    assert tracking and tracking[1] == code, link

    # Scanning it opens the dossier in a browser that has never seen it (the link's host is the
    # configured PORTAL_BASE_URL, http://localhost in tests: open its path on the live server).
    scanner = page(VIEWPORT, lang)
    scanner.goto(f"/dossiers/{code}")
    assert scanner.locator("main p.small strong").count() == 0  # the code alone opens nothing
    assert scanner.problems and all("404" in problem for problem in scanner.problems), scanner.problems
    scanner.problems.clear()  # that 404 was expected
    scanner.goto(urlsplit(link).path)
    assert path_of(scanner) == f"/dossiers/{code}", scanner.url
    assert scanner.locator("main p.small strong").inner_text().strip() == code
    assert scanner.locator("main h1").inner_text().strip() == PROCEDURE_NAME
    assert APPLICANT["name"] in scanner.locator("dl.facts").inner_text()
    check_page(scanner, f"dossier-{lang}-print-03-scanned", lang)
