"""Issue 14 "Done when", in a real Chromium (Vietnamese, 360x800): the province's leader declares a landslide
for two communes (Phường Tô Hiệu, where the demo dossiers are, and Phường Chiềng An); the affected dossiers'
dates move; the ward's one-stop desk drafts and issues the form 04 apology letters in one action each; a
citizen looks the dossier up by its code and phone and reads the reason and the new date.
Screenshots: tests/artifacts/screenshots/disaster-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.calendar.queries import local_now

pytestmark = pytest.mark.browser

PROVINCE_LEADER = "lanhdao.tinh@demo.sonla.vn"
DESK = "tiepnhan@demo.sonla.vn"  # Tô Hiệu ward's one-stop desk
COMMUNES = ["Phường Tô Hiệu", "Phường Chiềng An"]


def click_and_wait(tab, selector: str) -> None:
    with tab.expect_navigation():
        tab.locator(selector).first.click()


def sign_in(tab, email: str) -> None:
    from portal.demo import DEMO_PASSWORD

    tab.goto("/login")
    tab.locator("main #email").fill(email)
    tab.locator("main #password").fill(DEMO_PASSWORD)
    click_and_wait(tab, "main form button[type=submit]")


def test_a_declared_landslide_moves_the_dates_and_the_citizen_reads_why(page, check_page):
    # A week from tomorrow: whatever the weekday, it holds working days before the demo dossiers' dates.
    first = local_now().date() + timedelta(days=1)
    last = first + timedelta(days=6)
    leader = page("360x800", "vi")
    sign_in(leader, PROVINCE_LEADER)
    click_and_wait(leader, "nav a[href='/staff/disasters/']")
    form = leader.locator("main form[action='/staff/disasters/']")
    form.locator("#kind").select_option("landslide")
    form.locator("#communes").select_option(label=COMMUNES)
    form.locator("#starts_on").fill(first.isoformat())
    form.locator("#ends_on").fill(last.isoformat())
    form.locator("#legal_basis").fill(
        "Quyết định số 12/QĐ-UBND ngày 06/12/2026 công bố sạt lở (bất khả kháng)"
    )
    form.locator("#note").fill("Sạt lở taluy quốc lộ 6, chia cắt hai phường.")
    check_page(leader, "disaster-declare-360x800", "vi")
    click_and_wait(leader, "main form[action='/staff/disasters/'] button[type=submit]")
    assert "Đã công bố" in leader.locator("main").inner_text()
    rows = leader.locator("main table.data").first.locator("tbody tr")
    assert rows.count() >= 1
    code = rows.first.locator("td").first.inner_text().strip()
    before, after = (rows.first.locator("td").nth(i).inner_text().strip() for i in (1, 2))
    assert before != after  # the date moved
    check_page(leader, "disaster-event-360x800", "vi")
    event_url = leader.url

    desk = page("360x800", "vi")
    sign_in(desk, DESK)
    desk.goto(event_url)
    click_and_wait(desk, "main form[action$='/letters/draft'] button")
    assert "Đã soạn" in desk.locator("main").inner_text()
    assert "Dự thảo" in desk.locator("#letters ~ .table-scroll table").inner_text()
    click_and_wait(desk, "main form[action$='/letters/issue'] button")
    letters = desk.locator("#letters ~ .table-scroll table").inner_text()
    assert "Đã ban hành" in letters and "Dự thảo" not in letters
    check_page(desk, "disaster-letters-360x800", "vi")

    citizen = page("360x800", "vi")
    citizen.goto("/track")  # the code alone proves nothing: the phone's last four digits too
    citizen.locator("main #code").fill(code)
    citizen.locator("main #phone_digits").fill(DEMO_PHONES[code_applicant(letters, code)])
    click_and_wait(citizen, "main form button[type=submit]")
    text = citizen.locator("main").inner_text()
    assert "Tạm dừng tính thời hạn" in text and "Sạt lở đất" in text
    assert "Quyết định số 12/QĐ-UBND" in text
    assert after in text  # the new appointment date
    assert "xin lỗi" in text.lower()  # the issued form 04
    check_page(citizen, "disaster-tracking-360x800", "vi")


def code_applicant(letters: str, code: str) -> str:
    """The applicant's name on the letters table's row of `code` ("<code> · <name>")."""
    line = next(line for line in letters.splitlines() if code in line)
    return line.split("·", 1)[1].split("\t", 1)[0].strip()


def _demo_phones() -> dict[str, str]:
    """The last four digits of each demo applicant's phone (+8498876NNNN, N the plan's number)."""
    from portal.dossiers.demo import PLAN

    return {name: f"{number:04d}" for number, (_code, name, _days, _path) in enumerate(PLAN, 1)}


DEMO_PHONES = _demo_phones()
