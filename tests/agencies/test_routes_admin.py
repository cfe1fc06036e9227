"""Agencies (province admin only): name, English name and the QCVN 102 code, activate/deactivate."""

from __future__ import annotations

import pytest

from portal.domain.codes import parse_dossier_code
from portal.extensions import db
from tests.support.admin import ADMIN, AGENCY_ADMIN, account, agency, change, errors, events, signed_in

TO_HIEU = "ubnd-phuong-to-hieu"


def form(row, **overrides):
    data = {"name": row.name, "name_en": row.name_en, "code": row.code}
    data.update(overrides)
    return data


def test_edit_writes_an_event_with_before_and_after(app):
    row = agency(TO_HIEU)
    old_name, old_code = row.name, row.code
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/agencies/{row.id}",
        data=form(row, name="UBND phường Tô Hiệu (mới)", code=" 000.99.00.h52 "),
    )
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.name == "UBND phường Tô Hiệu (mới)"
    assert row.code == "000.99.00.H52"  # cleaned and upper-cased: the shape dossier codes are read back in
    assert parse_dossier_code(f"{row.code}-261123-0001").agency == row.code
    [event] = events("agency", row.id, "agency_updated")
    assert event.actor_id == account(ADMIN).id
    assert change(event) == {
        "before": {"name": old_name, "code": old_code},
        "after": {"name": "UBND phường Tô Hiệu (mới)", "code": "000.99.00.H52"},
    }


def test_saving_unchanged_writes_nothing(app):
    row = agency(TO_HIEU)
    response = signed_in(app, ADMIN).post(f"/staff/admin/agencies/{row.id}", data=form(row))
    assert response.status_code == 302
    assert events("agency", row.id) == []


SHAPE = "Use letters and digits in groups separated by single dots, for example 000.00.21.H52."
LENGTH = "The code must have 3 to 40 characters."


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the code."),
        ("H5", LENGTH),
        ("1" * 41, LENGTH),
        ("000..21.H52", SHAPE),
        (".000.21.H52", SHAPE),
        ("000.21.H52.", SHAPE),
        ("000-21-H52", SHAPE),
        ("000 21 H52", SHAPE),
        ("Á00.21.H52", SHAPE),
    ],
)
def test_a_badly_shaped_code_is_refused_and_nothing_changes(app, code, message):
    row = agency(TO_HIEU)
    before = (row.name, row.code)
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/agencies/{row.id}?lang=en", data=form(row, name="Đổi", code=code)
    )
    assert response.status_code == 400
    assert errors(response) == [message]
    db.session.refresh(row)
    assert (row.name, row.code) == before
    assert events("agency", row.id) == []


def test_a_code_already_used_by_another_agency_is_refused(app):
    row, other = agency(TO_HIEU), agency("so-y-te")
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/agencies/{row.id}?lang=en", data=form(row, name="Đổi", code=other.code.lower())
    )
    assert response.status_code == 400
    assert errors(response) == ["Another agency already uses this code."]
    db.session.refresh(row)
    assert row.name != "Đổi" and row.code != other.code
    assert events("agency", row.id) == []


def test_error_messages_go_through_the_catalogue(app, monkeypatch):
    """The message is looked up in the current locale's catalogue (msgid in English until translated)."""
    import flask_babel

    seen = []
    original = flask_babel.Domain.gettext

    def spy(self, string, **variables):
        seen.append(string)
        return original(self, string, **variables)

    monkeypatch.setattr(flask_babel.Domain, "gettext", spy)
    row = agency(TO_HIEU)
    response = signed_in(app, ADMIN).post(f"/staff/admin/agencies/{row.id}", data=form(row, code="a..b"))
    assert response.status_code == 400
    assert SHAPE in seen


def test_deactivate_and_activate(app):
    row = agency(TO_HIEU)
    client = signed_in(app, ADMIN)
    assert client.post(f"/staff/admin/agencies/{row.id}/active", data={"active": "0"}).status_code == 302
    db.session.refresh(row)
    assert row.is_active is False
    assert client.post(f"/staff/admin/agencies/{row.id}/active", data={"active": "1"}).status_code == 302
    db.session.refresh(row)
    assert row.is_active is True
    assert [(e.action, change(e)) for e in events("agency", row.id)] == [
        ("agency_deactivated", {"before": {"is_active": True}, "after": {"is_active": False}}),
        ("agency_activated", {"before": {"is_active": False}, "after": {"is_active": True}}),
    ]
    assert client.post(f"/staff/admin/agencies/{row.id}/active", data={"active": "maybe"}).status_code == 400
    assert len(events("agency", row.id)) == 2


def test_agency_admins_cannot_edit_agencies(app):
    row = agency(TO_HIEU)
    client = signed_in(app, AGENCY_ADMIN)
    assert client.post(f"/staff/admin/agencies/{row.id}", data=form(row, name="Đổi")).status_code == 403
    assert client.post(f"/staff/admin/agencies/{row.id}/active", data={"active": "0"}).status_code == 403
    db.session.refresh(row)
    assert row.name != "Đổi" and row.is_active
