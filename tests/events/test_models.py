"""Event: record() appends one timeline/audit line; nothing updates or deletes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, exc, select, update

from portal.events.models import AppendOnlyError, Event
from portal.events.operations import record
from portal.extensions import db
from tests.support.factories import fresh


@pytest.fixture
def processor(app):
    return fresh("processor")


@pytest.fixture
def event(processor):
    return record(
        "procedure",
        1,
        "fee_changed",
        actor_id=processor.id,
        from_status="draft",
        to_status="published",
        note="Lệ phí 8.000 đ",
        public=True,
    )


def test_record_writes_an_event(processor):
    before = datetime.now(UTC)
    entry = record(
        "procedure",
        1,
        "fee_changed",
        actor_id=processor.id,
        from_status="draft",
        to_status="published",
        note="Lệ phí 8.000 đ",
        public=True,
    )
    after = datetime.now(UTC)
    assert entry.id is not None, "record() flushes"
    db.session.expire_all()

    stored = db.session.get(Event, entry.id)
    assert (stored.subject_type, stored.subject_id, stored.action) == ("procedure", 1, "fee_changed")
    assert stored.actor_id == processor.id
    assert (stored.from_status, stored.to_status, stored.note) == ("draft", "published", "Lệ phí 8.000 đ")
    assert stored.is_public is True
    assert stored.ip_address is None, "no request, no address"
    assert stored.occurred_at.tzinfo is not None
    assert stored.occurred_at.utcoffset() == timedelta(0)
    # SQLite keeps microseconds, PostgreSQL too; allow a second for clock granularity anyway.
    assert before - timedelta(seconds=1) <= stored.occurred_at <= after + timedelta(seconds=1)


def test_events_are_private_and_anonymous_by_default(app):
    entry = record("feedback", 7, "received")
    db.session.expire_all()
    stored = db.session.get(Event, entry.id)
    assert stored.is_public is False
    assert stored.actor_id is None
    assert (stored.note, stored.from_status, stored.to_status) == ("", None, None)


def test_record_keeps_the_client_address_in_a_request(app):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.113.10.7"}):
        entry = record("account", 1, "login")
    assert db.session.get(Event, entry.id).ip_address == "203.113.10.7"


def test_events_are_listed_in_order(app):
    first = record("dossier", 42, "received", public=True)
    second = record("dossier", 42, "processing", public=True)
    rows = db.session.scalars(
        select(Event.id)
        .where(Event.subject_type == "dossier", Event.subject_id == 42)
        .order_by(Event.occurred_at, Event.id)
    ).all()
    assert rows == [first.id, second.id]
    assert first.occurred_at <= second.occurred_at


def test_naive_time_is_refused(app):
    db.session.add(
        Event(subject_type="dossier", subject_id=1, action="received", occurred_at=datetime(2026, 1, 5, 9, 0))
    )
    with pytest.raises(exc.StatementError, match="naive datetime"):
        db.session.flush()


def test_orm_update_is_refused(event):
    with pytest.raises(AppendOnlyError, match="append-only"):
        with db.session.begin_nested():  # a savepoint, so the event itself survives the failure
            event.note = "rewritten"
            db.session.flush()
    db.session.expire_all()
    assert db.session.get(Event, event.id).note == "Lệ phí 8.000 đ"


def test_orm_delete_is_refused(event):
    with pytest.raises(AppendOnlyError, match="append-only"):
        with db.session.begin_nested():
            db.session.delete(event)
            db.session.flush()
    db.session.expire_all()
    assert db.session.get(Event, event.id) is not None


@pytest.mark.parametrize(
    "statement",
    [
        lambda event_id: update(Event).where(Event.id == event_id).values(note="rewritten"),
        lambda event_id: delete(Event).where(Event.id == event_id),
    ],
    ids=["bulk-update", "bulk-delete"],
)
def test_bulk_statements_bypassing_the_orm_hit_the_database_trigger(event, statement):
    """ORM-enabled UPDATE/DELETE statements skip the mapper events; the database trigger still refuses."""
    event_id = event.id
    with pytest.raises(exc.DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(statement(event_id))
    db.session.expire_all()
    assert db.session.get(Event, event_id).note == "Lệ phí 8.000 đ"
