"""Issue 16's "Done when" at 1366x768 in Chromium, every step by a link or a button (no address typed after
the home page; a code typed into the queue's search box is what the desk's scanner does):

1. The receptionist takes in a walk-in dossier for a procedure with no catalogue fee (a construction permit
   for a detached house, which a leader approves), ticks the documents handed in, records the paper
   consent, and prints form 01, which lists exactly those documents.
2. The processor finds it in the queue's search box, starts it and requests the fee, typing the amount and
   its legal basis.
3. The citizen pays at the counter: the receptionist opens the payment from the dossier and confirms cash.
4. The processor proposes the result; the leader finds it under "awaiting my approval" and approves it.
5. The receptionist returns the result.

The dense queue is screenshotted at 1366x768 (the table) and at 360 px (the cards):
tests/artifacts/screenshots/desk-*.png.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

DESKTOP, PHONE = "1366x768", "360x800"
PROCEDURE_NAME = "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"  # no fee in the catalogue; approval
RECEPTIONIST, PROCESSOR, LEADER = "tiepnhan@demo.sonla.vn", "xuly@demo.sonla.vn", "lanhdao@demo.sonla.vn"
APPLICANT = {
    "applicant_name": "Cầm Văn Khánh",
    "id_number": "014090001234",
    "phone": "0987 654 321",
    "address": "Bản Hẹo, tổ 5",
}
CODE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.H52-\d{6}-\d{4}")
FEE, BASIS = "1.250.000", "Nghị quyết số 12/2026/NQ-HĐND tỉnh Sơn La"


def path_of(tab) -> str:
    return urlsplit(tab.url).path


def click_and_wait(tab, selector: str) -> None:
    with tab.expect_navigation():
        tab.locator(selector).first.click()


def sign_in(page, email: str, viewport: str = DESKTOP):
    from portal.demo import DEMO_PASSWORD

    tab = page(viewport, "vi")
    tab.goto("/")
    click_and_wait(tab, "nav.main-nav a[href='/login']")
    tab.locator("main #email").fill(email)
    tab.locator("main #password").fill(DEMO_PASSWORD)
    click_and_wait(tab, "main form button[type=submit]")
    assert path_of(tab) == "/staff/queue", f"sign-in as {email} failed: {tab.url}"
    return tab


def open_by_scan(tab, code: str) -> None:
    """Type the code into the queue's search box (it has the focus) and press Enter, as a scanner does."""
    if path_of(tab) != "/staff/queue":
        click_and_wait(tab, "nav.main-nav a[href='/staff/queue']")
    assert tab.evaluate("document.activeElement && document.activeElement.id") == "q"
    tab.keyboard.type(code)
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert path_of(tab) == f"/staff/dossiers/{code}", tab.url


def act(tab, code: str, action: str, fill: dict[str, str] | None = None) -> None:
    form = tab.locator(f"form.action-form[action='/staff/dossiers/{code}/{action}']")
    assert form.count() == 1, f"no {action!r} action on {tab.url}: {tab.locator('main').inner_text()[:800]}"
    for name, value in (fill or {}).items():
        form.locator(f"[name={name}]").fill(value)
    with tab.expect_navigation():
        form.locator("button[type=submit]").click()
    assert tab.locator(".flash-success").is_visible(), tab.locator("main").inner_text()[:1000]


def status_is(tab, status: int) -> None:
    badge = tab.locator("main span.status").first
    assert f"status-d{status}" in (badge.get_attribute("class") or "").split(), badge.get_attribute("class")


def intake(desk) -> tuple[str, list[tuple[str, str]]]:
    """Counter intake from the menu; returns the code and the (document, form) ticked."""
    click_and_wait(desk, "nav.main-nav a[href='/staff/dossiers']")
    click_and_wait(desk, "main a[href='/staff/dossiers/intake']")
    desk.locator("main #procedure").select_option(label=PROCEDURE_NAME)
    click_and_wait(desk, "main form button[type=submit]")
    for field, value in APPLICANT.items():
        desk.locator(f"main #{field}").fill(value)
    rows = desk.locator("main .checklist .check-row")
    assert rows.count() >= 2, "the procedure lists its documents"
    ticked = []
    for index, (form, label) in enumerate((("original", "Bản chính"), ("copy", "Bản sao"))):
        row = rows.nth(index)
        row.locator(f"input[value={form}]").check()
        name = row.locator("span[id$='-label']").inner_text().split(". ", 1)[1].strip()
        ticked.append((name, label))
    desk.locator("main #paper_consent").check()
    click_and_wait(desk, "main form[enctype='multipart/form-data'] button[type=submit]")
    match = re.fullmatch(rf"/dossiers/({CODE.pattern})/receipt", path_of(desk))
    assert match, desk.url
    return match[1], ticked


def test_a_day_at_the_desk(page, check_page):
    # The queue as the desk sees it: a table on a 1366x768 screen, cards on a phone.
    desk = sign_in(page, RECEPTIONIST)
    rows = desk.locator("main ul.queue-rows > li")
    assert rows.count() >= 10
    check_page(desk, "desk-vi-01-queue-1366", "vi")
    fitting = desk.evaluate(
        "() => [...document.querySelectorAll('main ul.queue-rows > li')]"
        ".filter(li => li.getBoundingClientRect().bottom <= window.innerHeight).length"
    )
    heights = {round(row.bounding_box()["height"]) for row in rows.all()[:10]}
    assert max(heights) <= 30, heights  # one line a row: 25 rows fill one 768 px screen
    assert fitting >= 12, f"only {fitting} rows above the fold"
    holders = [row.locator(".q-holder").inner_text().strip() for row in rows.all()]
    assert all(holders), holders  # every row names who holds it (or says nobody does)
    phone = sign_in(page, RECEPTIONIST, PHONE)
    check_page(phone, "desk-vi-02-queue-360", "vi")
    assert phone.locator("main .queue-head").is_hidden()

    # 1. Counter intake with the checklist; form 01 lists exactly what was ticked.
    code, ticked = intake(desk)
    check_page(desk, "desk-vi-03-receipt", "vi")
    listed = [item.inner_text().strip() for item in desk.locator("article.paper-form ol.files > li").all()]
    assert listed == [f"{name} ({label})" for name, label in ticked], listed
    assert "Chưa xác định" in desk.locator("article.paper-form").inner_text()  # the fee: to be determined
    pdf = desk.pdf(format="A5")
    assert pdf.startswith(b"%PDF")
    (SCREENSHOTS.parent / "desk-vi-receipt.pdf").write_bytes(pdf)

    # 2. The processor finds it by the search box, starts it and requests the fee they type in.
    officer = sign_in(page, PROCESSOR)
    open_by_scan(officer, code)
    act(officer, code, "start")
    act(officer, code, "request_fee", {"fee_amount": FEE, "fee_basis": BASIS})
    status_is(officer, 6)

    # 3. The citizen pays cash at the counter: the receptionist follows the payment link and confirms it.
    open_by_scan(desk, code)
    click_and_wait(desk, "main a[href^='/staff/payments/']")
    assert "1.250.000" in desk.locator("main").inner_text()
    desk.locator("main #m-cash").check()
    click_and_wait(desk, "main form[action$='/confirm'] button[type=submit]")
    assert desk.locator(".flash-success").is_visible()

    # 4. The processor proposes the result; the leader approves it from "awaiting my approval".
    open_by_scan(officer, code)
    status_is(officer, 4)
    act(officer, code, "propose_result")
    leader = sign_in(page, LEADER)
    approval = leader.locator("main nav.quick-filters a[href*='approval=1']")
    assert re.search(r"\((\d+)\)", approval.inner_text())[1] != "0"
    click_and_wait(leader, "main nav.quick-filters a[href*='approval=1']")
    check_page(leader, "desk-vi-04-awaiting-approval", "vi")
    click_and_wait(leader, f"main ul.queue-rows a[href='/staff/dossiers/{code}']")
    act(leader, code, "approve", {"note": "Đã cấp giấy phép xây dựng."})
    status_is(leader, 9)

    # 5. The receptionist hands the result over.
    open_by_scan(desk, code)
    act(desk, code, "return_result")
    status_is(desk, 10)
    check_page(desk, "desk-vi-05-returned", "vi")
