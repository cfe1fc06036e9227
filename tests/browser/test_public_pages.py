"""Home, catalogue search and a procedure page in a real Chromium, at 360x800 and 1280x800, in vi and en."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

VIEWPORTS = ["360x800", "1280x800"]
LANGUAGES = ["vi", "en"]
OTHER = {"vi": ("en", "English"), "en": ("vi", "Tiếng Việt")}
FREE = {"vi": "Miễn phí", "en": "Free"}
BIRTH_REGISTRATION = "/procedures/1.001193"
NONSENSE = "xqzv wkkj"

matrix = pytest.mark.parametrize("lang", LANGUAGES)
sizes = pytest.mark.parametrize("viewport", VIEWPORTS)


def search(page, query: str) -> None:
    """Type into the catalogue's search box and press Enter: a plain GET form submit."""
    box = page.locator("#q")
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")


@matrix
@sizes
def test_home_page(page, check_page, viewport, lang):
    tab = page(viewport, lang)
    tab.goto("/")
    check_page(tab, f"home-{lang}-{viewport}", lang)
    assert tab.locator("#home-q").is_visible()
    assert tab.locator("main h1").is_visible()

    other, name = OTHER[lang]
    tab.locator("nav.lang").get_by_role("link", name=name).click()
    tab.wait_for_url(re.compile(rf"[?&]lang={other}\b"))
    assert tab.evaluate("document.documentElement.lang") == other
    # The choice is remembered: the next page, linked without ?lang=, keeps the language.
    with tab.expect_navigation():
        tab.locator("nav.main-nav a[href='/procedures']").click()
    assert "lang=" not in tab.url
    check_page(tab, f"catalogue-after-switch-{other}-{viewport}", other)


@matrix
@sizes
def test_home_search_box_leads_to_the_catalogue(page, check_page, viewport, lang):
    tab = page(viewport, lang)
    tab.goto("/")
    tab.locator("#home-q").fill("khai sinh")
    with tab.expect_navigation():
        tab.locator("form.search button[type=submit]").click()
    assert re.search(r"/procedures\?q=khai\+sinh", tab.url), tab.url
    assert tab.locator(f".procedure-list a[href='{BIRTH_REGISTRATION}']").count() == 1
    check_page(tab, f"home-search-{lang}-{viewport}", lang)


@matrix
@sizes
def test_catalogue_search(page, check_page, viewport, lang):
    tab = page(viewport, lang)
    tab.goto("/procedures")
    check_page(tab, f"catalogue-{lang}-{viewport}", lang)

    search(tab, "giay phep xay dung")
    assert "q=giay+phep+xay+dung" in tab.url
    results = tab.locator(".procedure-list li a")
    assert results.count() >= 1
    assert tab.locator(".procedure-list a", has_text="Cấp giấy phép xây dựng").count() >= 1
    assert tab.locator("#q").input_value() == "giay phep xay dung"  # the query stays in the box
    assert tab.locator(".empty").count() == 0
    check_page(tab, f"catalogue-search-{lang}-{viewport}", lang)

    search(tab, NONSENSE)
    empty = tab.locator(".empty")
    assert empty.is_visible()
    assert empty.locator("a[href='/procedures']").is_visible()  # a way out of the empty state
    assert tab.locator(".procedure-list").count() == 0
    check_page(tab, f"catalogue-empty-{lang}-{viewport}", lang)


@matrix
@sizes
def test_procedure_page(page, check_page, viewport, lang):
    tab = page(viewport, lang)
    tab.goto("/procedures")
    search(tab, "khai sinh")
    with tab.expect_navigation():
        tab.locator(f".procedure-list a[href='{BIRTH_REGISTRATION}']").click()
    assert tab.url.endswith(BIRTH_REGISTRATION)

    heading = tab.locator("main h1")
    assert heading.is_visible()
    assert "Đăng ký khai sinh" in heading.inner_text()
    assert tab.locator("ol.documents li").count() >= 2
    assert tab.locator(".due-box").is_visible()
    assert tab.locator(".due-box .due-date").inner_text().strip()
    assert FREE[lang] in tab.locator("dl.facts").inner_text()
    if lang == "en":
        assert tab.locator("p.gloss", has_text="Birth registration").is_visible()
    check_page(tab, f"procedure-{lang}-{viewport}", lang)


@matrix
@sizes
def test_search_works_without_javascript(page, check_page, viewport, lang):
    tab = page(viewport, lang, javascript=False)
    tab.goto("/")
    tab.locator("#home-q").fill("giay phep xay dung")
    with tab.expect_navigation():
        tab.locator("#home-q").press("Enter")
    assert tab.locator(".procedure-list a", has_text="Cấp giấy phép xây dựng").count() >= 1
    # The filters sit in a <details>: it opens without script.
    tab.locator("details.more-filters summary").click()
    assert tab.locator("#level").is_visible()
    tab.locator("#level").select_option("commune")
    with tab.expect_navigation():
        tab.locator("details.more-filters button[type=submit]").click()
    assert "level=commune" in tab.url
    check_page(tab, f"catalogue-nojs-{lang}-{viewport}", lang)


def test_vietnamese_is_the_default_whatever_the_browser_says(page, check_page):
    tab = page("360x800", lang=None, browser_locale="en-US")
    tab.goto("/")
    check_page(tab, "home-default-language-360x800", "vi")
