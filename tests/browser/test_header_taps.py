"""The site header's links are 44 px tall to tap on a phone (walk-through of the demo, regression).

At 360 px the header's links (the portal's name, the language switch, the main menu, "Sign out") were 22-32
px tall, too small to tap, where the staff queue's controls already were 44 px (WCAG 2.5.5; CHANGELOG "44 px
tall to tap"). Checked in a real Chromium on the live server's demo data, for a citizen who has not signed in
and for a signed-in officer (the ward's processor: the longest menu a phone user of the demo has but the
administrator's, also checked). At 1280 px the header keeps its compact lines (one line of menu for a visitor)
and nothing scrolls sideways. Screenshots: tests/artifacts/screenshots/header-<who>-<viewport>.png.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_urgent_queue import PROCESSOR, sign_in

pytestmark = pytest.mark.browser

ADMIN = "admin@demo.sonla.vn"
# Every link and button of the header that shows: (text, px tall). The current language is a <span>, not a
# link: nothing to tap there.
TARGETS = """() => [...document.querySelectorAll('header.site-header :is(a, button)')]
    .filter(el => el.checkVisibility())
    .map(el => [el.innerText.trim(), el.getBoundingClientRect().height])"""
MENU_TOPS = """() => [...document.querySelectorAll('header.site-header nav.main-nav a')]
    .map(el => Math.round(el.getBoundingClientRect().top))"""


def header_targets(tab) -> list[tuple[str, float]]:
    return [(text, height) for text, height in tab.evaluate(TARGETS)]


@pytest.mark.parametrize("who", ["citizen", "processor", "admin"])
def test_every_header_link_is_44_px_tall_on_a_phone(page, who):
    tab = page("360x800", "vi")
    if who == "citizen":
        tab.goto("/procedures")
    else:
        sign_in(tab, PROCESSOR if who == "processor" else ADMIN)
        tab.goto("/procedures")
        assert tab.locator("header nav.main-nav a[href='/staff/queue']").count() == 1  # the staff menu
        assert tab.locator("header nav.main-nav button[type=submit]").count() == 1  # "Đăng xuất"
    screenshot(tab, f"header-{who}-360x800")
    targets = header_targets(tab)
    # The portal's name, "English", the public menu and "Đăng nhập" or the staff menu and "Đăng xuất".
    assert len(targets) >= (8 if who == "citizen" else 12), targets
    small = [(text, height) for text, height in targets if height < 44 - 0.5]
    assert small == [], f"{who}: header links too small to tap at 360 px (text, px tall)"
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360
    assert not tab.problems, tab.problems


@pytest.mark.parametrize("who", ["citizen", "processor"])
def test_the_header_keeps_its_compact_lines_on_a_desktop(page, who):
    tab = page("1280x800", "vi")
    if who != "citizen":
        sign_in(tab, PROCESSOR)
    tab.goto("/procedures")
    screenshot(tab, f"header-{who}-1280x800")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 1280
    if who == "citizen":
        assert len(set(tab.evaluate(MENU_TOPS))) == 1, "the visitor's menu is one line at 1280 px"
    # As before: the brand's row and a menu of one (visitor) or two lines (officer) of text, not 44 px ones.
    height = tab.evaluate("document.querySelector('header.site-header').getBoundingClientRect().height")
    assert height <= (80 if who == "citizen" else 108) + 2, height
    assert not tab.problems, tab.problems
