"""Staff routes of feedback: who may open what, which actions each role gets, agency scoping, audit of
views, forwarding and the duplicate hint (SECURITY.md B7, B8, I32)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db_types import utcnow
from portal.domain.feedback_status import FeedbackAction as A
from portal.feedback import operations
from portal.places.models import AdminUnit
from tests.support.clients import fresh_client, signed_in
from tests.support.factories import TO_HIEU, account, other_agency_staff
from tests.support.feedback import TO_HIEU_COMMUNE, agency_id, events_of, make_item

ADMIN = "admin"
AGENCY_ADMIN = "agency_admin"
CITIZEN = "citizen"
LEADER = "leader"
PROCESSOR = "processor"
RECEPTIONIST = "receptionist"


def action_forms(body: str, code: str) -> set[str]:
    return set(re.findall(rf'action="/staff/feedback/{re.escape(code)}/([a-z_]+)"', body))


def listed(response, code: str) -> bool:
    """The queue page links to the item (the bare code may also appear in, e.g., the echoed search)."""
    return f'href="/staff/feedback/{code}"' in response.get_data(as_text=True)


def other_agency_client(app, remote_addr="10.0.0.9"):
    return signed_in(app, other_agency_staff(), remote_addr=remote_addr)


# ----------------------------------------------------------------------------------------------- who gets in


def test_anonymous_is_sent_to_login(app):
    item = make_item()
    client = fresh_client(app)
    for response in (
        client.get("/staff/feedback"),
        client.get(f"/staff/feedback/{item.code}"),
        client.post(f"/staff/feedback/{item.code}/accept"),
    ):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    assert item.status == "new" and [e.action for e in events_of(item)] == ["submitted"]


def test_one_client_signing_in_does_not_sign_in_another(app):
    item = make_item()
    assert signed_in(app, ADMIN).get(f"/staff/feedback/{item.code}").status_code == 200
    anonymous = fresh_client(app)
    assert anonymous.get(f"/staff/feedback/{item.code}").status_code == 302
    assert app.test_client().get("/staff/feedback").status_code == 302  # the suite's own client too


def test_a_citizen_is_refused(app):
    item = make_item()
    citizen = signed_in(app, CITIZEN)
    assert citizen.get("/staff/feedback").status_code == 403
    assert citizen.get(f"/staff/feedback/{item.code}").status_code == 403
    assert citizen.post(f"/staff/feedback/{item.code}/accept").status_code == 403
    assert item.status == "new" and [e.action for e in events_of(item)] == ["submitted"]


NEW_ACTIONS = {"accept", "refuse", "mark_duplicate", "request_info", "forward", "note"}
ACCEPTED_ACTIONS = {"refuse", "mark_duplicate", "request_info", "forward", "note"}


@pytest.mark.parametrize(
    ("email", "on_new", "on_accepted"),
    [
        (RECEPTIONIST, NEW_ACTIONS, ACCEPTED_ACTIONS),
        (PROCESSOR, NEW_ACTIONS, ACCEPTED_ACTIONS | {"answer"}),
        (LEADER, NEW_ACTIONS | {"assign"}, ACCEPTED_ACTIONS | {"answer", "assign"}),
        (AGENCY_ADMIN, NEW_ACTIONS | {"assign"}, ACCEPTED_ACTIONS | {"assign"}),
    ],
)
def test_each_role_of_the_agency_sees_the_queue_and_only_its_actions(app, email, on_new, on_accepted):
    new, accepted = make_item(), make_item(title="Ổ gà trên đường Tô Hiệu")
    operations.staff_act(accepted, A.ACCEPT, account(PROCESSOR))
    staff = signed_in(app, email)
    queue = staff.get("/staff/feedback")
    assert queue.status_code == 200
    assert listed(queue, new.code) and listed(queue, accepted.code)
    page = staff.get(f"/staff/feedback/{new.code}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert action_forms(page.get_data(as_text=True), new.code) == on_new
    assert (
        action_forms(staff.get(f"/staff/feedback/{accepted.code}").get_data(as_text=True), accepted.code)
        == on_accepted
    )


@pytest.mark.parametrize(
    ("email", "start", "action", "data"),
    [
        (RECEPTIONIST, "accepted", "answer", {"note": "Đã xử lý."}),
        (AGENCY_ADMIN, "accepted", "answer", {"note": "Đã xử lý."}),
        (PROCESSOR, "accepted", "assign", {"assignee": "PROCESSOR_ID"}),
        (RECEPTIONIST, "accepted", "assign", {"assignee": "PROCESSOR_ID"}),
        (PROCESSOR, "answered", "reopen", {}),
        (RECEPTIONIST, "answered", "close", {}),
        (PROCESSOR, "answered", "rate_satisfied", {}),
        (PROCESSOR, "info_requested", "supply_info", {"note": "x"}),
    ],
)
def test_a_role_cannot_post_an_action_it_does_not_have(app, email, start, action, data):
    item = make_item()
    processor = account(PROCESSOR)
    if start in ("accepted", "answered"):
        operations.staff_act(item, A.ACCEPT, processor)
    if start == "answered":
        operations.staff_act(item, A.ANSWER, processor, note="Đã trả lời.")
    if start == "info_requested":
        operations.staff_act(item, A.REQUEST_INFO, processor, note="Xin thêm ảnh.")
    data = {key: str(processor.id) if value == "PROCESSOR_ID" else value for key, value in data.items()}
    before = (item.status, item.assignee_id, item.answer, [e.id for e in events_of(item)])
    staff = signed_in(app, email)
    assert staff.post(f"/staff/feedback/{item.code}/{action}", data=data).status_code == 403
    assert (item.status, item.assignee_id, item.answer, [e.id for e in events_of(item)]) == before


def test_allowed_actions_through_the_web(app):
    item = make_item()
    leader = signed_in(app, LEADER)
    processor = account(PROCESSOR)
    assert leader.post(f"/staff/feedback/{item.code}/accept").status_code == 302
    response = leader.post(f"/staff/feedback/{item.code}/assign", data={"assignee": processor.id})
    assert response.status_code == 302
    assert item.status == "accepted" and item.assignee_id == processor.id
    staff = signed_in(app, PROCESSOR)
    # Extra fields are ignored: only the action's own effect happens.
    response = staff.post(
        f"/staff/feedback/{item.code}/answer",
        data={"note": "Đã dọn xong.", "status": "closed", "agency": agency_id("so-y-te")},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/feedback/{item.code}")
    assert item.status == "answered" and item.answer == "Đã dọn xong."
    assert item.agency_id == agency_id(TO_HIEU)
    assert [e.action for e in events_of(item)] == ["submitted", "accept", "assign", "answer"]


def test_an_impossible_or_incomplete_action_changes_nothing(app):
    item = make_item()
    staff = signed_in(app, PROCESSOR)
    before = [e.id for e in events_of(item)]
    wrong_status = staff.post(f"/staff/feedback/{item.code}/answer", data={"note": "Quá sớm"})
    no_reason = staff.post(f"/staff/feedback/{item.code}/refuse", data={"reason": ""})
    bad_reason = staff.post(f"/staff/feedback/{item.code}/refuse", data={"reason": "because"})
    for response in (wrong_status, no_reason, bad_reason):
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/staff/feedback/{item.code}")
    assert item.status == "new" and item.refusal_reason == "" and item.answer == ""
    assert [e.id for e in events_of(item)] == before


@pytest.mark.parametrize("action", ["publish", "delete", "viewed", "submitted", "ACCEPT", "accept.json"])
def test_unknown_action_is_404(app, action):
    item = make_item()
    staff = signed_in(app, LEADER)
    assert staff.post(f"/staff/feedback/{item.code}/{action}").status_code == 404
    assert item.status == "new"


def test_unknown_code_is_404(app):
    staff = signed_in(app, ADMIN)
    assert staff.get("/staff/feedback/PA-000000-0000").status_code == 404
    assert staff.post("/staff/feedback/PA-000000-0000/accept").status_code == 404


# ---------------------------------------------------------------------------------------------- agency scope


def test_staff_of_another_agency_cannot_see_or_touch_the_item(app):
    item = make_item()
    other = other_agency_client(app)
    queue = other.get("/staff/feedback")
    assert queue.status_code == 200 and not listed(queue, item.code)
    assert not listed(other.get("/staff/feedback", query_string={"q": item.code}), item.code)
    assert listed(signed_in(app, ADMIN).get("/staff/feedback", query_string={"q": item.code}), item.code)
    assert other.get(f"/staff/feedback/{item.code}").status_code == 404
    assert other.post(f"/staff/feedback/{item.code}/accept").status_code == 404
    forward = other.post(f"/staff/feedback/{item.code}/forward", data={"agency": agency_id("so-y-te")})
    assert forward.status_code == 404
    assert item.status == "new" and item.agency_id == agency_id(TO_HIEU)
    assert [e.action for e in events_of(item)] == ["submitted"]  # not even a "viewed"


def test_the_admin_sees_every_agency(app):
    here, elsewhere = make_item(), make_item(agency="so-y-te", title="Quán ăn mất vệ sinh")
    admin = signed_in(app, ADMIN)
    queue = admin.get("/staff/feedback")
    assert listed(queue, here.code) and listed(queue, elsewhere.code)
    assert admin.get(f"/staff/feedback/{elsewhere.code}").status_code == 200
    to_hieu = signed_in(app, RECEPTIONIST).get("/staff/feedback")
    assert listed(to_hieu, here.code) and not listed(to_hieu, elsewhere.code)


def test_viewing_an_item_is_audited(app):
    item = make_item()
    receptionist = account(RECEPTIONIST)
    staff = signed_in(app, RECEPTIONIST, remote_addr="10.1.2.3")
    assert staff.get(f"/staff/feedback/{item.code}").status_code == 200
    assert staff.get(f"/staff/feedback/{item.code}").status_code == 200
    viewed = [e for e in events_of(item) if e.action == "viewed"]
    assert len(viewed) == 2
    assert all(e.actor_id == receptionist.id and not e.is_public for e in viewed)
    assert all(e.ip_address == "10.1.2.3" for e in viewed)
    assert staff.get("/staff/feedback").status_code == 200  # the queue shows masked phones: no view event
    assert len([e for e in events_of(item) if e.action == "viewed"]) == 2


def test_forward_moves_the_item_to_the_other_agency_queue(app):
    item = make_item()
    leader = signed_in(app, LEADER)
    response = leader.post(
        f"/staff/feedback/{item.code}/forward",
        data={"agency": agency_id("so-y-te"), "note": "Thuộc thẩm quyền ngành y tế"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/feedback")
    assert item.agency_id == agency_id("so-y-te") and item.status == "new"
    assert not listed(leader.get("/staff/feedback"), item.code)
    assert leader.get(f"/staff/feedback/{item.code}").status_code == 404
    other = other_agency_client(app)
    assert listed(other.get("/staff/feedback"), item.code)
    assert other.get(f"/staff/feedback/{item.code}").status_code == 200
    forward = [e for e in events_of(item) if e.action == "forward"]
    assert len(forward) == 1 and forward[0].is_public


def test_overdue_items_are_highlighted_in_the_queue(app):
    late = make_item(now=utcnow() - timedelta(days=60), title="Phản ánh quá hạn")
    fresh = make_item(title="Phản ánh mới")
    body = signed_in(app, PROCESSOR).get("/staff/feedback").get_data(as_text=True)
    blocks = {
        code: block
        for block in re.split(r"<li\b", body)[1:]
        for code in (late.code, fresh.code)
        if f'/staff/feedback/{code}"' in block
    }
    assert "overdue" in blocks[late.code] and "overdue" not in blocks[fresh.code]


# ------------------------------------------------------------------------------------------------ duplicates


def test_duplicate_hint_lists_nearby_open_items_of_the_same_category(app):
    other_commune = next(code for code in select_unit_codes() if code != TO_HIEU_COMMUNE)
    item = make_item()
    nearby = make_item(title="Sạt lở đất đá trên đường Hua La")
    far = make_item(commune=other_commune, title="Sạt lở ở xã khác")
    other_category = make_item(category="dien-chieu-sang", title="Đèn đường hỏng")
    old = make_item(now=utcnow() - timedelta(days=45), title="Sạt lở năm ngoái")
    closed = make_item(title="Sạt lở đã xử lý")
    operations.staff_act(closed, A.REFUSE, account(PROCESSOR), reason="spam")
    staff = signed_in(app, PROCESSOR)
    body = staff.get(f"/staff/feedback/{item.code}").get_data(as_text=True)
    assert nearby.code in body
    for unrelated in (far, other_category, old, closed):
        assert unrelated.code not in body

    response = staff.post(
        f"/staff/feedback/{item.code}/mark_duplicate", data={"duplicate_of": nearby.code.lower()}
    )
    assert response.status_code == 302
    assert item.status == "refused" and item.duplicate_of_id == nearby.id
    assert item.refusal_reason == "duplicate"
    assert nearby.status == "new"


def test_cannot_mark_a_duplicate_of_another_agency_item(app):
    item = make_item()
    elsewhere = make_item(agency="so-y-te")
    staff = signed_in(app, PROCESSOR)
    assert (
        staff.post(
            f"/staff/feedback/{item.code}/mark_duplicate", data={"duplicate_of": elsewhere.code}
        ).status_code
        == 302
    )
    assert item.status == "new" and item.duplicate_of_id is None


def select_unit_codes() -> list[str]:
    from portal.extensions import db

    return list(db.session.scalars(select(AdminUnit.code).order_by(AdminUnit.code).limit(5)))


@pytest.mark.parametrize(("action", "field"), [("forward", "agency"), ("assign", "assignee")])
def test_out_of_range_ids_are_refused_politely(app, action, field):
    item = make_item()
    operations.staff_act(item, A.ACCEPT, account(PROCESSOR))
    leader = signed_in(app, LEADER)
    response = leader.post(f"/staff/feedback/{item.code}/{action}", data={field: "99999999999999999999"})
    assert response.status_code == 302
    assert item.agency_id == agency_id(TO_HIEU) and item.assignee_id is None
