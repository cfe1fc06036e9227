"""A dossier that already has its apology letter (form 04) is not offered another on its legal due day
(walk-through of the demo, regression).

Form 04 apologises for missing the legal due date and goes before it (VIETNAM.md §2.3 item 8). Once a letter
moved the appointment later, the officer's page on the legal due day still said "Due today → Finish it, or
send an apology letter (form 04) before the due date" and showed the letter's form, because the rule
(`working_days.apology_refusal`) was asked about the letter's new date instead of the legal one. The rule now
reasons on the legal due date for the hint, the form and the operation alike, and the hint names the new date
the letter already promised.

Dates worked out by hand from the law: a temporary residence registration (3 working days) received at the
counter on Fri 20/11/2026 at 09:00 counts from the next working day (Civil Code Art. 147): Mon 23/11 is day
1, Tue 24/11 is Ngày Văn hóa Việt Nam (a holiday from 2026, VIETNAM.md §2.2), Wed 25/11 day 2, Thu 26/11
day 3: due Thu 26/11/2026. On Wed 25/11, the day before, the letter moves the date to Mon 30/11 (Sat 28 and
Sun 29 are rest days).
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from portal.domain import working_days
from portal.domain.dossier_status import DossierAction as A
from portal.dossiers import operations, routes_staff
from portal.dossiers.errors import DossierError
from portal.extensions import cache, db
from portal.staff import routes as staff_routes
from portal.steering import wiring as steering_wiring
from tests.support.clients import signed_in
from tests.support.dossiers import make_dossier
from tests.support.factories import account

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TEMPORARY_RESIDENCE = "1.004194"  # Đăng ký tạm trú: 3 working days
RECEIVED = datetime(2026, 11, 20, 9, 0, tzinfo=VN)  # Fri 20/11/2026 09:00
LEGAL_DUE = date(2026, 11, 26)  # Thu: 23/11 = day 1, 24/11 holiday, 25/11 = day 2, 26/11 = day 3
LETTER_DAY = datetime(2026, 11, 25, 10, 0, tzinfo=VN)  # Wed, the day before the due date
NEW_DATE = date(2026, 11, 30)  # Mon
DUE_DAY = datetime(2026, 11, 26, 9, 0, tzinfo=VN)
DAY_AFTER = datetime(2026, 11, 27, 9, 0, tzinfo=VN)  # Fri: past the legal date, before the letter's


def at(monkeypatch, moment: datetime) -> datetime:
    """The officer's pages read the clock at `moment` (local time)."""
    for module in (routes_staff, steering_wiring, staff_routes):
        monkeypatch.setattr(module, "local_now", lambda: moment)
    cache.clear()
    return moment


@pytest.fixture
def with_letter(monkeypatch):
    """Received on Fri 20/11/2026, processing, its letter sent on Wed 25/11 with the new date Mon 30/11."""
    at(monkeypatch, RECEIVED)
    dossier = make_dossier(TEMPORARY_RESIDENCE, received=True, now=RECEIVED.astimezone(UTC))
    operations.staff_act(dossier, A.START, account("processor"), now=RECEIVED.astimezone(UTC))
    assert (dossier.original_appointment_on, dossier.appointment_on) == (LEGAL_DUE, LEGAL_DUE)
    apologise(dossier, NEW_DATE, LETTER_DAY)  # the day before the due date: allowed
    db.session.commit()
    assert (dossier.original_appointment_on, dossier.appointment_on) == (LEGAL_DUE, NEW_DATE)
    return dossier


def apologise(dossier, new_date: date, moment: datetime) -> None:
    operations.staff_act(
        dossier,
        A.APOLOGISE,
        account("processor"),
        note="Chờ xác minh nơi cư trú.",
        new_date=new_date,
        now=moment.astimezone(UTC),
    )


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def item_page(app, dossier, lang: str) -> tuple[str, str]:
    """(the page's text, its Decision 766 section's text) of the processor's dossier page."""
    body = signed_in(app, account("processor")).get(f"/staff/dossiers/{dossier.code}?lang={lang}")
    page = body.get_data(as_text=True)
    section = re.search(r'<section class="score-effects".*?</section>', page, re.S)
    return page, _text(section[0] if section else "")


def test_the_rule_reasons_on_the_legal_due_date_when_a_letter_moved_the_appointment():
    refusal = working_days.apology_refusal
    # The letter's day: before the legal date, allowed.
    assert refusal(LEGAL_DUE, LETTER_DAY.date(), legal_due=LEGAL_DUE) is None
    # With a letter to Mon 30/11: from the legal due day on, no other letter, though 30/11 has not come.
    for today in (LEGAL_DUE, DAY_AFTER.date(), date(2026, 11, 28)):
        assert refusal(NEW_DATE, today, legal_due=LEGAL_DUE) == "apology_letter_sent"
    assert refusal(NEW_DATE, NEW_DATE, legal_due=LEGAL_DUE) == "apology_letter_sent"
    # Without a letter the appointment is the legal date: unchanged.
    assert refusal(LEGAL_DUE, LEGAL_DUE, legal_due=LEGAL_DUE) == "apology_too_late"
    assert refusal(None, LEGAL_DUE, legal_due=LEGAL_DUE) == "apology_paused"


@pytest.mark.parametrize(
    ("lang", "due_today", "fix", "refused", "offer"),
    [
        (
            "en",
            "Due today",
            "Finish it and return the result by 30/11/2026, the new date of the apology letter (form 04) sent",
            "The apology letter (form 04) already sent set the new date 30/11/2026, and the due date has come",
            "send an apology letter",
        ),
        (
            "vi",
            "Hạn hôm nay",
            "Giải quyết xong và trả kết quả chậm nhất vào ngày 30/11/2026, ngày hẹn mới trong phiếu xin lỗi"
            " (mẫu 04) đã gửi",
            "Phiếu xin lỗi (mẫu 04) đã gửi đã hẹn lại ngày trả kết quả là 30/11/2026",
            "gửi phiếu xin lỗi",
        ),
    ],
)
def test_on_the_legal_due_day_the_letter_already_sent_is_named_not_offered_again(
    app, monkeypatch, with_letter, lang, due_today, fix, refused, offer
):
    dossier = with_letter
    at(monkeypatch, DUE_DAY)
    page, effects = item_page(app, dossier, lang)
    # The hint: due today (the legal date), its fix names the letter's new date and offers no letter.
    assert due_today in effects and fix in effects, effects
    assert offer not in effects.lower(), effects
    # The form: the reason, with the new date, instead of a form that would move it again.
    assert refused in _text(page)
    assert f"/staff/dossiers/{dossier.code}/apologise" not in page and 'id="date-apologise"' not in page
    # The queue's row says the same.
    queue = signed_in(app, account("processor")).get(f"/staff/queue?lang={lang}").get_data(as_text=True)
    row = re.search(rf"<li\b(?:(?!</li>).)*{re.escape(dossier.code)}.*?</li>", queue, re.S)
    assert row is not None and fix in _text(row[0]) and offer not in _text(row[0]).lower()
    # The operation agrees: a second letter is refused and the promised date stays.
    with pytest.raises(DossierError) as refusal:
        apologise(dossier, date(2026, 12, 1), DUE_DAY)
    assert refusal.value.reason == "apology_letter_sent"
    db.session.rollback()
    assert dossier.appointment_on == NEW_DATE and len(dossier.apologies) == 1


def test_after_the_legal_due_date_it_is_late_and_the_letter_date_stands(app, monkeypatch, with_letter):
    dossier = with_letter
    at(monkeypatch, DAY_AFTER)
    page, effects = item_page(app, dossier, "en")
    assert "Overdue: counts as late in 2.1" in effects  # a letter does not make it on time for 2.1
    assert "return the result by 30/11/2026, the new date of the apology letter (form 04) sent" in effects
    assert "send an apology letter" not in effects.lower()
    assert f"/staff/dossiers/{dossier.code}/apologise" not in page
    with pytest.raises(DossierError) as refusal:
        apologise(dossier, date(2026, 12, 1), DAY_AFTER)
    assert refusal.value.reason == "apology_letter_sent"


def test_the_web_refusal_names_the_new_date(app, monkeypatch, with_letter):
    """Posted anyway (a page opened the day before): refused with the reason, nothing changed."""
    dossier = with_letter
    at(monkeypatch, DUE_DAY)
    monkeypatch.setattr(operations, "utcnow", lambda: DUE_DAY.astimezone(UTC))
    officer = signed_in(app, account("processor"))
    page = officer.get(f"/staff/dossiers/{dossier.code}?lang=en").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    data = {"note": "Chờ xác minh thêm.", "new_date": "2026-12-01"}
    if token:
        data["csrf_token"] = token[1]
    response = officer.post(f"/staff/dossiers/{dossier.code}/apologise?lang=en", data=data)
    assert response.status_code == 302
    shown = _text(officer.get(f"/staff/dossiers/{dossier.code}?lang=en").get_data(as_text=True))
    assert "already sent set the new date 30/11/2026" in shown
    db.session.refresh(dossier)
    assert dossier.appointment_on == NEW_DATE and len(dossier.apologies) == 1
