"""The queue page and item pages show each item's Decision 766 effect with its fix (Vietnamese by default,
English on request), and the quick filter "costs points this week" lists exactly those items, with its count."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.calendar.queries import local_now
from portal.extensions import cache, db
from tests.support.clients import sign_in
from tests.support.dossiers import make_dossier
from tests.support.factories import make_account, make_agency
from tests.support.feedback import make_item


@pytest.fixture(autouse=True)
def _empty_cache(app):
    with app.app_context():
        cache.clear()


@pytest.fixture
def desk(app):
    agency = make_agency()
    officer = make_account("processor", agency=agency)
    today = local_now().date()
    late = make_dossier(name="Người nộp trễ hạn")
    calm = make_dossier(name="Người nộp còn hạn")
    for dossier, due in ((late, today - timedelta(days=1)), (calm, today + timedelta(days=40))):
        dossier.agency_id, dossier.status = agency.id, 4
        dossier.appointment_on = dossier.original_appointment_on = due
        dossier.received_at = local_now() - timedelta(days=10)
    later = make_item(agency=agency.slug, title="Phản ánh còn xa hạn")
    later.status, later.due_on = "accepted", today + timedelta(days=40)
    db.session.flush()
    return officer, late, calm, later


def test_the_hint_and_its_fix_beside_the_row(client, desk):
    officer, late, calm, _later = desk
    sign_in(client, officer)
    body = client.get("/staff/queue").get_data(as_text=True)
    assert "Trễ hạn mà chưa có phiếu xin lỗi" in body
    assert "Đã quá thời điểm gửi phiếu xin lỗi (mẫu 04): hãy giải quyết xong và trả kết quả" in body
    english = client.get("/staff/queue?lang=en").get_data(as_text=True)
    assert "Late without an apology letter: counts as late in 2.1" in english
    # The fix no longer sends the officer to a letter the operation refuses: form 04 goes before the due
    # date (working_days.apology_allowed), which has passed (walk-through of 2026-12-08, regression).
    assert "Too late for an apology letter (form 04): finish it and return the result" in english
    assert "Send an apology letter" not in english and "Gửi phiếu xin lỗi" not in body
    assert english.count('data-effect="late_without_letter"') == 1


def test_the_filter_lists_what_costs_points_this_week_with_its_count(client, desk):
    officer, late, calm, later = desk
    sign_in(client, officer)
    body = client.get("/staff/queue?lang=en").get_data(as_text=True)
    assert 'data-filter="costly">Costs points this week (1)</a>' in body
    listed = client.get("/staff/queue?costly=1").get_data(as_text=True)
    assert late.code in listed and calm.code not in listed and later.code not in listed


def test_the_item_page_shows_the_effect(client, desk):
    officer, late, calm, _later = desk
    sign_in(client, officer)
    page = client.get(f"/staff/dossiers/{late.code}?lang=en").get_data(as_text=True)
    assert "Effect on the Decision 766 score" in page and "Late without an apology letter" in page
    assert "Effect on the Decision 766 score" not in client.get(
        f"/staff/dossiers/{calm.code}?lang=en"
    ).get_data(as_text=True)
