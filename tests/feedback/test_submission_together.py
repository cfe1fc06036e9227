"""On PostgreSQL a report without photos, its consent rows and its timeline line are written by one statement
(portal/feedback/numbering.py `_together`; bench/notes/submit5.md); on SQLite by three. Either way the rows
are the ones the ORM's flush wrote (still the way for a report with photos), with every consent a report
can carry and for a signed-in citizen, and the line's listeners hear of it with its real id (the SMS)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from portal.events import operations as event_operations
from portal.events.models import Event
from portal.extensions import db
from portal.feedback import numbered_statement, numbering
from portal.privacy.models import Consent
from tests.support.clients import fresh_client, sign_in
from tests.support.factories import make_account
from tests.support.feedback import by_code, receipt_code, web_submit

SAME_FOR_ANY_REPORT = {"id", "subject_id", "given_at", "occurred_at"}


def written(item_id: int) -> tuple[list[dict], list[dict]]:
    def rows(model, order):
        table = model.__table__
        query = select(table).where(table.c.subject_type == "feedback", table.c.subject_id == item_id)
        found = db.session.execute(query.order_by(order)).mappings().all()
        return [{k: v for k, v in row.items() if k not in SAME_FOR_ANY_REPORT} for row in found]

    return rows(Consent, Consent.purpose), rows(Event, Event.id)


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("fields", [{}, {"show_name": "y", "precise_pin": "y", "latitude": "21.3"}])
def test_the_consents_and_the_line_are_the_flushs(app, monkeypatch, signed_in, fields):
    statements: list[str] = []
    heard: list[tuple] = []
    # Heard as the SMS notices hear it (a listener of this test only).
    monkeypatch.setattr(
        event_operations, "_DIRECT", [*event_operations._DIRECT, lambda _s, *told: heard.append(told)]
    )

    def send(n: int):
        client = fresh_client(app, remote_addr="198.51.100.60")  # the address is in both rows
        if signed_in:
            sign_in(client, make_account("citizen", email=f"dan{n}@example.com"))
        response = web_submit(client, phone=f"09123451{n:02d}", email="", **fields)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return by_code(receipt_code(client))

    def note(_connection, _cursor, sql, *_args):
        statements.append(" ".join(sql.split()))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        direct = send(61 if signed_in else 63)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    monkeypatch.setattr(numbering, "REQUIRED", numbering.REQUIRED | {"not registered"})  # the flush's way
    flushed = send(62 if signed_in else 64)
    (direct_consents, direct_lines), (flushed_consents, flushed_lines) = (
        written(direct.id),
        written(flushed.id),
    )
    for rows in (direct_consents, flushed_consents):  # the account differs: each signed in as their own
        for row in rows:
            row["account_id"] = row["account_id"] is not None
    for rows in (direct_lines, flushed_lines):
        for row in rows:
            row["actor_id"] = row["actor_id"] is not None
    assert direct_consents == flushed_consents and len(direct_consents) == (3 if fields else 1)
    assert direct_lines == flushed_lines and [line["action"] for line in direct_lines] == ["submitted"]
    assert all(row["account_id"] is signed_in for row in direct_consents)
    line_id = db.session.scalar(
        select(Event.id).where(Event.subject_type == "feedback", Event.subject_id == direct.id)
    )
    assert ("feedback", direct.id, "submitted", line_id) in heard
    together = [s for s in statements if s.startswith("WITH counter AS (INSERT INTO daily_sequences")]
    assert len(together) == (1 if db.engine.dialect.name == "postgresql" else 0)
    assert all(s.count("%(") <= 50 for s in together)  # psycopg's cached parsing


def test_a_listener_registered_again_without_rows_is_called(monkeypatch):
    """Registering a name again without `rows` replaces the earlier registration whole: its old rows were kept
    and, on PostgreSQL, written with the item instead of calling the new listener (review of submit5)."""
    monkeypatch.setattr(numbering, "_INSERTED", {})
    monkeypatch.setattr(numbering, "_ROWS", {})
    numbering.on_inserted("probe", lambda session, item: None, rows=(Consent.__table__, lambda s, i: []))
    numbering.on_inserted("probe", lambda session, item: None)
    assert "probe" in numbering._INSERTED and "probe" not in numbering._ROWS


def test_a_naive_datetime_is_refused_in_the_rows_written_with_an_item():
    """PostgreSQL would read a naive time in the session's time zone; the ORM's UTCDateTime refuses it too."""
    from datetime import UTC, date, datetime

    assert numbered_statement._json(datetime(2026, 12, 7, 9, 0, tzinfo=UTC)) == "2026-12-07T09:00:00+00:00"
    assert numbered_statement._json(date(2026, 12, 7)) == "2026-12-07"
    with pytest.raises(ValueError, match="naive"):
        numbered_statement._json(datetime(2026, 12, 7, 9, 0))
