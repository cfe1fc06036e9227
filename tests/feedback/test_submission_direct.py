"""A report without photos is written by one Core INSERT, numbered first (portal/feedback/numbering.py
`insert_numbered`; bench/notes/submit4.md). Each effect the ORM's flush of the item had is proven here by
comparing with the flush's way (still used for reports with photos, or when a feature's listener is not
registered): the stored row, the page version, the queue key, the staff queue's counts and kept rows, the
fragments, the consents, the session's state of the item."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import event, inspect, select

from portal import fragments
from portal.extensions import cache, db
from portal.feedback import numbering
from portal.feedback.models import Feedback
from portal.staff import queue_cache, queue_keys, queue_rows
from tests.support.clients import fresh_client
from tests.support.feedback import by_code, receipt_code, web_submit

# Differ between any two submissions whatever the way: identity, secrets, times, the code and what holds it.
PER_ITEM = {
    "id",
    "code",
    "token_hash",
    "form_nonce",
    "page_version",
    "submitted_at",
    "consent_at",
    "search_key",
    "public_search_key",
}


@pytest.fixture(params=["direct", "flush"])
def way(request, monkeypatch):
    """Both ways of writing a report: the direct INSERT, and the ORM's flush (a required listener missing)."""
    if request.param == "flush":
        monkeypatch.setattr(numbering, "REQUIRED", numbering.REQUIRED | {"not registered"})
    return request.param


def send(app, n: int, **fields) -> Feedback:
    client = fresh_client(app, remote_addr=f"198.51.100.{n}")
    response = web_submit(client, phone=f"09123452{n:02d}", email="", **fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return by_code(receipt_code(client))


def row_of(item_id: int) -> dict:
    table = Feedback.__table__
    return dict(db.session.execute(select(table).where(table.c.id == item_id)).mappings().one())


def test_the_direct_insert_is_used_without_photos(app):
    assert numbering.direct_ready()
    used: list[int] = []
    real = numbering.insert_numbered

    def watched(item, *args):
        real(item, *args)
        used.append(item.id)

    numbering.insert_numbered = watched
    try:
        item = send(app, 80)
    finally:
        numbering.insert_numbered = real
    assert used == [item.id]


@pytest.mark.parametrize("fields", [{}, {"show_name": "y", "precise_pin": "y", "latitude": "21.3"}])
def test_the_stored_row_is_the_one_the_flush_wrote(app, monkeypatch, fields):
    """Every column but those that differ for any two reports, with and without the optional values."""
    direct = row_of(send(app, 81, **fields).id)
    monkeypatch.setattr(numbering, "REQUIRED", numbering.REQUIRED | {"not registered"})
    flushed = row_of(send(app, 82, **fields).id)
    assert {k: v for k, v in direct.items() if k not in PER_ITEM | {"phone"}} == {
        k: v for k, v in flushed.items() if k not in PER_ITEM | {"phone"}
    }
    assert direct["queue_due"] == direct["due_on"] is not None and direct["queue_rank"] is not None
    assert direct["page_version"] not in (None, 0) and flushed["page_version"] not in (None, 0)
    assert direct["code"].startswith("PA-") and direct["form_nonce"] and direct["token_hash"]


def test_the_queue_key_is_the_staff_queues_own(app):
    """queue_due as portal/staff/queue_keys.py computes it (the direct way sets it without its listener)."""
    item = send(app, 83)
    assert item.queue_due == queue_keys.queue_due(item)


def test_the_item_is_loaded_and_clean_in_the_session(app):
    """As after a flush: persistent, nothing to write, every column loaded (none read back later), the page
    version stored; the SMS listener's `session.get` at the commit finds it without a SELECT."""
    seen: list = []
    real = numbering.insert_numbered

    def watched(item, *args):
        real(item, *args)
        state = inspect(item)
        columns = {c.key for c in Feedback.__table__.columns}
        seen.append(
            (
                (item.id, item.page_version),
                state.persistent,
                db.session.is_modified(item),
                columns & state.unloaded,
            )
        )
        statements: list[str] = []

        def record(_connection, _cursor, sql, *_args):
            statements.append(sql)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert db.session.get(Feedback, item.id) is item
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        seen.append(statements)

    numbering.insert_numbered = watched
    try:
        client = fresh_client(app, remote_addr="198.51.100.84")
        assert web_submit(client, phone="0912345284", email="").status_code == 302
    finally:
        numbering.insert_numbered = real
    ((item_id, version), persistent, modified, unloaded), statements = seen
    assert persistent and not modified and unloaded == set() and statements == []
    stored = row_of(item_id)
    assert stored["page_version"] == version and stored["code"] == receipt_code(client)


def test_the_staff_queue_is_told_as_by_the_flush(app, way):
    """The item's agency's counts are dropped at once and again at the commit, the province-wide ones too,
    and this process's kept queue rows are of an older generation."""
    agency = send(app, 85).agency_id  # the agency the next report goes to (same category and commune)
    with app.test_request_context():
        cache.set(queue_cache.counts_key(agency), {"feedback": 1})
        cache.set(queue_cache.counts_key(None), {"feedback": 1})
        before = cache.get(queue_cache.changes_key(agency)) or 0
    generation = queue_rows.generation()
    item = send(app, 86)
    assert item.agency_id == agency
    with app.test_request_context():
        assert cache.get(queue_cache.counts_key(agency)) is None
        assert cache.get(queue_cache.counts_key(None)) is None
        assert (cache.get(queue_cache.changes_key(agency)) or 0) - before == 2  # at once, and at the commit
    assert queue_rows.generation() > generation


def test_the_fragments_are_told_as_by_the_flush(app, way):
    """A reference list kept over feedback_items is read again after a report, and the kept pages'
    generation moved on (portal/fragments.py `recent`)."""
    loads: list[int] = []
    with app.test_request_context():
        fragments.reference("test-feedback-items", frozenset({"feedback_items"}), lambda: loads.append(1))
        fragments.reference("test-feedback-items", frozenset({"feedback_items"}), lambda: loads.append(1))
        generation = current_app.extensions.get("portal_reference_generation", 0)
    assert loads == [1]
    send(app, 87)
    with app.test_request_context():
        fragments.reference("test-feedback-items", frozenset({"feedback_items"}), lambda: loads.append(1))
        assert current_app.extensions.get("portal_reference_generation", 0) >= generation + 2
    assert loads == [1, 1]


def test_without_every_listener_the_flush_is_used(app, monkeypatch):
    monkeypatch.setattr(numbering, "REQUIRED", numbering.REQUIRED | {"not registered"})
    assert not numbering.direct_ready()
    called: list[int] = []
    monkeypatch.setattr(numbering, "insert_numbered", lambda *a: called.append(1))
    send(app, 88)
    assert called == []


def test_the_features_register_their_listeners(app):
    assert set(numbering._INSERTED) >= numbering.REQUIRED


# Every listener of a flush, and what the direct INSERT does in its place. A listener added to the flush must be
# looked at here: done by `insert_numbered` too (or registered with `numbering.on_inserted`), or named as one
# a new report without photos never needs; this list is then brought up to date.
FLUSH_LISTENERS = {
    "before_flush": [
        "portal.staff.queue_keys._refresh_queue_keys",  # insert_numbered sets queue_due (test above)
        "portal.staff.queue_cache._note_flush",  # the "staff_queue" listener: queue_cache.changed
        "portal.tracking.versions._bump",  # insert_numbered sets page_version
    ],
    "after_flush": [
        "portal.accounts.loader._after_flush",  # accounts and roles only
        "portal.calendar.version._changed_in_flush",  # calendar tables only
        "portal.staff.queue_rows._after_flush",  # the "staff_queue" listener (kept rows dropped: test above)
        "portal.fragments._note_flush",  # fragments.changed
        "portal.privacy.consents._seen",  # the "consents" listener
        "portal.sms.notices._noted",  # timeline lines: write_line tells it (_noted_now)
        "portal.intermediaries.wiring._noted",  # "anonymised" timeline lines only
    ],
    "after_flush_postexec": ["portal.privacy.consents._add"],  # the "consents" listener
}


def test_every_flush_listener_is_accounted_for(app):
    session = db.session()
    registered = {
        stage: [
            f"{listener.__module__}.{listener.__qualname__}" for listener in getattr(session.dispatch, stage)
        ]
        for stage in FLUSH_LISTENERS
    }
    assert registered == FLUSH_LISTENERS
    mapper = inspect(Feedback)
    assert not list(mapper.dispatch.before_insert) and not list(mapper.dispatch.after_insert)


def _submitted(n: int) -> Feedback:
    """A report through operations.submit (no photos: the direct INSERT), in no agency's queue."""
    from tests.support.feedback import make_item

    return make_item(agency=None, phone=f"+8491234{n:04d}", email="")


def test_a_rollback_forgets_the_item_as_after_a_flush(app, way):
    """A report written by the INSERT and then rolled back is transient again, as a flushed one is: it stayed
    in the session as an existing row (its values unreadable, and a second report in the same session,
    which SQLite gives the same id, could not be attached)."""
    with app.test_request_context("/feedback/new", method="POST"):
        item = _submitted(1)
        item_id = item.id
        db.session.rollback()
        assert inspect(item).transient
        assert item.code  # readable, as after the flush's rollback
        assert db.session.get(Feedback, item_id) is None
        again = _submitted(2)
        db.session.commit()
        assert db.session.get(Feedback, again.id) is again


def test_a_rolled_back_savepoint_forgets_only_its_own_item(app):
    with app.test_request_context("/feedback/new", method="POST"):
        kept = _submitted(3)
        savepoint = db.session.begin_nested()
        inner = _submitted(4)
        savepoint.rollback()
        assert inspect(inner).transient and inspect(kept).persistent
        db.session.commit()
        assert db.session.get(Feedback, kept.id) is kept


def test_a_value_given_as_none_gets_the_columns_default_as_in_the_flush():
    """The ORM leaves a None out of its INSERT, so the column's default applies; `_row` wrote NULL."""
    from datetime import UTC, datetime

    item = Feedback(support_count=None, reopened_late=None, submitted_at=datetime(2026, 12, 7, tzinfo=UTC))
    row = numbering._row(item)
    assert row["support_count"] == 0 and row["reopened_late"] is False
