"""The desk's queue (issue 16 items 5-7): who holds each row and the working days left, "take next" and
"claim" only where the officer's role has a next step, the leader's "awaiting my approval" filter and count,
and the search box that opens a scanned receipt."""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.domain import dossier_status as ds
from portal.domain import feedback_status as fs
from portal.dossiers.routes import tracking_link
from portal.extensions import cache, db
from portal.staff import operations
from tests.support.clients import fresh_client, sign_in
from tests.support.dossiers import make_dossier
from tests.support.factories import make_account, make_agency

S = ds.DossierStatus


@pytest.fixture(autouse=True)
def _empty_cache(app):
    with app.app_context():
        cache.clear()


def test_next_steps_follow_the_status_tables():
    """Worked out from VIETNAM.md §4 and the counter's role: the desk receives (1), takes documents (5) and
    cash (6) at the counter and returns results (9); the processor starts (2) and works (4) a case."""
    assert ds.waiting_on("receptionist") == {S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.FEE_REQUESTED, S.DONE}
    assert ds.waiting_on("processor") == {S.RECEIVED, S.PROCESSING}
    assert ds.waiting_on("leader") == {S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED,
                                       S.FEE_REQUESTED, S.DONE}  # fmt: skip
    assert ds.waiting_on("agency_admin") == set()
    # Feedback waiting for the citizen's information is nobody's next step at the agency.
    assert fs.waiting_on("receptionist") == fs.waiting_on("processor") == {"new", "accepted"}


def _dossier(agency, status: int, name: str, **fields):
    dossier = make_dossier(name=name)
    dossier.agency_id, dossier.status = agency.id, status
    dossier.appointment_on = dossier.original_appointment_on = date(2030, 1, 7)
    for key, value in fields.items():
        setattr(dossier, key, value)
    return dossier


def test_take_next_and_claim_offer_each_role_only_its_next_steps(client):
    agency = make_agency()
    receptionist = make_account("receptionist", agency=agency)
    processor = make_account("processor", agency=agency)
    received = _dossier(agency, 2, "Chờ bắt đầu")
    ready = _dossier(agency, 9, "Có kết quả")
    db.session.flush()
    # The receptionist's next item is the result to hand over, never the case to start.
    assert operations.take_next(receptionist) == ("dossier", ready.id)
    assert operations.take_next(receptionist) is None
    with pytest.raises(operations.ClaimLost):
        operations.claim("dossier", received.id, receptionist)
    assert operations.take_next(processor) == ("dossier", received.id)
    # And the page offers "Claim" only on rows with a next step for the role.
    free = _dossier(agency, 4, "Đang xử lý")
    db.session.flush()
    sign_in(client, receptionist)
    body = client.get("/staff/queue").get_data(as_text=True)
    assert f'value="dossier:{free.id}"' not in body and free.code in body


def test_every_row_names_who_holds_it_and_the_working_days_left(client):
    agency = make_agency()
    processor = make_account("processor", agency=agency, full_name="Lò Văn <Xử>")
    held = _dossier(agency, 4, "Người A", assignee_id=processor.id)
    free = _dossier(agency, 4, "Người B")
    # Thu 24/12/2026 with 2 working days left is due Mon 28/12 (the weekend does not count).
    held.appointment_on = held.original_appointment_on = date(2026, 12, 28)
    db.session.flush()
    sign_in(client, processor)
    body = client.get("/staff/queue?lang=en").get_data(as_text=True)
    rows = dict(re.findall(r'<span class="title">([^<]+)</span>(.*?)</li>', body, re.S))
    assert "Held by: </span>Lò Văn &lt;Xử&gt;" in rows[held.code]
    assert "Unassigned" in rows[free.code]
    assert '<span class="q-act">' in rows[held.code] and 'name="release"' in rows[held.code]


def test_working_days_left_are_counted_on_the_calendar(app):
    from collections import namedtuple

    from portal.staff.queue_view import rows_html

    Row = namedtuple(
        "Row",
        "rank kind id code title status due assignee_id overdue legal_due"
        " requests paused_since finished_at result_file fee_bearing paid_online",
        defaults=(0, None, None, False, False, False),  # the Decision 766 hints' columns (portal.steering)
    )
    with app.test_request_context("/staff/queue?lang=en"):
        app.preprocess_request()
        # Thu 24/12/2026: Fri 25 is day 1, Mon 28 day 2 (weekend skipped); Fri 18 is 4 working days late.
        today = date(2026, 12, 24)
        written = rows_html(
            [
                Row(1, "dossier", 1, "X-1", "a", "4", date(2026, 12, 28), None, False, None),
                Row(1, "dossier", 2, "X-2", "b", "4", today, None, False, None),
                Row(1, "dossier", 3, "X-3", "c", "4", date(2026, 12, 18), None, True, None),
            ],
            today,
            1,
            "processor",
        )
    assert "(2 wd left)" in written and "(due today)" in written and "(4 wd late)" in written


def test_a_leader_filters_what_awaits_approval_with_its_count(client):
    agency = make_agency()
    leader = make_account("leader", agency=agency)
    proposed = _dossier(agency, 4, "Chờ duyệt", result_proposed=True)
    _dossier(agency, 4, "Chưa đề xuất")
    db.session.flush()
    sign_in(client, leader)
    body = client.get("/staff/queue?lang=en").get_data(as_text=True)
    assert "Awaiting my approval (1)" in body
    filtered = client.get("/staff/queue?approval=1&lang=en").get_data(as_text=True)
    assert re.findall(r'<span class="title">([^<]+)</span>', filtered) == [proposed.code]
    # Not a leader: no such filter, and the parameter filters nothing.
    other = fresh_client(client.application)
    sign_in(other, make_account("processor", agency=agency))
    body = other.get("/staff/queue?approval=1&lang=en").get_data(as_text=True)
    assert "Awaiting my approval" not in body and body.count('<span class="title">') == 2


def test_the_search_box_has_focus_and_opens_a_scanned_receipt(client):
    agency = make_agency()
    processor = make_account("processor", agency=agency)
    dossier = _dossier(agency, 4, "Quét mã")
    db.session.flush()
    sign_in(client, processor)
    body = client.get("/staff/queue").get_data(as_text=True)
    assert re.search(r'<input id="q" name="q" type="search"[^>]* autofocus', body)
    with client.application.test_request_context():
        scanned = tracking_link(dossier)
    for typed in (scanned, dossier.code, dossier.code.lower()):
        response = client.get("/staff/queue", query_string={"q": typed})
        assert response.status_code == 302, typed
        assert response.headers["Location"].endswith(f"/staff/dossiers/{dossier.code}")
    # Another agency's dossier is not opened (nor found): the search runs and finds nothing.
    foreign = make_dossier(name="Cơ quan khác")
    db.session.flush()
    response = client.get("/staff/queue", query_string={"q": foreign.code})
    assert response.status_code == 200
    assert f'<span class="title">{foreign.code}' not in response.get_data(as_text=True)


def test_the_dossier_list_pages_beyond_its_page_size(client, monkeypatch):
    """/staff/dossiers showed the first 100 and no more; now every dossier is reached by "Next page", each
    once, in appointment order with the dossiers without a date last."""
    from portal.dossiers import queries

    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    agency = make_agency()
    officer = make_account("processor", agency=agency)
    made = [_dossier(agency, 4, f"Trang {n}") for n in range(5)]
    made[1].appointment_on = date(2029, 1, 2)
    made[3].appointment_on = None
    made[4].appointment_on = None
    db.session.flush()
    sign_in(client, officer)
    seen, url = [], "/staff/dossiers"
    for _page in range(5):
        body = client.get(url).get_data(as_text=True)
        seen += re.findall(r'<span class="title">([^<]+)</span>', body)
        found = re.search(r'<a class="button secondary" href="([^"]+)">', body)
        if not found:
            break
        url = found[1].replace("&amp;", "&")
    assert seen == [made[1].code, made[0].code, made[2].code, made[3].code, made[4].code]
