"""Issue 11 item 1: the 15:00 cut-off is a property of the procedure — seeded for Decree 63/2024's linked
procedure, edited by administrators, applied whatever the duration and shown on the procedure page.

Expected dates worked out by hand (VIETNAM.md §2.3 item 4; December 2026: Wed 9, Thu 10, Fri 11, Mon 14,
Tue 15/12).
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from portal.calendar.queries import LOCAL_TZ
from portal.catalog import routes as catalog_routes
from portal.catalog.models import Procedure
from portal.extensions import db
from tests.support.admin import ADMIN, body, change, events, procedure, signed_in

LINKED = "SL-002"  # Liên thông khai sinh – thường trú – BHYT (NĐ 63/2024), 3 working days
MARITAL = "SL-005"  # Giấy xác nhận tình trạng hôn nhân, 3 working days, no cut-off
CUTOFF_TEXT = {
    "en": "Dossiers received from 15:00 onwards count from the next working day.",
    "vi": "Hồ sơ nhận từ 15:00 trở đi được tính từ ngày làm việc tiếp theo.",
}


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("\xa0", " ").replace("\u202f", " ").split())


def page(client, monkeypatch, code: str, when: datetime, lang: str = "en") -> tuple[str, str]:
    """(the due-date line, the page's text) as a citizen reads it at local time `when`."""
    monkeypatch.setattr(catalog_routes, "local_now", lambda: when.replace(tzinfo=LOCAL_TZ))
    response = client.get(f"/procedures/{code}?lang={lang}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    due = re.search(r'<p class="due-date">(.*?)</p>', html, re.S)
    assert due
    return text_of(due[1]), text_of(html)


def test_the_seed_gives_the_cutoff_to_decree_63_procedures_only(app):
    flagged = db.session.scalars(select(Procedure.code).where(Procedure.afternoon_cutoff)).all()
    # The shipped catalogue cites Decree 63/2024 in one row: the linked birth/residence/insurance one.
    assert flagged == [LINKED]
    assert "63/2024" in procedure(LINKED).legal_basis


@pytest.mark.parametrize(
    ("code", "when", "due", "shown"),
    [
        # 15:30 is after the cut-off: day 0 Thu 10/12; Fri 11, Mon 14, Tue 15/12.
        (LINKED, datetime(2026, 12, 9, 15, 30), "Tuesday, 15 December 2026", True),
        # 14:30 is before it: day 0 Wed 9/12; Thu 10, Fri 11, Mon 14/12.
        (LINKED, datetime(2026, 12, 9, 14, 30), "Monday, 14 December 2026", True),
        # Same duration, no cut-off: 15:30 is office hours, day 0 Wed 9/12: Mon 14/12.
        (MARITAL, datetime(2026, 12, 9, 15, 30), "Monday, 14 December 2026", False),
    ],
)
def test_the_procedure_page_counts_and_states_the_cutoff(client, monkeypatch, code, when, due, shown):
    line, text = page(client, monkeypatch, code, when)
    assert due in line
    assert (CUTOFF_TEXT["en"] in text) is shown
    assert ("Cut-off: 15:00" in text) is shown


def test_the_cutoff_is_said_in_vietnamese(client, monkeypatch):
    line, text = page(client, monkeypatch, LINKED, datetime(2026, 12, 9, 15, 30), "vi")
    assert "ngày 15 tháng 12 năm 2026" in line
    assert CUTOFF_TEXT["vi"] in text and "Giờ chốt nhận hồ sơ: 15:00" in text


def test_an_administrator_gives_a_procedure_the_cutoff(app, client, monkeypatch):
    row = procedure(MARITAL)
    data = {
        "charge_vnd": "" if row.charge_vnd is None else str(row.charge_vnd),
        "fee_vnd": "" if row.fee_vnd is None else str(row.fee_vnd),
        "processing_days": str(row.processing_days),
        "online_level": row.online_level,
        "is_active": "y",
        "afternoon_cutoff": "y",
    }
    admin = signed_in(app, ADMIN)
    form = body(admin.get(f"/staff/admin/procedures/{row.id}?lang=en"))
    assert 'name="afternoon_cutoff"' in form
    assert admin.post(f"/staff/admin/procedures/{row.id}", data=data).status_code == 302
    db.session.refresh(row)
    assert row.afternoon_cutoff
    [event] = events("procedure", row.id, "procedure_updated")
    assert change(event) == {"before": {"afternoon_cutoff": False}, "after": {"afternoon_cutoff": True}}
    # Now 15:30 counts from Thu 10/12: Tue 15/12, and the page says why.
    line, text = page(client, monkeypatch, MARITAL, datetime(2026, 12, 9, 15, 30))
    assert "Tuesday, 15 December 2026" in line and CUTOFF_TEXT["en"] in text
    del data["afternoon_cutoff"]
    assert admin.post(f"/staff/admin/procedures/{row.id}", data=data).status_code == 302
    db.session.refresh(row)
    assert not row.afternoon_cutoff
