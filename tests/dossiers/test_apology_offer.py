"""The apology letter (form 04) is offered only when it can be made (walk-through of 2026-12-08, regression).

A same-day birth registration received at 00:17 on Tue 8/12/2026 is due that very day (VIETNAM.md §2.3
item 4: before the 15:00 cut-off, returned the same working day). Form 04 goes before the due date (§2.3
item 8, `working_days.apology_allowed`: on a day strictly before it), so on 8/12 no letter can be made. The
officer's page nevertheless said "→ Finish it, or send an apology letter (form 04) before the due date" and
showed the letter's form, which only returned the refusal. One rule, `working_days.apology_refusal`, now
decides for the hint, the form and the operation.

The clock is set to 00:17 local time, i.e. 17:17 UTC on the day before: the page must reason in the
province's day, not UTC's. Expected dates are worked out by hand from the December 2026 calendar.
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
from portal.steering import wiring as steering_wiring
from tests.support.clients import signed_in
from tests.support.dossiers import make_dossier
from tests.support.factories import account

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BIRTH = "1.001193"  # Đăng ký khai sinh: same day (0 working days, 15:00 cut-off)
TEMPORARY_RESIDENCE = "1.004194"  # Đăng ký tạm trú: 3 working days
MIDNIGHT = datetime(2026, 12, 8, 0, 17, tzinfo=VN)  # Tue 8/12/2026 00:17 local = Mon 7/12 17:17 UTC


@pytest.fixture
def clock(monkeypatch):
    """The officer's pages read the clock at 00:17 local time on Tue 8/12/2026."""
    monkeypatch.setattr(routes_staff, "local_now", lambda: MIDNIGHT)
    monkeypatch.setattr(steering_wiring, "local_now", lambda: MIDNIGHT)
    cache.clear()
    return MIDNIGHT


def received(code: str):
    """Submitted online and received (then started) by the ward at 00:17 on Tue 8/12/2026."""
    when = MIDNIGHT.astimezone(UTC)
    dossier = make_dossier(code, now=datetime(2026, 12, 7, 23, 50, tzinfo=VN).astimezone(UTC))
    operations.staff_act(dossier, A.RECEIVE, account("receptionist"), now=when)
    operations.staff_act(dossier, A.START, account("processor"), now=when)
    db.session.commit()
    return dossier


def item_page(app, dossier, lang: str) -> tuple[str, str]:
    """(the whole page's text, the Decision 766 section's text) of the processor's dossier page."""
    body = (
        signed_in(app, "processor").get(f"/staff/dossiers/{dossier.code}?lang={lang}").get_data(as_text=True)
    )
    section = re.search(r'<section class="score-effects".*?</section>', body, re.S)
    return body, _text(section[0] if section else "")


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


def apologise(dossier, new_date, now):
    """The processor sends the apology letter (form 04) with `new_date`."""
    return operations.staff_act(
        dossier, A.APOLOGISE, account("processor"), note="Chờ xác minh.", new_date=new_date, now=now
    )


def test_one_rule_answers_whether_a_letter_can_be_made():
    apology_allowed, apology_refusal = working_days.apology_allowed, working_days.apology_refusal
    due = date(2026, 12, 8)
    assert apology_refusal(due, date(2026, 12, 7)) is None  # the day before: yes
    assert apology_refusal(due, due) == "apology_too_late"  # the due day itself: no longer "before"
    assert apology_refusal(due, date(2026, 12, 9)) == "apology_too_late"
    assert apology_refusal(None, due) == "apology_paused"  # paused: no date to move
    for today in (date(2026, 12, 7), due, date(2026, 12, 9)):
        assert (apology_refusal(due, today) is None) == apology_allowed(due, today)


@pytest.mark.parametrize(
    ("lang", "refusal", "letter"),
    [
        ("en", "An apology letter (form 04) must be sent before the due date.", "apology letter"),
        (
            "vi",
            "Phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04) phải được gửi trước ngày hẹn trả.",
            "phiếu xin lỗi",
        ),
    ],
)
def test_a_same_day_dossier_received_after_midnight_is_not_offered_a_letter(
    app, clock, lang, refusal, letter
):
    dossier = received(BIRTH)
    assert dossier.appointment_on == date(2026, 12, 8)  # due the day it was received
    body, effects = item_page(app, dossier, lang)
    # The hint: due today, and the fix does not send the officer to a letter.
    assert ("Due today" if lang == "en" else "Hạn hôm nay") in effects
    assert letter not in effects.lower(), effects
    assert ("Finish it and return the result by the due date" if lang == "en" else "trả kết quả") in effects
    # The form: the reason instead, nothing to fill in or submit.
    assert refusal in _text(body)
    assert f"/staff/dossiers/{dossier.code}/apologise" not in body
    assert 'id="date-apologise"' not in body and 'id="note-apologise"' not in body
    # The operation agrees.
    with pytest.raises(DossierError) as refused:
        apologise(dossier, date(2026, 12, 10), clock)
    assert refused.value.reason == "apology_too_late"


def test_a_dossier_due_later_is_offered_the_letter_by_hint_form_and_operation(app, clock):
    dossier = received(TEMPORARY_RESIDENCE)  # 3 working days from Tue 8/12: due Fri 11/12
    assert dossier.appointment_on == date(2026, 12, 11)
    body, effects = item_page(app, dossier, "en")
    assert "Finish it, or send an apology letter (form 04) before the due date" in effects
    assert f'action="/staff/dossiers/{dossier.code}/apologise"' in body and 'id="date-apologise"' in body
    assert "must be sent before the due date" not in _text(body)
    apologise(dossier, date(2026, 12, 14), clock)
    assert dossier.appointment_on == date(2026, 12, 14)


def test_a_paused_dossier_says_why_instead_of_offering_the_letter(app, clock):
    dossier = received(TEMPORARY_RESIDENCE)
    operations.staff_act(
        dossier, A.REQUEST_SUPPLEMENT, account("processor"), note="Thiếu giấy tờ chỗ ở.", now=clock
    )
    db.session.commit()
    assert dossier.appointment_on is None and A.APOLOGISE in operations.allowed(dossier, "processor")
    body, _effects = item_page(app, dossier, "en")
    assert "No apology letter (form 04) while the dossier waits for the citizen" in _text(body)
    assert f"/staff/dossiers/{dossier.code}/apologise" not in body
    with pytest.raises(DossierError) as refused:
        apologise(dossier, date(2026, 12, 14), clock)
    assert refused.value.reason == "apology_paused"
