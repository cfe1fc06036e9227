"""Issue 11 items 1–4 (Deadlines) through the operations and the pages that show them: a dossier's
appointment date on the citizen's and the officer's pages, the refused apology letter's message, and the
staff queue's mark for a dossier late without a letter.

Times are Asia/Ho_Chi_Minh wall-clock times. Expected dates are worked out by hand (reasoning beside each
test) from VIETNAM.md §2.3 and the December 2026 calendar (Mon 7, Fri 11, Sat 12, Mon 14, Wed 16/12).
"""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from portal.domain.dossier_status import DossierAction as A
from portal.dossiers import intake, operations
from portal.extensions import cache, db
from tests.support.clients import fresh_client, signed_in
from tests.support.dossiers import make_dossier
from tests.support.factories import account
from tests.support.files import PDF

VN = ZoneInfo("Asia/Ho_Chi_Minh")
D = date
LINKED = "SL-002"  # Liên thông khai sinh – thường trú – BHYT (Decree 63/2024), 3 working days


def at(year, month, day, hour=9, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN).astimezone(UTC)


@pytest.fixture
def rule(app, monkeypatch):
    def use(value: str) -> None:
        settings = dataclasses.replace(app.config["PORTAL_SETTINGS"], supplement_rule=value)
        monkeypatch.setitem(app.config, "PORTAL_SETTINGS", settings)

    return use


def received(code: str, when: datetime):
    """Submitted online on Sunday 6/12/2026, received by the desk at `when`, processing started."""
    dossier = make_dossier(code, now=at(2026, 12, 6, 20))
    operations.staff_act(dossier, A.RECEIVE, account("receptionist"), now=when)
    operations.staff_act(dossier, A.START, account("processor"), now=when)
    return dossier


def text(response) -> str:
    body = response.get_data(as_text=True)
    response.close()
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def citizen_page(app, dossier, lang="en") -> str:
    db.session.commit()
    client = fresh_client(app)
    link = f"/dossiers/t/{dossier.code}/{operations.secret_token(dossier)}"
    assert client.get(link).status_code == 302
    return text(client.get(f"/dossiers/{dossier.code}?lang={lang}"))


def staff_page(app, dossier, lang="en") -> str:
    db.session.commit()
    return text(signed_in(app, "processor").get(f"/staff/dossiers/{dossier.code}?lang={lang}"))


# --- item 1: the linked procedure's 15:00 cut-off sets the dossier's appointment --------------------------


def test_linked_procedure_received_after_15_00(app):
    # Wed 9/12/2026 15:30, 3 WD, cut-off 15:00: day 0 Thu 10/12; Fri 11, Mon 14, Tue 15/12.
    # (Before the fix the cut-off applied to same-day procedures only: day 0 Wed 9, due Mon 14/12.)
    dossier = received(LINKED, at(2026, 12, 9, 15, 30))
    assert dossier.appointment_on == dossier.original_appointment_on == D(2026, 12, 15)
    assert "Appointment for the result 15/12/2026" in staff_page(app, dossier)
    assert "Tuesday, 15 December 2026" in citizen_page(app, dossier)


def test_linked_procedure_received_before_15_00(app):
    # Wed 9/12/2026 14:30: day 0 Wed 9/12; Thu 10, Fri 11, Mon 14/12.
    dossier = received(LINKED, at(2026, 12, 9, 14, 30))
    assert dossier.appointment_on == D(2026, 12, 14)


# --- item 2: "exclude" charges an after-hours completion's next working day to the citizen --------------


def test_supplement_completed_friday_evening(app, rule):
    """Regression: a completion on Friday at 20:00 charged Monday to the office."""
    rule("exclude")
    # 1.004194, 3 WD, received Mon 7/12/2026 09:00: Tue 8, Wed 9, Thu 10/12.
    dossier = received("1.004194", at(2026, 12, 7, 9))
    assert dossier.appointment_on == D(2026, 12, 10)
    operations.staff_act(
        dossier,
        A.REQUEST_SUPPLEMENT,
        account("processor"),
        note="Thiếu giấy xác nhận chỗ ở.",
        now=at(2026, 12, 8, 10),
    )
    operations.citizen_supplement(dossier, [intake.Upload(PDF, "cho-o.pdf")], "", now=at(2026, 12, 11, 20))
    # Completed Fri 11/12 20:00: received Mon 14/12. The citizen's days: Wed 9, Thu 10, Fri 11, Mon 14 (4).
    # Thu 10/12 + 4 WD: Fri 11, Mon 14, Tue 15, Wed 16/12 (the old code: 3 days, Tue 15/12).
    assert dossier.original_appointment_on == dossier.appointment_on == D(2026, 12, 16)
    assert "Appointment for the result 16/12/2026" in staff_page(app, dossier)
    assert "Wednesday, 16 December 2026" in citizen_page(app, dossier)
    assert "Thứ Tư, ngày 16 tháng 12 năm 2026" in citizen_page(app, dossier, "vi")


# --- item 3: "restart" restarts for supplement requests only, not for fee requests ------------------------


def test_fee_paid_the_same_day_does_not_restart_the_time(app, rule):
    """Regression: under the restart rule, paying a fee restarted the whole processing time."""
    rule("restart")
    dossier = received("1.004194", at(2026, 12, 7, 9))  # 3 WD: due Thu 10/12
    processor = account("processor")
    operations.staff_act(dossier, A.REQUEST_FEE, processor, now=at(2026, 12, 8, 9))
    operations.staff_act(dossier, A.CONFIRM_FEE, account("receptionist"), now=at(2026, 12, 8, 14))
    # Requested and paid on Tue 8/12: no working day is the citizen's, Thu 10/12 stands (the old code
    # restarted 3 WD from Tue 8/12: Fri 11/12).
    assert dossier.appointment_on == D(2026, 12, 10)
    assert "Appointment for the result 10/12/2026" in staff_page(app, dossier)


def test_supplement_still_restarts_the_time(app, rule):
    rule("restart")
    dossier = received("1.004194", at(2026, 12, 7, 9))  # due Thu 10/12
    operations.staff_act(
        dossier,
        A.REQUEST_SUPPLEMENT,
        account("processor"),
        note="Thiếu giấy xác nhận chỗ ở.",
        now=at(2026, 12, 8, 10),
    )
    operations.citizen_supplement(dossier, [intake.Upload(PDF, "cho-o.pdf")], "", now=at(2026, 12, 9, 10))
    # Completed Wed 9/12 10:00: 3 WD again from day 0 Wed 9: Thu 10, Fri 11, Mon 14/12.
    assert dossier.appointment_on == D(2026, 12, 14)


# --- item 4: apology letters only before the due date; late dossiers without one flagged ---------------


def overdue_dossier():
    """Received Mon 2/3/2026 09:00 at the counter, 3 WD: due Thu 5/3/2026, long past (today is later)."""
    return received("1.004194", at(2026, 3, 2, 9))


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "An apology letter (form 04) must be sent before the due date."),
        ("vi", "Phiếu xin lỗi và hẹn lại ngày trả kết quả (mẫu 04) phải được gửi trước ngày hẹn trả."),
    ],
)
def test_the_apology_of_an_overdue_dossier_is_refused_with_the_reason(app, lang, message):
    dossier = overdue_dossier()
    db.session.commit()
    officer = signed_in(app, "processor")
    page = text(officer.get(f"/staff/dossiers/{dossier.code}?lang={lang}"))
    assert message in page  # said beside the action before trying
    response = officer.post(
        f"/staff/dossiers/{dossier.code}/apologise?lang={lang}",
        data={"note": "Chờ xác minh.", "new_date": "2099-01-05"},
        follow_redirects=True,
    )
    assert message in text(response)
    db.session.refresh(dossier)
    assert dossier.apologies == [] and dossier.appointment_on == D(2026, 3, 5)


def queue_rows(app) -> dict[str, str]:
    db.session.commit()
    cache.clear()
    body = signed_in(app, "processor").get("/staff/queue?lang=en&kind=dossier").get_data(as_text=True)
    rows = re.findall(r"<li[^>]*>(.*?)</li>", body, re.S)
    return {code: row for row in rows for code in re.findall(r'<span class="title">([^<]+)</span>', row)}


def test_the_queue_flags_late_dossiers_without_a_letter(app):
    late = overdue_dossier()  # due Thu 5/3/2026, no letter
    excused = overdue_dossier()
    # A letter sent Wed 4/3, the day before the due date, promised Thu 12/3: late again now, but a letter
    # was sent in time, so no mark for the missing letter.
    operations.staff_act(
        excused,
        A.APOLOGISE,
        account("processor"),
        note="Chờ xác minh.",
        new_date=D(2026, 3, 12),
        now=at(2026, 3, 4, 10),
    )
    rows = queue_rows(app)
    assert "No apology letter" in rows[late.code] and "Overdue" in rows[late.code]
    assert "No apology letter" not in rows[excused.code] and "Overdue" in rows[excused.code]
