"""Commune hotlines: edited by the province administrator or the commune's own agency administrator,
audited, shown with the emergency numbers of an urgent report."""

from __future__ import annotations

from sqlalchemy import select

from portal.events.models import Event
from portal.extensions import db
from portal.places.models import AdminUnit

TO_HIEU = "03646"


def test_the_commune_administrator_sets_the_hotline_and_it_is_audited(client, login):
    login("quantri.xa@demo.sonla.vn")  # agency administrator of Phường Tô Hiệu's People's Committee
    page = client.get("/staff/admin/hotlines").get_data(as_text=True)
    assert f'id="hotline-{TO_HIEU}"' in page and 'id="hotline-03670"' not in page
    client.post(f"/staff/admin/hotlines/{TO_HIEU}", data={"hotline": "0212  3852 111"})
    assert db.session.get(AdminUnit, TO_HIEU).hotline == "0212 3852 111"
    event = db.session.scalar(select(Event).where(Event.action == "hotline_changed"))
    assert event.subject_type == "agency" and "0212 3852 111" in event.note
    assert client.post("/staff/admin/hotlines/03670", data={"hotline": "0212 1"}).status_code == 404


def test_a_hotline_must_look_like_a_number(client, login):
    login("admin@demo.sonla.vn")
    client.post(f"/staff/admin/hotlines/{TO_HIEU}", data={"hotline": "gọi cho tôi"})
    assert db.session.get(AdminUnit, TO_HIEU).hotline == ""


def test_citizens_cannot_open_it(client, login):
    login("congdan@demo.sonla.vn")
    assert client.get("/staff/admin/hotlines").status_code == 403
