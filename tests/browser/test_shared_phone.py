"""Shared-phone mode in Chromium at 360 px (issue 13 item 4): a villager reports on a borrowed phone with
"this is a shared phone" ticked, follows the report, then taps "Sign out and clear this phone". Back and
reload then show nothing personal: neither the code, the phone number nor the name. Screenshots go to
tests/artifacts/screenshots/shared-phone-<step>.png."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_feedback_journey import photo, receipt_code  # noqa: F401

pytestmark = pytest.mark.browser
NAME, PHONE = "Lường Thị Hoa", "0987 654 321"
PERSONAL = (NAME, PHONE, "0987654321", "654 321")


def _nothing_personal(tab, code: str) -> None:
    """No name or phone anywhere in the page, and the code not in its text (the page's own address, in
    the language links, carries it: the code alone opens nothing without the phone's digits)."""
    html, text = tab.content(), tab.inner_text("body")
    assert code not in text, tab.url
    for value in PERSONAL:
        assert value not in html, (value, tab.url)


def test_clearing_sign_out_leaves_nothing_for_back_and_reload(page, photo):  # noqa: F811
    tab = page()
    tab.goto("/feedback/new")
    form = tab.locator("main form[enctype='multipart/form-data']")
    form.locator("label.category-choice", has_text="Cấp, thoát nước").locator("input").check()
    form.locator("#title").fill("Vỡ ống nước đầu bản")
    form.locator("#description").fill("Ống nước sinh hoạt vỡ từ hôm qua, cả bản không có nước dùng.")
    form.locator("#commune").select_option(index=1)
    form.locator("#contact_name").fill(NAME)
    form.locator("#phone").fill(PHONE)
    assert form.locator("#phone").get_attribute("autocomplete") == "off"
    form.locator("#shared_phone").check()
    form.locator("#consent").check()
    tab.screenshot(path=str(SCREENSHOTS / "shared-phone-form.png"), full_page=True)
    with tab.expect_navigation():
        form.locator("button[type=submit]").click()
    code = receipt_code(tab)
    with tab.expect_navigation():
        tab.locator("main a.button", has_text="Theo dõi").click()
    assert urlsplit(tab.url).path == f"/feedback/{code}/status"
    assert code in tab.content()
    tab.screenshot(path=str(SCREENSHOTS / "shared-phone-status.png"), full_page=True)
    with tab.expect_navigation():
        tab.locator("form.shared-phone button").click()
    assert urlsplit(tab.url).path == "/clear"
    tab.screenshot(path=str(SCREENSHOTS / "shared-phone-cleared.png"), full_page=True)
    assert tab.context.cookies() == []  # Clear-Site-Data "cookies": even the language cookie is gone
    tab.go_back()  # the status page: not kept (no-store), asked again without the session
    assert urlsplit(tab.url).path == f"/feedback/{code}/status"
    _nothing_personal(tab, code)
    tab.reload()
    _nothing_personal(tab, code)
    tab.go_back()  # the receipt
    assert urlsplit(tab.url).path == "/feedback/receipt"
    _nothing_personal(tab, code)
    tab.reload()
    _nothing_personal(tab, code)
    tab.screenshot(path=str(SCREENSHOTS / "shared-phone-back.png"), full_page=True)
