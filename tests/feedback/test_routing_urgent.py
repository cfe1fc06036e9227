"""Feedback reaches the unit that must act, urgent first and marked (issue 16 items 2 and 3).

Routing is by category and commune: a category whose first responder is the commune (village roads, waste,
lighting, landslides, flash floods, forest fires, other hazards) has no department and goes to the People's
Committee of the commune where the problem is; any other to its department. Urgent categories sort to the top
of every queue with a "Khẩn" mark."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.calendar.queries import local_now
from portal.domain.feedback_status import FeedbackAction as A
from portal.events.models import Event
from portal.extensions import db
from portal.feedback import operations
from portal.feedback.demo import DEMO_DOMAIN
from portal.feedback.models import Feedback, FeedbackCategory
from portal.staff import operations as staff_operations
from portal.staff.queries import QueueFilter, queue_page
from tests.support.clients import signed_in
from tests.support.factories import make_account, make_agency
from tests.support.feedback import agency_id, category_id, make_item, web_submit

TO_HIEU_WARD = "03646"  # Phường Tô Hiệu
CHIENG_COI_WARD = "03670"  # Phường Chiềng Cơi
URGENT = {"sat-lo", "lu-quet", "chay-rung", "thien-tai"}
# Written from the issue: the commune is the first responder for these; the rest go to their department.
COMMUNE_FIRST = URGENT | {"giao-thong", "moi-truong", "dien-chieu-sang"}
ABOVE_THE_NAMED_UNIT = {"hanh-vi-can-bo"}
DEPARTMENT = {
    "trat-tu-xay-dung": "so-xay-dung",
    "cap-thoat-nuoc": "so-xay-dung",
    "dat-dai": "so-nong-nghiep-moi-truong",
    "y-te-attp": "so-y-te",
    "giao-duc": "so-giao-duc-dao-tao",
    "an-ninh-trat-tu": "cong-an-tinh",
    "thu-tuc-can-bo": "so-noi-vu",
    "nong-lam-nghiep": "so-nong-nghiep-moi-truong",
    "khac": "ubnd-tinh",
}


def ward_agency(unit_code: str) -> int:
    return db.session.scalar(select(Agency.id).where(Agency.admin_unit_code == unit_code))


def test_the_seeded_routing_table(app):
    categories = {c.slug: c for c in db.session.scalars(select(FeedbackCategory))}
    assert set(categories) == COMMUNE_FIRST | set(DEPARTMENT) | ABOVE_THE_NAMED_UNIT
    assert {slug for slug, c in categories.items() if c.is_urgent} == URGENT
    for slug in COMMUNE_FIRST | ABOVE_THE_NAMED_UNIT:
        assert categories[slug].default_agency_id is None, slug
    # A complaint about an official names the commune's People's Committee and goes above it: with no
    # supervisor configured, to the province (portal/feedback/conduct.py; tests/steering/test_conduct.py).
    for slug in ABOVE_THE_NAMED_UNIT:
        item = make_item(category=slug, commune=TO_HIEU_WARD, agency=None)
        assert item.agency.slug == "ubnd-tinh" and item.named_agency_id == ward_agency(TO_HIEU_WARD), slug
    for slug, department in DEPARTMENT.items():
        assert categories[slug].default_agency_id == agency_id(department), slug


@pytest.mark.parametrize("slug", sorted(COMMUNE_FIRST))
@pytest.mark.parametrize("unit", [TO_HIEU_WARD, CHIENG_COI_WARD])
def test_a_commune_first_report_goes_to_the_people_s_committee_of_its_place(app, slug, unit):
    item = make_item(category=slug, commune=unit, agency=None)
    assert item.agency_id == ward_agency(unit)
    assert item.queue_rank == (0 if slug in URGENT else 1)


@pytest.mark.parametrize("slug", sorted(DEPARTMENT))
def test_any_other_report_goes_to_its_department_wherever_it_is(app, slug):
    for unit in (TO_HIEU_WARD, CHIENG_COI_WARD):
        assert make_item(category=slug, commune=unit, agency=None).agency_id == agency_id(DEPARTMENT[slug])


def test_the_citizen_s_landslide_report_from_to_hieu_reaches_the_ward(client, app):
    response = web_submit(client, category=str(category_id("sat-lo")), commune=TO_HIEU_WARD)
    assert response.status_code == 302
    item = db.session.scalar(select(Feedback).order_by(Feedback.id.desc()))
    assert item.agency.slug == "ubnd-phuong-to-hieu" and item.queue_rank == 0


def test_forwarding_stays_available(app):
    item = make_item(category="sat-lo", commune=TO_HIEU_WARD, agency=None)
    leader = make_account("leader", agency=item.agency)
    operations.staff_act(item, A.FORWARD, leader, agency_id=agency_id("so-nong-nghiep-moi-truong"))
    assert item.agency_id == agency_id("so-nong-nghiep-moi-truong")


def test_every_demo_urgent_report_is_at_the_top_of_the_ward_s_queue_with_its_mark(app):
    """The demo data: one report in every urgent category, from Phường Tô Hiệu, whose demo staff work the queue."""
    to_hieu = ward_agency(TO_HIEU_WARD)
    demo = db.session.scalars(select(Feedback).where(Feedback.email.like(f"%{DEMO_DOMAIN}"))).all()
    urgent = [item for item in demo if item.category.is_urgent]
    assert {item.category.slug for item in urgent} == URGENT
    assert all(item.agency_id == to_hieu for item in urgent)
    assert db.session.get(Agency, to_hieu).slug == "ubnd-phuong-to-hieu"  # the demo staff's agency
    rows, _next = queue_page(QueueFilter(agency_id=to_hieu, me=0), local_now().date())
    top = [row.code for row in rows[: len(urgent)]]
    assert set(top) == {item.code for item in urgent}
    assert all(row.rank == 0 for row in rows[: len(urgent)])
    assert all(row.rank == 1 for row in rows[len(urgent) :])


def test_the_queue_page_marks_urgent_rows_khan(app):
    officer = make_account("processor", agency=db.session.get(Agency, ward_agency(TO_HIEU_WARD)))
    db.session.commit()
    body = signed_in(app, officer).get("/staff/queue").get_data(as_text=True)
    first = body[body.index('<ul class="report-list') :]
    first = first[: first.index("</li>")]
    assert '<strong class="urgent">Khẩn</strong>' in first
    feedback_list = signed_in(app, officer).get("/staff/feedback").get_data(as_text=True)
    assert '<strong class="urgent">Khẩn</strong>' in feedback_list


def test_urgent_first_on_every_page_of_a_queue_walked_two_rows_at_a_time(app):
    agency = make_agency()
    today = local_now().date()
    made = []
    for n in range(7):
        item = make_item(agency=agency.slug, category="sat-lo" if n % 3 == 0 else "giao-thong")
        item.due_on = today + timedelta(days=(n * 5) % 7 - 3)  # urgent ones due later than some others
        made.append(item)
    db.session.flush()
    seen, after = [], None
    for _page in range(10):
        rows, after = queue_page(QueueFilter(agency_id=agency.id, me=0, after=after), today, size=2)
        seen += rows
        if after is None:
            break
    expected = sorted(made, key=lambda i: (i.queue_rank, i.queue_due, i.id))
    assert [row.code for row in seen] == [item.code for item in expected]
    assert [row.rank for row in seen][:3] == [0, 0, 0]


def test_take_next_takes_the_urgent_report_first(app):
    agency = make_agency()
    officer = make_account("processor", agency=agency)
    plain = make_item(agency=agency.slug, category="giao-thong")
    plain.due_on = local_now().date() - timedelta(days=5)  # overdue, but not urgent
    urgent = make_item(agency=agency.slug, category="chay-rung")
    db.session.flush()
    assert staff_operations.take_next(officer) == ("feedback", urgent.id)


def test_an_administrator_marking_a_category_urgent_moves_its_open_items_up(app):
    from portal.feedback.admin_operations import update_category

    item = make_item(category="cap-thoat-nuoc")
    assert item.queue_rank == 1
    category = item.category
    admin = make_account("admin")
    update_category(
        category,
        admin,
        name=category.name,
        name_en=category.name_en,
        response_days=category.response_days,
        is_urgent=True,
        subject=category.subject,
        default_agency_id=None,
        is_active=True,
    )
    db.session.refresh(item)
    assert item.queue_rank == 0
    audit = db.session.scalars(
        select(Event).where(Event.subject_type == "feedback_category", Event.subject_id == category.id)
    ).all()
    assert "is_urgent" in json.dumps(json.loads(audit[-1].note))
