"""The staff queue fits its screen (walk-through of 2026-12-08, regression): at 1280x800 the queue's table
was 1304 px wide, so the page scrolled sideways, and its cells cut the Decision 766 hints and the due dates
to "Hạn …", "Còn …", "(đến hạn hôm …". Its columns added up to more than a 1280 px screen (fixed widths in
rem); they now share the width they have and their text wraps.

Checked in a real Chromium on the live server's demo data, signed in as the ward's processor (the demo's
dossiers and reports, urgent ones and one dossier in each status): no horizontal scrolling at 1024, 1280,
1366 and 360 px (the cards), and at 1024 and 1280 px no status or due-date cell that hides part of its text
(from 1366 px the table keeps one line a row, what does not fit ending in an ellipsis: test_desk_day.py). Screenshots:
tests/artifacts/screenshots/queue-width-<viewport>-<lang>.png.

Walk-through of 2026-12-08 (regressions): in the table layouts every cell lines up with its heading and no
control (link, button, "⋯") runs past its cell or the table's right edge (an urgent row's cells were .25rem
wider than their headings: the rule meant for the "Khẩn" mark also padded the row); at 360 px every link and
button of the page is at least 44 px tall to tap (the quick filters were 23 px); from 1366 px a Decision 766
hint cut short opens whole, with its fix, by a tap on its "⋯" (a <details>, no JavaScript), and closes again.
Screenshots: queue-hint-open-1366x768-vi.png, queue-taps-360x800-vi.png."""

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


# In the table layouts: each cell whose left or right edge is not its heading's, and each visible control that
# runs past its cell or the table's right edge (a row's text, so the failure names what is wrong).
OUT_OF_LINE = """() => {
    const table = document.querySelector('main ul.queue-rows').getBoundingClientRect();
    const heads = [...document.querySelectorAll('main .queue-head > span')].map(h => h.getBoundingClientRect());
    const wrong = [];
    for (const row of document.querySelectorAll('main ul.queue-rows > li')) {
        const code = row.querySelector('.q-code').innerText.trim();
        [...row.children].forEach((cell, i) => {
            const box = cell.getBoundingClientRect();
            if (Math.abs(box.left - heads[i].left) > 1 || Math.abs(box.right - heads[i].right) > 1) {
                const head = heads[i];
                wrong.push(`${code} column ${i + 1}: ${box.left}-${box.right}, heading ${head.left}-${head.right}`);
            }
            for (const control of cell.querySelectorAll('a, button, summary')) {
                const edge = control.getBoundingClientRect();
                if (edge.width === 0) continue;
                if (edge.right > Math.min(box.right, table.right) + 0.5 || edge.left < box.left - 0.5) {
                    const what = `${code} "${control.innerText.trim()}": ${edge.left}-${edge.right}`;
                    wrong.push(`${what}, cell ${box.left}-${box.right}, table ends ${table.right}`);
                }
            }
        });
    }
    return wrong;
}"""
# Every link, button, summary and field of the page that shows, less than 44 px tall: (what, height).
SMALL_TARGETS = """() => [...document.querySelectorAll('main :is(a, button, summary, input, select, textarea)')]
    .filter(el => el.checkVisibility())
    .map(el => [(el.innerText || el.name || el.id).trim().slice(0, 40), el.getBoundingClientRect().height])
    .filter(([what, height]) => height < 44 - 0.5)"""
# The rows whose Decision 766 hint is cut short: the hint, or the status cell holding it, is wider than it shows.
CUT_HINTS = """() => [...document.querySelectorAll('main ul.queue-rows > li')].flatMap((row, i) => {
    const hint = row.querySelector('p.score-effects');
    if (!hint) return [];
    const cut = box => box.scrollWidth > box.clientWidth + 1;
    return cut(hint) || cut(row.querySelector('.q-status')) ? [i] : [];
})"""


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
    if not viewport.startswith("360"):
        assert officer.evaluate(OUT_OF_LINE) == [], f"{viewport} {lang}: out of its column or past the table"
    assert not officer.problems, officer.problems


def test_every_control_is_44_px_tall_on_a_phone(page):
    officer = page("360x800", "vi")
    sign_in(officer, PROCESSOR)
    officer.goto("/staff/queue")
    assert officer.locator("main nav.quick-filters a").count() >= 7
    assert officer.locator("main ul.queue-rows button[name=release]").count() >= 1  # a link-like button
    screenshot(officer, "queue-taps-360x800-vi")
    assert officer.evaluate(SMALL_TARGETS) == [], "too small to tap (what, px tall)"
    assert not officer.problems, officer.problems


def test_a_hint_cut_short_opens_whole_with_a_tap(page):
    officer = page("1366x768", "vi", touch=True)
    sign_in(officer, PROCESSOR)
    officer.goto("/staff/queue")
    rows = officer.locator("main ul.queue-rows > li")
    cut = officer.evaluate(CUT_HINTS)
    assert len(cut) >= 2, "the demo data has hints longer than their cell at 1366 px"
    heights = {index: rows.nth(index).bounding_box()["height"] for index in cut}
    for index in cut:
        row = rows.nth(index)
        hint, toggle = row.locator("p.score-effects"), row.locator(".hint-more summary")
        assert toggle.count() == 1 and toggle.is_visible(), f"row {index + 1}: nothing opens its hint"
        assert toggle.inner_text().split() == ["⋯", "Xem", "thêm"]  # "Xem thêm" for a screen reader
        toggle.tap()
        assert hint.evaluate("p => p.scrollWidth <= p.clientWidth + 1"), f"row {index + 1}: still cut"
        cell = row.locator(".q-status")
        assert cell.evaluate("c => c.scrollHeight <= c.clientHeight + 1"), f"row {index + 1}: cell clips it"
        assert hint.locator(".fix").first.is_visible()  # the fix comes with it, as on the item page
        assert toggle.inner_text().strip() == "Thu gọn"
    screenshot(officer, "queue-hint-open-1366x768-vi")
    for index in cut:
        rows.nth(index).locator(".hint-more summary").tap()
        assert rows.nth(index).bounding_box()["height"] == heights[index]  # one line again
    # The keyboard opens it too.
    first = rows.nth(cut[0]).locator(".hint-more summary")
    first.focus()
    officer.keyboard.press("Enter")
    assert rows.nth(cut[0]).locator("p.score-effects").evaluate("p => p.scrollWidth <= p.clientWidth + 1")
    assert not officer.problems, officer.problems
