"""The dashboard's Decision 766 table is readable on a phone (walk-through of 2026-12-08, regression): at 360 px
its indicator names wrapped one word to a line ("Thủ / tục / có / thu / phí / …"), squeezed by the rate,
threshold and points columns. On a phone each indicator is now its number and whole name over its rate and
points; from 48em it is the five-column table.

Checked in a real Chromium on the live server's demo data, signed in as the ward's leader: no sideways
scrolling of the page or of the table's box; at 360 px every indicator name at least two thirds of the table's
width and on at most three lines (the longest, 3.5b's, takes two), at 1280 px on one line. Screenshots:
tests/artifacts/screenshots/dashboard-<viewport>-<lang>.png."""

from __future__ import annotations

import pytest

from tests.browser.test_urgent_queue import sign_in

pytestmark = pytest.mark.browser

LEADER = "lanhdao@demo.sonla.vn"  # Phường Tô Hiệu, where the demo dossiers are

# Per indicator row (not the group totals): its id, its name's share of the table's width, and the number of
# lines its name takes (the distinct tops of the text's line boxes).
NAMES = """() => {
    const table = document.querySelector('main table.indicators');
    const width = table.getBoundingClientRect().width;
    return [...table.querySelectorAll('tbody tr:not(.group-total)')].map(row => {
        const name = row.children[1];
        const range = document.createRange();
        range.selectNodeContents(name);
        const tops = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
        return [row.children[0].innerText.trim(), name.getBoundingClientRect().width / width, tops.size];
    });
}"""


@pytest.mark.parametrize(
    ("viewport", "lang", "least_share", "most_lines"),
    [("360x800", "vi", 2 / 3, 3), ("360x800", "en", 2 / 3, 3), ("1280x800", "vi", 0, 1)],
)
def test_the_indicator_names_are_readable(page, check_page, viewport, lang, least_share, most_lines):
    leader = page(viewport, lang)
    sign_in(leader, LEADER)
    leader.goto("/staff/dashboard")
    # Among others: no sideways scrolling of the page.
    check_page(leader, f"dashboard-{viewport}-{lang}", lang)
    box = leader.locator("main .table-scroll")
    assert box.evaluate("box => box.scrollWidth <= box.clientWidth"), "the indicator table scrolls sideways"
    rows = leader.evaluate(NAMES)
    assert len(rows) >= 10
    cramped = [
        (key, round(share, 2), lines)
        for key, share, lines in rows
        if share < least_share or lines > most_lines
    ]
    assert cramped == [], f"{viewport} {lang}: names squeezed (id, share of the width, lines): {cramped}"
    for key in ("2.1", "3.3"):  # each row still shows its rate and points
        assert leader.locator(f"main table.indicators [data-key='{key}']").is_visible()
        assert leader.locator(f"main table.indicators [data-key='{key}-points']").is_visible()
