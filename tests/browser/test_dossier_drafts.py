"""The online dossier form in Chromium at 360 px without JavaScript: an invalid phone sends the form back with
the documents already received listed under their documents (nothing to choose again), the phone as typed; a
kept document is removed with its button; Enter in a field sends the form (never a "remove"); the sent
dossier's page labels each file with the required document it answers."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import screenshot
from tests.support.files import PDF, jpeg_bytes

pytestmark = pytest.mark.browser

PROCEDURE = "1.004194"  # Đăng ký tạm trú: its first required document is the declaration (CT01)
DECLARATION = "Tờ khai thay đổi thông tin cư trú (CT01)"
RECEIPT_PATH = re.compile(r"^/dossiers/([^/]+)/receipt$")


def fill(tab, phone: str) -> None:
    form = tab.locator("main form[enctype='multipart/form-data']")
    form.locator("#applicant_name").fill("Lò Thị Xuân")
    form.locator("#id_number").fill("014190000123")
    form.locator("#phone").fill(phone)
    form.locator("#address").fill("Tổ 3, đường Tô Hiệu")
    form.locator("#commune").select_option(value="03646")
    form.locator("#consent").check()


def test_a_form_error_keeps_the_documents_without_javascript(page, tmp_path):
    declaration, contract, extra = (
        tmp_path / "to-khai-ct01.pdf",
        tmp_path / "hop-dong.jpg",
        tmp_path / "them.jpg",
    )
    declaration.write_bytes(PDF)
    contract.write_bytes(jpeg_bytes(color=(20, 160, 20)))
    extra.write_bytes(jpeg_bytes(color=(160, 20, 160)))
    tab = page("360x800", "vi", javascript=False)
    tab.goto(f"/dossiers/apply/{PROCEDURE}")
    fill(tab, "0912 34")  # one digit short
    tab.locator("main input[type=file]:not(#doc-other)").first.set_input_files(str(declaration))
    tab.locator("#doc-other").set_input_files([str(contract), str(extra)])
    with tab.expect_navigation():
        tab.locator("main form button[type=submit]:not([name])").click()
    kept = tab.locator("ul.kept-files li")
    assert kept.count() == 3
    assert tab.locator("#phone").input_value() == "0912 34"
    assert tab.locator("#phone-error").is_visible()
    first_field = tab.locator("main .field").filter(has=tab.locator("input[type=file]:not(#doc-other)")).first
    assert "to-khai-ct01.pdf" in first_field.inner_text()
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(tab, "dossier-drafts-kept-nojs")
    with tab.expect_navigation():
        tab.locator("ul.kept-files li", has_text="them.jpg").locator("button[name=remove_file]").click()
    assert tab.locator("ul.kept-files li").count() == 2 and "them.jpg" not in tab.locator("main").inner_text()
    tab.locator("#phone").fill("0912 345 678")
    with tab.expect_navigation():
        tab.locator("#phone").press("Enter")  # the form's first submit button sends it
    receipt = RECEIPT_PATH.match(urlsplit(tab.url).path)
    assert receipt, tab.locator("main").inner_text()[:1500]
    tab.goto(f"/dossiers/{receipt[1]}")
    files = tab.locator("ul.dossier-files li")
    assert files.count() == 2
    listed = tab.locator("ul.dossier-files").inner_text()
    assert f"Thành phần hồ sơ: {DECLARATION}" in " ".join(listed.split())
    assert "Giấy tờ khác" in listed and "hop-dong.jpg" in listed
    screenshot(tab, "dossier-drafts-status-nojs")
