"""Issue 13's Done-when, in Chromium at 360 px: a village intermediary signs in, files a report for a
villager with her consent (a photo of the signed paper) and a photo of the problem, prints the slip; the
villager's phone receives the code by SMS from the test gateway; texting the code to the look-up number
brings the status back. The portal here has its own live server, configured with the local gateway."""

from __future__ import annotations

import threading

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.support.databases import throwaway_database
from tests.support.files import jpeg_bytes
from tests.support.sms import LOOKUP_NUMBER, Gateway, signed

pytestmark = pytest.mark.browser
EMAIL, PASSWORD = "truongban.nacan@example.vn", "Truong-ban-Na-Can-2026"


@pytest.fixture(scope="module")
def portal(chromium_executable, tmp_path_factory):
    from werkzeug.serving import make_server

    from portal.accounts.operations import create_account
    from portal.extensions import db
    from tests.conftest import build_app, migrate_and_seed

    folder = tmp_path_factory.mktemp("intermediary-instance")
    with Gateway() as gateway, throwaway_database(folder, "intermediary") as url:
        application = build_app(folder, url, sms=gateway.settings())
        application.config["WTF_CSRF_ENABLED"] = True
        migrate_and_seed(application)
        with application.app_context():
            create_account(
                email=EMAIL,
                password=PASSWORD,
                full_name="Lò Văn Bản",
                role="intermediary",
                agency_slug="ubnd-phuong-to-hieu",
            )
            db.session.commit()
            db.session.remove()
        server = make_server("127.0.0.1", 0, application, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield application, f"http://127.0.0.1:{server.server_port}", gateway
        finally:
            server.shutdown()
            server.server_close()
            with application.app_context():
                db.engine.dispose()


def run_jobs_of(application) -> None:
    from portal.extensions import db
    from tests.support.jobs import run_jobs

    with application.app_context():
        run_jobs(application)
        db.session.remove()


def test_an_intermediary_files_for_a_villager_who_gets_the_code_by_sms_and_looks_it_up(
    portal, browser, tmp_path
):

    application, base, gateway = portal
    paper, problem = tmp_path / "giay-dong-y.jpg", tmp_path / "cau-treo.jpg"
    paper.write_bytes(jpeg_bytes(color=(240, 240, 230)))
    problem.write_bytes(jpeg_bytes())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=base, viewport={"width": 360, "height": 800}, locale="vi-VN")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.goto("/login")
    tab.fill("input[name=email]", EMAIL)
    tab.fill("input[name=password]", PASSWORD)
    tab.locator("form button[type=submit]").last.click()
    tab.wait_for_url("**/intermediary")
    tab.click("text=Gửi phản ánh giúp người dân")
    assert "Đọc to thông báo này" in tab.content()
    tab.fill("input[name=villager_name]", "Lò Thị Xuân")
    tab.fill("input[name=villager_phone]", "0977 123 456")
    tab.select_option("select[name=category]", index=1)
    tab.fill("input[name=title]", "Cầu treo bản Nà Cạn hỏng")
    tab.fill("textarea[name=description]", "Ván cầu treo bị gãy hai tấm, trẻ em đi học rất nguy hiểm.")
    tab.set_input_files("input[name=photos]", str(problem))
    tab.check("input[name=consent_method][value=paper]")
    tab.set_input_files("input[name=consent_photo]", str(paper))
    tab.screenshot(path=str(SCREENSHOTS / "intermediary-file-360.png"), full_page=True)
    tab.locator("form button[type=submit]").last.click()
    tab.wait_for_url("**/intermediary/feedback/PA-*")
    code = tab.url.rsplit("/", 1)[1]
    assert "Lò Thị Xuân" in tab.content()
    tab.click("text=In phiếu")
    tab.wait_for_url(f"**/intermediary/feedback/{code}/slip")
    assert tab.locator(".slip-code").inner_text() == code
    assert f"nhắn {code} gửi {LOOKUP_NUMBER}" in tab.content()  # the look-up by text, for a basic phone
    assert tab.locator("img.slip-qr").evaluate("img => img.complete && img.naturalWidth > 0")
    tab.screenshot(path=str(SCREENSHOTS / "intermediary-slip-360.png"), full_page=True)
    pdf = tab.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf.startswith(b"%PDF")
    context.close()  # the session's Chromium stays for the next tests

    run_jobs_of(application)  # the worker: the code leaves by SMS after the commit
    [text] = gateway.to("0977123456")
    assert code in text.content and text.content.isascii() and len(text.content) <= 160

    raw, headers = signed({"from": "0977123456", "to": LOOKUP_NUMBER, "text": code})
    client = application.test_client()
    answer = client.post("/sms/inbound", data=raw, headers=headers)
    assert answer.status_code == 200 and answer.json == {"status": "answered"}
    run_jobs_of(application)
    reply = gateway.to("0977123456")[-1].content
    assert reply.startswith(f"{code}: Cho tiep nhan. Ngay: ")
    assert "Xuan" not in reply


def test_an_intermediary_files_a_dossier_for_a_villager_and_prints_its_slip(portal, browser, tmp_path):
    """The dossier side of the same role: the online submission's form at 360 px, with the notice read
    aloud and a witnessed tick; the slip with the private link's QR; the code by SMS to the villager."""

    from tests.support.dossiers import PROCEDURE
    from tests.support.files import PDF

    application, base, gateway = portal
    document = tmp_path / "to-khai.pdf"
    document.write_bytes(PDF)
    context = browser.new_context(base_url=base, viewport={"width": 360, "height": 800}, locale="vi-VN")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.goto("/login")
    tab.fill("input[name=email]", EMAIL)
    tab.fill("input[name=password]", PASSWORD)
    tab.locator("form button[type=submit]").last.click()
    tab.wait_for_url("**/intermediary")
    tab.click("text=Nộp hồ sơ giúp người dân")
    tab.select_option("select[name=procedure]", PROCEDURE)
    tab.locator("main form button[type=submit]").click()
    tab.wait_for_url(f"**/intermediary/dossiers/new/{PROCEDURE}")
    assert "Đọc to thông báo này" in tab.content()
    tab.fill("input[name=applicant_name]", "Quàng Thị Mai")
    tab.fill("input[name=id_number]", "014190000456")
    tab.fill("input[name=phone]", "0966 222 333")
    tab.fill("input[name=address]", "Bản Nà Cạn")
    tab.locator("input[type=file][name^=doc-]").first.set_input_files(str(document))
    tab.check("input[name=consent_method][value=witnessed]")
    tab.check("input[name=witnessed]")
    tab.screenshot(path=str(SCREENSHOTS / "intermediary-dossier-360.png"), full_page=True)
    tab.locator("main form button[type=submit]").last.click()
    tab.wait_for_url("**/intermediary/dossiers/*")
    code = tab.url.rsplit("/", 1)[1]
    assert "Quàng Thị Mai" in tab.content()
    tab.click("text=In phiếu")
    tab.wait_for_url(f"**/intermediary/dossiers/{code}/slip")
    assert tab.locator(".slip-code").inner_text() == code
    assert tab.locator("img.slip-qr").evaluate("img => img.complete && img.naturalWidth > 0")
    tab.screenshot(path=str(SCREENSHOTS / "intermediary-dossier-slip-360.png"), full_page=True)
    context.close()  # the session's Chromium stays for the next tests

    run_jobs_of(application)
    [text] = gateway.to("0966222333")
    assert code in text.content and len(text.content) <= 160


def test_a_dossier_for_a_villager_without_a_phone_has_its_slip_say_how_to_follow_it(
    portal, browser, tmp_path
):
    """No phone (many villagers have none): the form takes the dossier, the page says to print the slip
    now, and the slip sends the villager to its QR code (or the desk) instead of phone digits."""

    from tests.support.dossiers import PROCEDURE
    from tests.support.files import PDF

    application, base, gateway = portal
    document = tmp_path / "to-khai.pdf"
    document.write_bytes(PDF)
    context = browser.new_context(base_url=base, viewport={"width": 360, "height": 800}, locale="vi-VN")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.goto("/login")
    tab.fill("input[name=email]", EMAIL)
    tab.fill("input[name=password]", PASSWORD)
    tab.locator("form button[type=submit]").last.click()
    tab.wait_for_url("**/intermediary")
    tab.goto(f"/intermediary/dossiers/new/{PROCEDURE}")
    tab.fill("input[name=applicant_name]", "Lường Văn Pấng")
    tab.fill("input[name=id_number]", "014190000789")
    tab.fill("input[name=address]", "Bản Nà Cạn")
    tab.locator("input[type=file][name^=doc-]").first.set_input_files(str(document))
    tab.check("input[name=consent_method][value=witnessed]")
    tab.check("input[name=witnessed]")
    tab.locator("main form button[type=submit]").last.click()
    tab.wait_for_url("**/intermediary/dossiers/*")
    code = tab.url.rsplit("/", 1)[1]
    assert "Hãy in phiếu ngay" in tab.content()
    tab.screenshot(path=str(SCREENSHOTS / "intermediary-dossier-no-phone-360.png"), full_page=True)
    tab.click(f"a[href$='/dossiers/{code}/slip']")
    tab.wait_for_url(f"**/intermediary/dossiers/{code}/slip")
    assert tab.locator("img.slip-qr").evaluate("img => img.complete && img.naturalWidth > 0")
    assert "Không có số điện thoại" in tab.locator("main.slip").inner_text()
    tab.screenshot(path=str(SCREENSHOTS / "intermediary-dossier-no-phone-slip-360.png"), full_page=True)
    context.close()  # the session's Chromium stays for the next tests
    before = len(gateway.received)
    run_jobs_of(application)
    assert len(gateway.received) == before  # nobody to text: the villager has no phone, nor this intermediary
