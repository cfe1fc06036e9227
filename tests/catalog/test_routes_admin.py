"""Procedures: fees in whole dong or empty (set by the provincial People's Council), processing time,
same-day flag, online level, leader approval, active. Province admin: all; agency admin: their agency's."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.catalog.models import Procedure
from portal.extensions import db
from tests.support.admin import (
    ADMIN,
    AGENCY_ADMIN,
    HEALTH_PROCEDURE,
    body,
    change,
    errors,
    events,
    health_admin,
    procedure,
    signed_in,
)
from tests.support.paging import walk


def form(row, **overrides):
    data = {
        "charge_vnd": "" if row.charge_vnd is None else str(row.charge_vnd),
        "fee_vnd": "" if row.fee_vnd is None else str(row.fee_vnd),
        "processing_days": str(row.processing_days),
        "online_level": row.online_level,
    }
    for flag in ("same_day", "afternoon_cutoff", "needs_approval", "is_active"):
        if getattr(row, flag):
            data[flag] = "y"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("50000", 50000),
        ("50.000", 50000),
        ("50,000", 50000),
        ("1 250 000", 1250000),
        ("0", 0),
        ("", None),
        ("  ", None),
    ],
)
def test_fees_in_whole_dong_or_empty(app, typed, stored):
    row = procedure("SL-005")
    response = signed_in(app, ADMIN).post(f"/staff/admin/procedures/{row.id}", data=form(row, fee_vnd=typed))
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.fee_vnd == stored


@pytest.mark.parametrize("typed", ["12,5", "1.5", "-100", "50.00", "abc", "5e3", "50.000,5", "1000000001"])
def test_other_amounts_are_refused(app, typed):
    row = procedure("SL-005")
    before = (row.charge_vnd, row.fee_vnd, row.processing_days)
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/procedures/{row.id}?lang=en", data=form(row, charge_vnd=typed, processing_days="9")
    )
    assert response.status_code == 400
    assert errors(response) in (
        ["Enter a whole number of dong, for example 50000 or 50.000, or leave it empty."],
        ["The amount is too large."],
    )
    db.session.refresh(row)
    assert (row.charge_vnd, row.fee_vnd, row.processing_days) == before
    assert events("procedure", row.id) == []


def test_an_edit_writes_an_event_with_before_and_after(app):
    row = procedure("SL-005")
    assert (row.processing_days, row.same_day, row.online_level, row.needs_approval) == (
        3,
        False,
        "full",
        False,
    )
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/procedures/{row.id}",
        data=form(row, charge_vnd="20.000", processing_days="5", online_level="partial", needs_approval="y"),
    )
    assert response.status_code == 302
    db.session.refresh(row)
    assert (row.charge_vnd, row.processing_days, row.online_level, row.needs_approval) == (
        20000,
        5,
        "partial",
        True,
    )
    [event] = events("procedure", row.id, "procedure_updated")
    assert change(event) == {
        "before": {"charge_vnd": None, "processing_days": 3, "online_level": "full", "needs_approval": False},
        "after": {
            "charge_vnd": 20000,
            "processing_days": 5,
            "online_level": "partial",
            "needs_approval": True,
        },
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"processing_days": "3", "same_day": "y"}, "A same-day procedure takes 0 working days."),
        ({"processing_days": "0"}, "0 working days means the same day: tick this box, or enter the days."),
        ({"processing_days": "-1"}, "Enter a number of working days from 0 to 365."),
        ({"processing_days": "366"}, "Enter a number of working days from 0 to 365."),
        ({"processing_days": ""}, "Enter the number of working days (0 for the same day)."),
        ({"online_level": "maybe"}, "Not a valid choice."),
    ],
)
def test_inconsistent_times_and_levels_are_refused(app, overrides, message):
    row = procedure("SL-005")
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/procedures/{row.id}?lang=en", data=form(row, fee_vnd="1000", **overrides)
    )
    assert response.status_code == 400
    assert message in errors(response)
    db.session.refresh(row)
    assert (row.fee_vnd, row.processing_days, row.same_day) == (None, 3, False)
    assert events("procedure", row.id) == []


def test_same_day_procedure(app):
    row = procedure("SL-005")
    assert (
        signed_in(app, ADMIN)
        .post(f"/staff/admin/procedures/{row.id}", data=form(row, processing_days="0", same_day="y"))
        .status_code
        == 302
    )
    db.session.refresh(row)
    assert (row.processing_days, row.same_day) == (0, True)


def test_the_public_page_shows_the_new_fee_and_a_deactivated_procedure_disappears(app):
    row = procedure("SL-005")
    client = signed_in(app, ADMIN)
    assert (
        client.post(
            f"/staff/admin/procedures/{row.id}?lang=en", data=form(row, charge_vnd="25000", fee_vnd="")
        ).status_code
        == 302
    )
    assert "25,000" in body(client.get(f"/procedures/{row.code}?lang=en"))
    assert client.post(f"/staff/admin/procedures/{row.id}", data=form(row, is_active=None)).status_code == 302
    response = client.get(f"/procedures/{row.code}")
    response.close()
    assert response.status_code == 404
    assert [e.action for e in events("procedure", row.id)] == ["procedure_updated", "procedure_updated"]


def test_agency_admin_edits_their_agencys_procedures_only(app):
    own, other, shared = procedure(HEALTH_PROCEDURE), procedure("SL-033"), procedure("SL-005")
    client = health_admin(app)
    assert (
        client.post(f"/staff/admin/procedures/{own.id}", data=form(own, fee_vnd="650000")).status_code == 302
    )
    for row in (other, shared):  # the police's, and a commune-level procedure shared by every commune
        response = client.post(f"/staff/admin/procedures/{row.id}", data=form(row, fee_vnd="1"))
        response.close()
        assert response.status_code == 404
    db.session.refresh(own)
    assert own.fee_vnd == 650000
    assert events("procedure", other.id) == [] and events("procedure", shared.id) == []
    response = signed_in(app, AGENCY_ADMIN).post(
        f"/staff/admin/procedures/{own.id}", data=form(own, fee_vnd="1")
    )
    response.close()
    assert response.status_code == 404


def test_the_list_pages_by_code_and_keeps_the_search(app, monkeypatch):
    monkeypatch.setattr("portal.catalog.routes_admin.PAGE", 3)
    everything = db.session.scalars(select(Procedure.id).order_by(Procedure.code)).all()
    ids, followed = walk(signed_in(app, ADMIN), "/staff/admin/procedures", "/staff/admin/procedures/")
    assert ids == list(everything) and len(followed) == (len(everything) - 1) // 3
    assert all(url.startswith("/staff/admin/procedures?after=") for url in followed)
    last = db.session.get(Procedure, everything[2])
    assert followed[0] == f"/staff/admin/procedures?after={last.code}"


def test_an_admin_edits_the_documents_list_and_it_is_audited(app):
    """Issue 16 item 9: the documents a dossier must contain, one per line; a renamed line keeps its row,
    a new line adds one, a removed line goes; the change is one audited event with both lists."""
    row = procedure("SL-005")
    before = [document.name for document in row.documents]
    kept_id = row.documents[0].id if row.documents else None
    typed = "Tờ khai  (bản chính)\n\n  Giấy tờ mới \n"
    client = signed_in(app, ADMIN)
    page = body(client.get(f"/staff/admin/procedures/{row.id}"))
    assert all(name in page for name in before)
    response = client.post(f"/staff/admin/procedures/{row.id}", data=form(row, documents=typed))
    assert response.status_code == 302
    db.session.refresh(row)
    assert [document.name for document in row.documents] == ["Tờ khai (bản chính)", "Giấy tờ mới"]
    assert [document.position for document in row.documents] == [1, 2]
    if kept_id is not None:
        assert row.documents[0].id == kept_id
    [event] = events("procedure", row.id, "procedure_documents_updated")
    assert change(event) == {
        "before": {"documents": before},
        "after": {"documents": ["Tờ khai (bản chính)", "Giấy tờ mới"]},
    }
    # The form sent without the field (an older page) leaves the list alone.
    client.post(f"/staff/admin/procedures/{row.id}", data=form(row, processing_days="7"))
    db.session.refresh(row)
    assert len(row.documents) == 2


# --- the charge when submitted online (Circular 75/2022/TT-BTC) --------------------------------------------

PERMANENT = "1.004222"  # Đăng ký thường trú: 20.000 đ at the counter, 10.000 đ online


def test_an_admin_sets_and_clears_the_online_charge_and_it_is_audited(app):
    row = procedure(PERMANENT)
    client = signed_in(app, ADMIN)
    assert 'value="10000"' in body(client.get(f"/staff/admin/procedures/{row.id}"))
    response = client.post(f"/staff/admin/procedures/{row.id}", data=form(row, online_charge_vnd=""))
    assert response.status_code == 302
    db.session.refresh(row)
    assert (row.charge_vnd, row.online_charge_vnd) == (20000, None)
    public = body(client.get(f"/procedures/{PERMANENT}"))
    assert "khi nộp trực tuyến" not in public and "20.000\xa0₫" in public
    response = client.post(f"/staff/admin/procedures/{row.id}", data=form(row, online_charge_vnd="10.000"))
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.online_charge_vnd == 10000
    assert "20.000\xa0₫ tại quầy; 10.000\xa0₫ khi nộp trực tuyến" in body(
        client.get(f"/procedures/{PERMANENT}")
    )
    cleared, restored = events("procedure", row.id, "procedure_updated")
    assert change(cleared) == {"before": {"online_charge_vnd": 10000}, "after": {"online_charge_vnd": None}}
    assert change(restored) == {"before": {"online_charge_vnd": None}, "after": {"online_charge_vnd": 10000}}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("7,5", "Enter a whole number of dong, for example 50000 or 50.000, or leave it empty."),
        ("-100", "Enter a whole number of dong, for example 50000 or 50.000, or leave it empty."),
        ("mười nghìn", "Enter a whole number of dong, for example 50000 or 50.000, or leave it empty."),
        ("25.000", "The charge when submitted online cannot be more than at the counter."),
    ],
)
def test_a_bad_online_charge_is_refused_in_english(app, typed, message):
    row = procedure(PERMANENT)
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/procedures/{row.id}?lang=en", data=form(row, online_charge_vnd=typed)
    )
    assert response.status_code == 400
    assert errors(response) == [message]
    db.session.refresh(row)
    assert row.online_charge_vnd == 10000
    assert events("procedure", row.id) == []


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "Vui lòng nhập số đồng, ví dụ 50000 hoặc 50.000, hoặc để trống."),
        ("30000", "Lệ phí khi nộp trực tuyến không được cao hơn lệ phí nộp tại quầy."),
    ],
)
def test_a_bad_online_charge_is_refused_in_vietnamese(app, typed, message):
    row = procedure(PERMANENT)
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/procedures/{row.id}", data=form(row, online_charge_vnd=typed)
    )
    assert response.status_code == 400
    assert errors(response) == [message]


def test_a_form_without_the_online_charge_leaves_it(app):
    row = procedure(PERMANENT)
    response = signed_in(app, ADMIN).post(
        f"/staff/admin/procedures/{row.id}", data=form(row, processing_days="6")
    )
    assert response.status_code == 302
    db.session.refresh(row)
    assert (row.processing_days, row.online_charge_vnd) == (6, 10000)
