"""Conduct complaints go above the named unit (issue 14 item 4): the routing, the hidden reporter, and the
audited reveal, with who may and who may not."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.events.models import Event
from portal.extensions import db
from portal.feedback import operations
from portal.feedback.conduct import REVEAL_ACTION
from portal.feedback.models import FeedbackCategory
from tests.support.clients import sign_in
from tests.support.factories import make_account, make_agency
from tests.support.feedback import NAME, PHONE, TO_HIEU_COMMUNE, agency_id, make_item

SLUG = "hanh-vi-can-bo"


def ward() -> Agency:
    """The People's Committee of the commune where the complaint's place is: the named unit."""
    return db.session.scalar(select(Agency).where(Agency.admin_unit_code == TO_HIEU_COMMUNE))


@pytest.fixture
def complaint(app):
    """A complaint about an official of the commune where it happened (the named unit)."""
    return make_item(category=SLUG, agency=None, commune=TO_HIEU_COMMUNE, show_name=True)


def test_the_category_is_seeded(app):
    category = db.session.scalar(select(FeedbackCategory).where(FeedbackCategory.slug == SLUG))
    assert category.protects_reporter and category.subject == "conduct" and category.is_active


def test_it_goes_to_the_province_above_the_named_ward(complaint):
    assert complaint.named_agency_id == ward().id
    assert complaint.agency_id == agency_id("ubnd-tinh")  # no supervisor configured: the province
    assert complaint.reporter_hidden and not complaint.show_name  # never shown publicly either
    assert NAME.split()[-1].lower() not in complaint.search_key and "912345678" not in complaint.search_key


def test_it_goes_to_the_configured_supervisor(app):
    district = make_agency("department", name="Cơ quan giám sát thử")
    ward().supervisor_id = district.id
    item = make_item(category=SLUG, agency=None, commune=TO_HIEU_COMMUNE)
    assert (item.agency_id, item.named_agency_id) == (district.id, ward().id)


def test_the_named_unit_never_sees_it(client, complaint):
    for role in ("processor", "leader"):
        sign_in(client, make_account(role, agency=ward()))
        assert client.get(f"/staff/feedback/{complaint.code}").status_code == 404
        response = client.post(f"/staff/steering/feedback/{complaint.code}/reveal", data={"reason": "x" * 20})
        assert response.status_code in (403, 404)
        client.post("/logout")


def test_it_cannot_be_forwarded_to_the_named_unit(app, complaint):
    leader = make_account("leader", agency="ubnd-tinh")
    with pytest.raises(operations.FeedbackError):
        operations.staff_act(complaint, operations.A.FORWARD, leader, agency_id=ward().id)


def test_the_handling_officer_sees_no_identity_and_cannot_reveal(client, complaint):
    sign_in(client, make_account("processor", agency="ubnd-tinh"))
    page = client.get(f"/staff/feedback/{complaint.code}?lang=en").get_data(as_text=True)
    assert "Identity protected" in page
    assert NAME not in page and PHONE[-6:] not in page and "pom@example.com" not in page
    assert "Reveal the reporter" not in page
    response = client.post(f"/staff/steering/feedback/{complaint.code}/reveal", data={"reason": "x" * 20})
    assert response.status_code == 403


def _reveals(item) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event).where(
                Event.subject_type == "feedback", Event.subject_id == item.id, Event.action == REVEAL_ACTION
            )
        )
    )


def test_a_leader_reveals_with_a_reason_and_it_is_recorded(client, complaint):
    leader = make_account("leader", agency="ubnd-tinh")
    sign_in(client, leader)
    page = client.get(f"/staff/feedback/{complaint.code}?lang=en").get_data(as_text=True)
    assert "Reveal the reporter" in page and NAME not in page
    # no reason: nothing shown, nothing recorded
    response = client.post(f"/staff/steering/feedback/{complaint.code}/reveal", data={"reason": "vì"})
    assert response.status_code == 302 and _reveals(complaint) == []
    reason = "Cần xác minh lời khai với người phản ánh"
    response = client.post(f"/staff/steering/feedback/{complaint.code}/reveal", data={"reason": reason})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and NAME in body and response.headers["Cache-Control"] == "no-store"
    (event,) = _reveals(complaint)
    assert event.actor_id == leader.id and event.note == reason and not event.is_public
    # the next view is hidden again: every reveal is its own recorded action
    assert NAME not in client.get(f"/staff/feedback/{complaint.code}").get_data(as_text=True)
    timeline = client.get(f"/staff/feedback/{complaint.code}?lang=en").get_data(as_text=True)
    assert "Reporter&#39;s identity revealed" in timeline or "Reporter's identity revealed" in timeline


def test_the_province_admin_may_reveal(client, complaint):
    sign_in(client, make_account("admin", agency=None))
    response = client.post(
        f"/staff/steering/feedback/{complaint.code}/reveal", data={"reason": "Thanh tra yêu cầu"}
    )
    assert response.status_code == 200 and len(_reveals(complaint)) == 1


def test_an_ordinary_report_is_unchanged(app):
    item = make_item(category="giao-thong", agency=None)
    assert item.named_agency_id is None and not item.reporter_hidden and "912345678" in item.search_key


def test_the_province_admin_sets_the_supervisor_and_the_category_flag(client, app):
    from portal.agencies.models import Agency as A

    admin = make_account("admin", agency=None)
    sign_in(client, admin)
    named, above = ward(), make_agency("department", name="Cơ quan cấp trên thử")
    page = client.get(f"/staff/admin/agencies/{named.id}").get_data(as_text=True)
    assert 'name="supervisor"' in page
    response = client.post(
        f"/staff/admin/agencies/{named.id}",
        data={"name": named.name, "name_en": named.name_en, "code": named.code, "supervisor": str(above.id)},
    )
    assert response.status_code == 302
    assert db.session.get(A, named.id).supervisor_id == above.id
    item = make_item(category=SLUG, agency=None, commune=TO_HIEU_COMMUNE)
    assert item.agency_id == above.id
    category = db.session.scalar(select(FeedbackCategory).where(FeedbackCategory.slug == "giao-thong"))
    page = client.get(f"/staff/admin/categories/{category.id}").get_data(as_text=True)
    assert 'name="protects_reporter"' in page


def test_an_agency_admin_cannot_turn_the_protection_off(app):
    from portal.feedback.admin_operations import update_category

    category = db.session.scalar(select(FeedbackCategory).where(FeedbackCategory.slug == SLUG))
    category.default_agency_id = ward().id  # so that the ward's own administrator may edit it at all
    agency_admin = make_account("agency_admin", agency=ward())
    update_category(
        category,
        agency_admin,
        name=category.name,
        name_en=category.name_en,
        response_days=15,
        is_urgent=False,
        subject="conduct",
        default_agency_id=category.default_agency_id,
        is_active=True,
        protects_reporter=False,
    )
    assert category.protects_reporter
