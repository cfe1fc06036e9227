"""Issue 10's browser path: at 360 px in Vietnamese, a citizen who reported a problem opens "my data" from
the receipt, exports it (one ZIP), and erases their personal data. Screenshots go to
tests/artifacts/screenshots/privacy-vi-<step>.png; every page passes `check_page`."""

from __future__ import annotations

import zipfile
from urllib.parse import urlsplit

import pytest

from tests.browser.test_feedback_journey import click_and_wait, photo, receipt_code, report_a_problem  # noqa: F401

pytestmark = pytest.mark.browser
NAME = "Lò Văn Pọm"


def test_my_data_export_and_erase_at_360_px_in_vietnamese(page, check_page, photo, tmp_path):  # noqa: F811
    tab = page(viewport="360x800", lang="vi")
    report_a_problem(tab, "vi", "Cống bị tắc ở bản Phiêng", photo)
    code = receipt_code(tab)
    click_and_wait(tab, "main a[href^='/my-data/t/']")
    assert urlsplit(tab.url).path == "/my-data"
    check_page(tab, "privacy-vi-my-data", "vi")
    assert tab.locator("h1").inner_text() == "Dữ liệu của tôi"
    main = tab.locator("main").inner_text()
    assert NAME in main and code in main and "0912 345 678" in main

    click_and_wait(tab, "form[action='/my-data/export'] button")
    check_page(tab, "privacy-vi-exported", "vi")
    with tab.expect_download() as download:
        tab.locator("a[href^='/my-data/export/']").click()
    saved = tmp_path / "my-data.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
        assert "feedback.json" in names and "index.txt" in names
        assert f"files/feedback/{code}-1.jpg" in names
        assert NAME in archive.read("feedback.json").decode()
        assert "Dữ liệu của bạn" in archive.read("index.txt").decode()

    click_and_wait(tab, "main a[href='/my-data/erase']")
    check_page(tab, "privacy-vi-erase", "vi")
    tab.locator("#confirm").check()
    click_and_wait(tab, "main form button[type=submit]")
    check_page(tab, "privacy-vi-erased", "vi")
    assert "Đã xóa dữ liệu cá nhân" in tab.locator("main").inner_text()
    # The report stays, without the reporter: their data page is closed.
    tab.goto("/my-data")
    assert "/login" in tab.url
