"""Response templates: an agency admin writes their agency's; the province admin any, including
province-wide ones (no agency) that every agency's officers see."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.domain.feedback_status import FeedbackAction
from portal.extensions import db
from portal.feedback import operations as feedback_operations
from portal.feedback.models import ResponseTemplate
from tests.support.admin import (
    ADMIN,
    AGENCY_ADMIN,
    HEALTH,
    PROCESSOR,
    account,
    agency,
    body,
    change,
    errors,
    events,
    health_admin,
    signed_in,
    template_of,
)
from tests.support.feedback import make_item

TO_HIEU = "ubnd-phuong-to-hieu"


def total() -> int:
    return db.session.scalar(select(func.count(ResponseTemplate.id)))


def answer_page(app) -> str:
    """A Tô Hiệu feedback item's staff page where the answer form offers the templates."""
    item = make_item()
    feedback_operations.staff_act(item, FeedbackAction.ACCEPT, account(PROCESSOR))
    return body(signed_in(app, PROCESSOR).get(f"/staff/feedback/{item.code}"))


def newest() -> ResponseTemplate:
    return db.session.scalar(select(ResponseTemplate).order_by(ResponseTemplate.id.desc()).limit(1))


def test_agency_admin_creates_a_template_for_their_agency(app):
    client = signed_in(app, AGENCY_ADMIN)
    response = client.post(
        "/staff/admin/templates/new",
        data={
            "title": "Đã khắc phục",
            "body": "Kính gửi ông/bà,\nSự việc đã được khắc phục.",
            "is_active": "y",
            "agency": str(agency(TO_HIEU).id),
        },
    )
    assert response.status_code == 302
    created = newest()
    assert (created.title, created.agency_id, created.is_active) == ("Đã khắc phục", agency(TO_HIEU).id, True)
    assert created.body == "Kính gửi ông/bà,\nSự việc đã được khắc phục."
    [event] = events("response_template", created.id, "template_created")
    assert event.actor_id == account(AGENCY_ADMIN).id
    assert change(event)["after"]["agency_id"] == agency(TO_HIEU).id
    # the agency's officers now see it on a feedback item
    assert "Đã khắc phục" in answer_page(app)


@pytest.mark.parametrize("target", ["", "HEALTH"])
def test_agency_admin_cannot_write_for_the_province_or_another_agency(app, target):
    before = total()
    response = signed_in(app, AGENCY_ADMIN).post(
        "/staff/admin/templates/new?lang=en",
        data={"title": "Mẫu", "body": "Nội dung", "agency": str(agency(HEALTH).id) if target else ""},
    )
    assert response.status_code == 400
    assert "Not a valid choice." in errors(response)
    assert total() == before


def test_admin_creates_a_province_wide_template_every_agency_sees(app):
    response = signed_in(app, ADMIN).post(
        "/staff/admin/templates/new",
        data={"title": "Cảm ơn", "body": "Cảm ơn ông/bà đã phản ánh.", "agency": "", "is_active": "y"},
    )
    assert response.status_code == 302
    created = newest()
    assert created.agency_id is None
    listing = body(health_admin(app).get("/staff/admin/templates"))
    assert "Cảm ơn" in listing  # listed, read only
    assert f'/staff/admin/templates/{created.id}"' not in listing
    response = signed_in(app, AGENCY_ADMIN).post(
        f"/staff/admin/templates/{created.id}", data={"title": "Đổi", "body": "x", "agency": ""}
    )
    response.close()
    assert response.status_code == 404
    db.session.refresh(created)
    assert created.title == "Cảm ơn"


def test_edit_and_deactivate_write_events(app):
    row = template_of(TO_HIEU)
    client = signed_in(app, AGENCY_ADMIN)
    response = client.post(
        f"/staff/admin/templates/{row.id}",
        data={"title": "Tiêu đề mới", "body": row.body, "agency": str(row.agency_id), "is_active": "y"},
    )
    assert response.status_code == 302
    assert client.post(f"/staff/admin/templates/{row.id}/active", data={"active": "0"}).status_code == 302
    db.session.refresh(row)
    assert (row.title, row.is_active) == ("Tiêu đề mới", False)
    updated, deactivated = events("response_template", row.id)
    assert (updated.action, deactivated.action) == ("template_updated", "template_deactivated")
    assert change(updated)["after"] == {"title": "Tiêu đề mới"}
    assert change(deactivated) == {"before": {"is_active": True}, "after": {"is_active": False}}
    others = db.session.scalars(
        select(ResponseTemplate.title).where(
            ResponseTemplate.agency_id == row.agency_id, ResponseTemplate.is_active
        )
    ).all()
    page = answer_page(app)
    assert others and all(title in page for title in others)  # the still-active templates are offered
    assert "Tiêu đề mới" not in page


def test_empty_title_or_text_changes_nothing(app):
    row = template_of(TO_HIEU)
    title = row.title
    client = signed_in(app, ADMIN)
    for data, message in (
        ({"title": " ", "body": "x"}, "Enter a title."),
        ({"title": "x", "body": ""}, "Write the text."),
    ):
        response = client.post(
            f"/staff/admin/templates/{row.id}?lang=en",
            data={**data, "agency": str(row.agency_id), "is_active": "y"},
        )
        assert response.status_code == 400
        assert message in errors(response)
    db.session.refresh(row)
    assert row.title == title
    assert events("response_template", row.id) == []


def test_another_agencys_template_is_not_found(app):
    row = template_of(TO_HIEU)
    response = health_admin(app).post(f"/staff/admin/templates/{row.id}/active", data={"active": "0"})
    response.close()
    assert response.status_code == 404
    db.session.refresh(row)
    assert row.is_active
