"""A procedure's blank form (tờ khai, issue 18 item 8) downloaded from its page at 360 px, without
JavaScript: the demo data's sample on birth registration."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

BIRTH_REGISTRATION = "/procedures/1.001193"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_blank_form_downloads_without_javascript(page, check_page, lang):
    tab = page("360x800", lang, javascript=False)
    tab.goto(BIRTH_REGISTRATION)
    section = tab.locator("#blank-forms")
    section.scroll_into_view_if_needed()
    check_page(tab, f"procedure-blank-forms-{lang}-360x800", lang)
    link = section.locator("a[download]")
    assert link.count() == 1
    assert "PDF" in section.inner_text() and "kB" in section.inner_text()
    with tab.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    assert "khai" in download.suggested_filename
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
