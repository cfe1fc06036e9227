"""Issue 11 item 5: a forwarded feedback item's answer clock restarts from the forwarding (VIETNAM.md §6.2:
"≤ 15 WD after the citizen sent it or after it was forwarded"), on the stored due date and on the receiving
agency's item page.

Roads, bridges, landslides (giao-thong): 15 working days. Expected dates worked out by hand from the
December 2026 calendar (Mon 7, Thu 10, Fri 11, Mon 14, Mon 21, Mon 28, Thu 31/12; Fri 1/1/2027 New Year).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from portal.domain.feedback_status import FeedbackAction as A
from portal.extensions import db
from portal.feedback import operations
from tests.support.clients import signed_in
from tests.support.factories import HEALTH, account, other_agency_staff
from tests.support.feedback import agency_id, make_item

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(year, month, day, hour=9, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN).astimezone(UTC)


def forward(item, when: datetime, monkeypatch) -> None:
    monkeypatch.setattr(operations, "utcnow", lambda: when)
    operations.staff_act(item, A.FORWARD, account("receptionist"), agency_id=agency_id(HEALTH))


def test_not_forwarded(app):
    # Sent Mon 7/12/2026 09:00: 8–11 (4), 14–18 (9), 21–25 (14), Mon 28/12 (15).
    item = make_item(now=at(2026, 12, 7))
    assert item.due_on == date(2026, 12, 28)


@pytest.mark.parametrize(
    ("forwarded", "due", "shown"),
    [
        # Forwarded Thu 10/12 10:00: day 0 Thu 10; Fri 11 (1), 14–18 (6), 21–25 (11), 28, 29, 30, Thu 31/12
        # (15). The old code kept Mon 28/12 from the sending.
        (at(2026, 12, 10, 10), date(2026, 12, 31), "31/12/2026"),
        # Forwarded Fri 11/12 20:00, after hours: day 0 Mon 14; 15–18 (4), 21–25 (9), 28–31 (13), 1/1 off,
        # Mon 4/1 (14), Tue 5/1/2027 (15).
        (at(2026, 12, 11, 20), date(2027, 1, 5), "05/01/2027"),
    ],
)
def test_forwarding_restarts_the_answer_clock(app, monkeypatch, forwarded, due, shown):
    item = make_item(now=at(2026, 12, 7))
    forward(item, forwarded, monkeypatch)
    assert item.forwarded_at == forwarded and item.due_on == due
    db.session.commit()
    page = signed_in(app, other_agency_staff("processor")).get(f"/staff/feedback/{item.code}?lang=en")
    assert page.status_code == 200
    assert f"Answer by {shown}" in page.get_data(as_text=True)


def test_a_request_for_information_after_forwarding_is_excluded(app, monkeypatch):
    item = make_item(now=at(2026, 12, 7))
    forward(item, at(2026, 12, 10, 10), monkeypatch)  # answer due Thu 31/12
    health = other_agency_staff("processor")
    monkeypatch.setattr(operations, "utcnow", lambda: at(2026, 12, 14, 9))
    operations.staff_act(item, A.REQUEST_INFO, health, note="Xin vị trí chính xác.")
    assert item.due_on is None  # paused
    monkeypatch.setattr(operations, "utcnow", lambda: at(2026, 12, 16, 10))
    operations.supply_info(item, "Km 3, gần cầu treo.")
    # Tue 15 and Wed 16/12 were the citizen's: Thu 31/12 + 2 = Mon 4/1, Tue 5/1/2027.
    assert item.due_on == date(2027, 1, 5)
