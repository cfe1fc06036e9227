"""CSV exports leave an audit record (issue 9 item 12, SECURITY.md check 32): who took which figures out."""

from __future__ import annotations

from sqlalchemy import select

from portal.events.models import Event
from portal.extensions import db
from tests.support.factories import fresh


def exports():
    return db.session.scalars(
        select(Event).where(Event.action == "dashboard_exported").order_by(Event.id)
    ).all()


def test_a_leaders_export_is_audited_against_the_agency(app, client, login):
    login("leader")
    leader = fresh("leader")
    assert client.get("/staff/dashboard.csv?from=2026-03-01&to=2026-03-31").status_code == 200
    events = exports()
    assert len(events) == 1
    assert (events[0].subject_type, events[0].subject_id) == ("agency", leader.agency_id)
    assert events[0].actor_id == leader.id and "csv" in events[0].note


def test_the_province_export_is_audited_and_shown_to_the_admin(app, client, login):
    login("admin")
    assert client.get("/staff/dashboard.csv").status_code == 200
    assert [(e.subject_type, e.subject_id) for e in exports()] == [("province", 0)]
    page = client.get("/staff/audit?action=dashboard_exported").get_data(as_text=True)
    assert "dashboard_exported" in page
