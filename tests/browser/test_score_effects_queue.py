"""Issue 14 item 2 in a real Chromium at 360x800: the ward's processor sees each row's Decision 766 effect with
its fix, in Vietnamese, and the quick filter "Sẽ mất điểm trong tuần này (N)" lists exactly N rows, each with an
effect that costs points. Screenshots: tests/artifacts/screenshots/score-effects-<step>.png."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_urgent_queue import PROCESSOR, click_and_wait, sign_in

pytestmark = pytest.mark.browser


def test_the_queue_shows_each_rows_effect_and_filters_what_costs_points(page, check_page):
    officer = page("360x800", "vi")
    sign_in(officer, PROCESSOR)
    hints = officer.locator("main ul.report-list > li p.score-effects")
    assert hints.count() >= 1
    first = hints.first
    assert first.is_visible() and first.locator(".fix").first.inner_text().startswith("→ ")
    check_page(officer, "score-effects-queue", "vi")
    link = officer.locator("main nav.quick-filters a[data-filter='costly']")
    text = link.inner_text()
    assert text.startswith("Sẽ mất điểm trong tuần này"), text
    count = int(re.search(r"\((\d+)\)", text)[1])
    assert count >= 1
    click_and_wait(officer, "main nav.quick-filters a[data-filter='costly']")
    rows = officer.locator("main ul.report-list > li")
    assert rows.count() == min(count, 25)
    for row in rows.all():
        assert row.locator("p.score-effects .effect.costs").count() >= 1
    check_page(officer, "score-effects-filtered", "vi")
