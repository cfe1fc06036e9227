"""The event log forgets IP addresses and nothing else (Law 91/2025): at erasure, the citizen's own lines;
by the retention schedule, every line older than `event_addresses_months`. Officers' lines keep theirs
until then; the database refuses any other change (tests/test_migrations.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db_types import utcnow
from portal.events.models import AppendOnlyError, Event
from portal.events.operations import record
from portal.extensions import db
from portal.feedback import operations
from portal.privacy import retention
from tests.support.factories import make_account
from tests.support.feedback import make_item

CITIZEN_IP, OFFICER_IP = "198.51.100.23", "203.0.113.5"
MONTH = timedelta(days=31)


def _record_from(app, address: str, *args, **kwargs) -> Event:
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": address}):
        return record(*args, **kwargs)


def _addresses(subject_type: str, subject_id: int) -> list[tuple[str, str | None]]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(Event).where(Event.subject_type == subject_type, Event.subject_id == subject_id)
    )
    return [(event.action, event.ip_address) for event in rows]


def test_an_anonymous_reporters_erasure_forgets_their_addresses_not_the_officers(app, client):
    item = make_item()
    token = "tok-" + "y" * 20
    item.token_hash = operations.hash_token(token)
    officer = make_account("processor")
    _record_from(app, CITIZEN_IP, "feedback", item.id, "info_provided")
    _record_from(app, OFFICER_IP, "feedback", item.id, "answered", actor_id=officer.id, public=True)
    db.session.commit()

    client.environ_base["REMOTE_ADDR"] = CITIZEN_IP
    assert client.get(f"/my-data/t/{token}").status_code == 302
    assert client.post("/my-data/erase", data={"confirm": "y"}).status_code == 200

    lines = _addresses("feedback", item.id)
    assert ("answered", OFFICER_IP) in lines  # the officer's line is the audit of staff: kept
    assert not [line for line in lines if line[1] == CITIZEN_IP]  # the erasure's own line included
    assert ("anonymised", None) in lines and ("info_provided", None) in lines


def test_a_deleted_account_forgets_every_line_it_acted_on(app, client, login):
    me = make_account("citizen")
    other = make_account("citizen")
    _record_from(app, CITIZEN_IP, "account", me.id, "signed_in", actor_id=me.id)
    _record_from(app, CITIZEN_IP, "procedure", 1, "viewed", actor_id=me.id)
    _record_from(app, CITIZEN_IP, "account", other.id, "signed_in", actor_id=other.id)  # same address
    db.session.commit()
    login(me)
    assert client.post("/my-data/erase", data={"confirm": "y"}).status_code == 200
    db.session.expire_all()
    mine = db.session.scalars(select(Event).where(Event.actor_id == me.id)).all()
    assert mine and all(event.ip_address is None for event in mine)
    assert ("signed_in", CITIZEN_IP) in _addresses("account", other.id)  # another person's line stays


def test_the_schedule_forgets_old_addresses_once_and_keeps_the_lines(app):
    officer = make_account("processor")
    old = Event(
        subject_type="feedback",
        subject_id=1,
        action="answered",
        actor_id=officer.id,
        note="Đã xử lý",
        ip_address=OFFICER_IP,
        occurred_at=utcnow() - 25 * MONTH,  # past the 24-month default
    )
    db.session.add(old)
    recent = _record_from(app, OFFICER_IP, "feedback", 2, "answered", actor_id=officer.id)
    edge = Event(subject_type="feedback", subject_id=3, action="answered", ip_address=OFFICER_IP)
    edge.occurred_at = utcnow() - 23 * MONTH  # not yet
    db.session.add(edge)
    db.session.commit()

    lines: list[str] = []
    counts = retention.run(app, dry_run=True, echo=lines.append)
    assert counts["event_addresses_months"] == 1 and any(
        "forget the IP address of 1 lines" in x for x in lines
    )
    db.session.expire_all()
    assert db.session.get(Event, old.id).ip_address == OFFICER_IP  # a dry run changes nothing

    assert retention.run(app, dry_run=False, echo=lines.append)["event_addresses_months"] == 1
    db.session.expire_all()
    kept = db.session.get(Event, old.id)
    assert kept.ip_address is None
    assert (kept.action, kept.note, kept.actor_id) == ("answered", "Đã xử lý", officer.id)  # the line stays
    assert db.session.get(Event, recent.id).ip_address == OFFICER_IP
    assert db.session.get(Event, edge.id).ip_address == OFFICER_IP
    assert retention.run(app, dry_run=False, echo=lines.append)["event_addresses_months"] == 0  # idempotent


def test_the_orm_still_refuses_to_change_a_line(app):
    entry = _record_from(app, CITIZEN_IP, "feedback", 1, "info_provided")
    db.session.commit()
    entry.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
