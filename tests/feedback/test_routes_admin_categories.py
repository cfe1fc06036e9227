"""Feedback categories: the province admin edits all; an agency admin edits those their agency receives by
default, without handing them to another agency."""

from __future__ import annotations

import pytest

from portal.extensions import db
from tests.support.admin import (
    ADMIN,
    AGENCY_ADMIN,
    HEALTH,
    HEALTH_CATEGORY,
    agency,
    category,
    change,
    errors,
    events,
    health_admin,
    signed_in,
)


def form(row, **overrides):
    data = {
        "name": row.name,
        "name_en": row.name_en,
        "response_days": str(row.response_days),
        "subject": row.subject,
        "receiving_agency": str(row.default_agency_id or ""),
    }
    if row.is_urgent:
        data["is_urgent"] = "y"
    if row.is_active:
        data["is_active"] = "y"
    if row.after_photo_required:
        data["after_photo_required"] = "y"
    data["fix_check"] = row.fix_check
    data["fix_check_days"] = str(row.fix_check_days or "")
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_admin_edits_every_field_and_an_event_records_it(app):
    row = category("giao-thong")
    health = agency(HEALTH)
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/categories/{row.id}",
        data=form(
            row,
            name="Giao thông",
            name_en="Roads",
            response_days="10",
            is_urgent="y",
            subject="conduct",
            receiving_agency=str(health.id),
            is_active=None,
        ),
    )
    assert response.status_code == 302
    db.session.refresh(row)
    assert (
        row.name,
        row.name_en,
        row.response_days,
        row.is_urgent,
        row.subject,
        row.default_agency_id,
        row.is_active,
    ) == ("Giao thông", "Roads", 10, True, "conduct", health.id, False)
    [event] = events("feedback_category", row.id, "category_updated")
    assert change(event)["after"] == {
        "name": "Giao thông",
        "name_en": "Roads",
        "response_days": 10,
        "is_urgent": True,
        "subject": "conduct",
        "default_agency_id": health.id,
        "is_active": False,
    }
    assert change(event)["before"]["response_days"] == 15


def test_admin_edits_the_closure_settings_and_an_event_records_them(app):
    """Issue 14 item 5: the after photo, the "is it fixed?" question and its reply days, audited."""
    row = category("dat-dai")
    assert (row.after_photo_required, row.fix_check, row.fix_check_days) == (False, "off", None)
    page = signed_in(app, ADMIN).get(f"/staff/admin/categories/{row.id}").get_data(as_text=True)
    assert 'name="fix_check"' in page and 'name="after_photo_required"' in page
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/categories/{row.id}",
        data=form(row, after_photo_required="y", fix_check="confirm", fix_check_days="7"),
    )
    assert response.status_code == 302
    db.session.refresh(row)
    assert (row.after_photo_required, row.fix_check, row.fix_check_days) == (True, "confirm", 7)
    [event] = events("feedback_category", row.id, "category_updated")
    assert change(event)["after"] == {
        "after_photo_required": True,
        "fix_check": "confirm",
        "fix_check_days": 7,
    }


@pytest.mark.parametrize(("field", "value"), [("fix_check", "sometimes"), ("fix_check_days", "31")])
def test_closure_settings_out_of_range_are_refused(app, field, value):
    row = category("dat-dai")
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/categories/{row.id}", data=form(row, **{field: value})
    )
    assert response.status_code == 400
    db.session.refresh(row)
    assert (row.fix_check, row.fix_check_days) == ("off", None)


def test_admin_may_send_new_reports_to_the_communes(app):
    row = category("giao-thong")
    assert (
        signed_in(app, ADMIN)
        .post(f"/staff/admin/categories/{row.id}", data=form(row, receiving_agency=""))
        .status_code
        == 302
    )
    db.session.refresh(row)
    assert row.default_agency_id is None


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("0", "Enter a number of working days from 1 to 60."),
        ("61", "Enter a number of working days from 1 to 60."),
        ("", "Enter the number of working days."),
    ],
)
def test_deadline_outside_1_to_60_working_days_is_refused(app, days, message):
    row = category("giao-thong")
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/categories/{row.id}?lang=en", data=form(row, name="Đổi", response_days=days)
    )
    assert response.status_code == 400
    assert message in errors(response)
    db.session.refresh(row)
    assert (row.name, row.response_days) == ("Giao thông – đường, cầu", 15)
    assert events("feedback_category", row.id) == []


def test_unknown_subject_or_agency_is_refused(app):
    row = category("giao-thong")
    client = signed_in(app, ADMIN)
    for overrides in ({"subject": "weather"}, {"receiving_agency": "999999"}, {"name": ""}):
        response = client.post(f"/staff/admin/categories/{row.id}?lang=en", data=form(row, **overrides))
        assert response.status_code == 400, overrides
        assert errors(response), overrides
    assert events("feedback_category", row.id) == []


def test_agency_admin_edits_their_own_category(app):
    row = category(HEALTH_CATEGORY)
    client = health_admin(app)
    response = client.post(
        f"/staff/admin/categories/{row.id}", data=form(row, response_days="5", is_urgent="y")
    )
    assert response.status_code == 302
    db.session.refresh(row)
    assert (row.response_days, row.is_urgent, row.default_agency_id) == (5, True, agency(HEALTH).id)
    assert len(events("feedback_category", row.id, "category_updated")) == 1


def test_agency_admin_cannot_hand_a_category_to_another_agency(app):
    row = category(HEALTH_CATEGORY)
    client = health_admin(app)
    for target in (str(agency("so-xay-dung").id), ""):
        response = client.post(
            f"/staff/admin/categories/{row.id}?lang=en",
            data=form(row, response_days="5", receiving_agency=target),
        )
        assert response.status_code == 400
        assert "Not a valid choice." in errors(response)
    db.session.refresh(row)
    assert (row.response_days, row.default_agency_id) == (15, agency(HEALTH).id)
    assert events("feedback_category", row.id) == []


def test_agency_admin_cannot_edit_another_agencys_category(app):
    row = category("giao-thong")
    response = signed_in(app, AGENCY_ADMIN).post(
        f"/staff/admin/categories/{row.id}", data=form(row, response_days="5")
    )
    assert response.status_code == 404
    db.session.refresh(row)
    assert row.response_days == 15
