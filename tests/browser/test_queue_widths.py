"""The staff queue fits its screen (walk-through of 2026-12-08, regression): at 1280x800 the queue's table
was 1304 px wide, so the page scrolled sideways, and its cells cut the Decision 766 hints and the due dates
to "Hạn …", "Còn …", "(đến hạn hôm …". Its columns added up to more than a 1280 px screen (fixed widths in
rem); they now share the width they have and their text wraps.

Checked in a real Chromium on the live server's demo data, signed in as the ward's processor (the demo's
dossiers and reports, urgent ones and one dossier in each status): no horizontal scrolling at 1024, 1280,
1366 and 360 px (the cards), and at 1024 and 1280 px no status or due-date cell that hides part of its text
(from 1366 px the table keeps one line a row, what does not fit ending in an ellipsis: test_desk_day.py). Screenshots:
tests/artifacts/screenshots/queue-width-<viewport>-<lang>.png."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_urgent_queue import PROCESSOR, sign_in

pytestmark = pytest.mark.browser

# Each status and due-date cell of the table whose text is wider than the cell shows (cut or hidden).
CLIPPED = """() => [...document.querySelectorAll('main ul.queue-rows > li')].flatMap(row =>
    [...row.querySelectorAll('.q-status, .q-due, .q-status .score-effects')]
        .filter(cell => cell.scrollWidth > cell.clientWidth + 1)
        .map(cell => cell.innerText.trim()))"""


@pytest.mark.parametrize(
    ("viewport", "lang"),
    [("1024x768", "vi"), ("1280x800", "vi"), ("1280x800", "en"), ("360x800", "vi"), ("1366x768", "vi")],
)
def test_the_queue_fits_the_screen_without_sideways_scrolling(page, viewport, lang):
    officer = page(viewport, lang)
    sign_in(officer, PROCESSOR)
    officer.goto("/staff/queue")
    rows = officer.locator("main ul.queue-rows > li")
    assert rows.count() >= 10  # demo-like: dossiers and reports, some urgent, some with hints
    assert officer.locator("main ul.queue-rows p.score-effects").count() >= 1
    screenshot(officer, f"queue-width-{viewport}-{lang}")
    width = officer.evaluate("document.documentElement.scrollWidth")
    inner = officer.evaluate("window.innerWidth")
    assert width <= inner, f"{viewport} {lang}: the queue is {width} px wide in a {inner} px window"
    if not viewport.startswith("360"):
        assert officer.locator("main .queue-head").is_visible()  # the table layout, not the cards
    if viewport.startswith(("1024", "1280")):  # from 1366 px one line a row, ellipsis (test_desk_day.py)
        assert officer.evaluate(CLIPPED) == [], f"{viewport} {lang}: cells cut short"
    assert not officer.problems, officer.problems
