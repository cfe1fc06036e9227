"""Issue 16 items 2, 3 and 8 in a real Chromium at 360x800 and 1366x768: a report in every urgent category
(the demo data's, all from Phường Tô Hiệu) lands in the ward's queue, at the top, with its "Khẩn" mark; a
citizen's landslide report sent through the form joins them; the ward's processor signs in and lands on the
queue with no address typed by hand. Screenshots: tests/artifacts/screenshots/urgent-<viewport>-<step>.png."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from portal.feedback.demo import ITEMS

pytestmark = pytest.mark.browser

PROCESSOR = "xuly@demo.sonla.vn"  # Phường Tô Hiệu's demo processor
URGENT_SLUGS = {"sat-lo", "lu-quet", "chay-rung", "thien-tai"}
DEMO_URGENT = {title for slug, title, *_rest in ITEMS if slug in URGENT_SLUGS}
LANDSLIDE = "Sạt lở đất, đá"
WARD = "Phường Tô Hiệu"


def click_and_wait(tab, selector: str) -> None:
    with tab.expect_navigation():
        tab.locator(selector).click()


def sign_in(tab, email: str) -> None:
    from portal.demo import DEMO_PASSWORD

    tab.goto("/")
    click_and_wait(tab, "nav.main-nav a[href='/login']")
    tab.locator("main #email").fill(email)
    tab.locator("main #password").fill(DEMO_PASSWORD)
    click_and_wait(tab, "main form button[type=submit]")


def queue_rows(tab) -> list[tuple[bool, str]]:
    """(marked urgent, title) of each row of the work queue, in order."""
    rows = []
    for row in tab.locator("main ul.report-list > li").all():
        marked = row.locator("strong.urgent").count() == 1
        rows.append((marked, row.locator(".q-name").inner_text().strip()))
    return rows


def assert_urgent_first(tab, titles: set[str]) -> None:
    rows = queue_rows(tab)
    marked = [title for is_urgent, title in rows if is_urgent]
    assert titles <= set(marked), (titles, rows)
    assert [is_urgent for is_urgent, _title in rows[: len(marked)]] == [True] * len(marked), rows  # a prefix
    first = tab.locator("main ul.report-list > li").first
    assert first.locator("strong.urgent").inner_text().strip() == "Khẩn"
    assert first.locator("strong.urgent").is_visible()


def test_a_citizens_landslide_report_reaches_the_ward_at_the_top_of_its_queue(page, check_page):
    citizen = page("360x800", "vi")
    citizen.goto("/feedback/new")
    form = citizen.locator("main form[enctype='multipart/form-data']")
    form.locator("label.category-choice", has_text=LANDSLIDE).locator("input").check()
    title = "Sạt lở taluy âm sau nhà văn hoá tổ 9"
    form.locator("#title").fill(title)
    form.locator("#description").fill("Taluy âm sạt xuống sau mưa, nứt dài gần nhà văn hoá tổ 9.")
    form.locator("#commune").select_option(label=WARD)
    form.locator("#address").fill("Tổ 9, Phường Tô Hiệu")
    form.locator("#contact_name").fill("Lò Văn Khẩn")
    form.locator("#phone").fill("0912 000 916")
    form.locator("#consent").check()
    with citizen.expect_navigation():
        form.locator("button[type=submit]").click()
    assert urlsplit(citizen.url).path == "/feedback/receipt", citizen.url
    assert "UBND Phường Tô Hiệu" in citizen.locator("main").inner_text()  # routed to the ward

    officer = page("360x800", "vi")
    sign_in(officer, PROCESSOR)
    assert urlsplit(officer.url).path == "/staff/queue", officer.url  # signed in, on the queue
    assert_urgent_first(officer, DEMO_URGENT | {title})
    check_page(officer, "urgent-360x800-citizen-report", "vi")


@pytest.mark.parametrize("viewport", ["360x800", "1366x768"])
def test_a_demo_report_in_every_urgent_category_tops_the_wards_queue_with_its_mark(
    page, check_page, viewport
):
    officer = page(viewport, "vi")
    sign_in(officer, PROCESSOR)
    assert urlsplit(officer.url).path == "/staff/queue", officer.url
    assert_urgent_first(officer, DEMO_URGENT)
    check_page(officer, f"urgent-{viewport}-queue", "vi")
    # The item page repeats the mark; the feedback list sorts urgent first too.
    click_and_wait(officer, "main ul.report-list > li:first-child a")
    assert officer.locator("main strong.urgent").first.is_visible()
    check_page(officer, f"urgent-{viewport}-item", "vi")
    click_and_wait(officer, "nav.main-nav a[href='/staff/feedback']")
    first = officer.locator("main ul.report-list > li").first
    assert first.locator("strong.urgent").is_visible()
    check_page(officer, f"urgent-{viewport}-feedback-list", "vi")
