"""A new feedback item's numbering, inside the daily counter's lock (portal/feedback/operations.py `submit`).

Two ways, by whether the report has photos:

- with photos, the item is flushed by the ORM (its photos with it) under a provisional code, then `number`
  takes the counter and writes the timeline line and the code's UPDATE;
- without (nearly every report), `insert_numbered` takes the counter first and writes the item, already
  numbered, with one Core INSERT: the ORM's flush of the item (its unit of work and a dozen session
  listeners) was the largest part of a POST's CPU, and the code's UPDATE goes. What the flush's listeners did
  for a new item is done here, each named below; tests/feedback/test_submission_direct.py proves each one.
  On PostgreSQL the counter's upsert, the item, its consent rows and its timeline line are one statement
  (numbered_statement.py: a data-modifying WITH; bench/notes/submit5.md, submit6.md), on SQLite four;
  tests/feedback/test_submission_together.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import (
    Table,
    bindparam,
    event,
    insert,
    update,
)
from sqlalchemy.orm import Session, SessionTransaction, make_transient, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from portal import fragments
from portal.accounts.models import Account
from portal.domain import feedback_status
from portal.domain.codes import FEEDBACK_SEQUENCE, feedback_code
from portal.domain.timeliness import FAR_FUTURE
from portal.events.operations import line_values, write_line, written_now
from portal.extensions import db
from portal.sequences import next_value_direct
from portal.tracking.versions import new_version

from .models import Feedback
from .numbered_statement import NUMBERED_COLUMNS, Numbered, write_together

_items = Feedback.__table__
# One statement object (its cache key computed once); the code and the keys go as parameters (SET code=?,
# search_key=?, public_search_key=? WHERE id=?).
_NUMBER = update(_items).where(_items.c.id == bindparam("item_id"))  # type: ignore[arg-type]

# What features above this package do when an item is written without a flush (they import feedback, so
# feedback cannot call them): `on_inserted(name, listener)` from their wiring. Every name in REQUIRED must be
# registered or `insert_numbered` is not used (the ORM's flush is: nothing is ever silently left undone).
InsertedListener = Callable[[Session, Feedback], None]
RowsFor = Callable[[Session, Feedback], list[dict[str, Any]]]
REQUIRED = frozenset({"staff_queue", "consents"})
_INSERTED: dict[str, InsertedListener] = {}
_ROWS: dict[str, tuple[Table, RowsFor]] = {}  # listeners that only write rows about the item (below)
_COLUMNS = tuple(column for column in _items.columns if column.key != "id")
# A column with only a server default would be written as NULL here where the ORM leaves it to the database;
# every one has the same Python default too (models.py), which `_row` writes.
assert all(column.default is not None for column in _COLUMNS if column.server_default is not None)
_INSERTS: dict[frozenset[str], Any] = {}  # the INSERT for each set of written columns, built once


def on_inserted(name: str, listener: InsertedListener, rows: tuple[Table, RowsFor] | None = None) -> None:
    """Call `listener(session, item)` after each item `insert_numbered` writes (in its transaction).

    `rows`: for a listener that only inserts rows about the item, their table and `rows(session, item)`
    giving them (their `subject_id` is the item's id). On PostgreSQL they are then written by the item's own
    statement (numbered_statement.py) and the listener is not called; `rows` sees the item before it has an id."""
    _INSERTED[name] = listener
    if rows is not None:
        _ROWS[name] = rows
    else:  # registered again without rows: its listener is called, not the rows of an earlier registration
        _ROWS.pop(name, None)


def direct_ready() -> bool:
    return REQUIRED <= _INSERTED.keys()


# session.info: (the transaction it was written in, item, its values) of each item `insert_numbered` wrote.
# Attached as an existing row, such an item is not one the session's rollback forgets (it forgets only what a
# flush made persistent): `_rolled_back` does it, so a rolled-back report is transient again, as after a flush.
_WRITTEN = "feedback_inserted_directly"


def install_listeners() -> None:
    """Once per process (portal/feedback/wiring.py)."""
    if not event.contains(Session, "after_soft_rollback", _rolled_back):
        event.listen(Session, "after_soft_rollback", _rolled_back)
        event.listen(Session, "after_commit", _committed)


def _rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    written = session.info.get(_WRITTEN)
    if not written:
        return
    kept = []
    for transaction, item, values in written:
        if _within(transaction, previous_transaction):
            if item in session:
                session.expunge(item)
            make_transient(item)
            # What it was given, readable as a flushed one's is (the rollback expired it).
            item.__dict__.update(values)
        else:
            kept.append((transaction, item, values))
    session.info[_WRITTEN] = kept


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def _committed(session: Session) -> None:
    session.info.pop(_WRITTEN, None)


def number(
    item: Feedback, code: str, account: Account | None, search_keys: Callable[[Feedback], tuple[str, str]]
) -> None:
    """The new item's timeline line and its code (with the search keys, which contain it): an INSERT and an
    UPDATE written directly, not through a flush (the ORM's flush was the largest part of the write).

    What the flush's listeners did for them is done here: the line is texted (`write_line` tells
    portal/sms/notices.py).
    The rest had nothing to do: the item's page version is the one its INSERT wrote moments ago in this
    transaction (no page was kept under it); the item's INSERT already told the staff queue's caches and
    the fragments (same agency, same tables but `events`, which no kept list watches); neither the code
    nor the search keys are in the queue's keys. The loaded item is given the written values as its
    committed state, so no flush writes them again (tests/feedback/test_submission_writes.py).
    """
    session = db.session()
    set_committed_value(item, "code", code)
    public, private = search_keys(item)
    connection = session.connection()
    _timeline_line(item, account)
    connection.execute(
        _NUMBER, {"item_id": item.id, "code": code, "search_key": private, "public_search_key": public}
    )
    set_committed_value(item, "search_key", private)
    set_committed_value(item, "public_search_key", public)


def insert_numbered(
    item: Feedback, day: date, account: Account | None, search_keys: Callable[[Feedback], tuple[str, str]]
) -> None:
    """Number the new item (a transient object with no photos) and write it, its consents and its timeline
    line, in the session's transaction; the item is then in the session as if flushed and loaded.

    The counter's row is locked from its upsert to the commit: the item's INSERT, its consent INSERT and
    the timeline line's run in that window (the code's UPDATE they replace ran there too), on PostgreSQL as
    one statement.
    """
    session = db.session()
    connection = session.connection()
    # The flush's `before_flush` listeners: a new item's page version (portal/tracking/versions.py), its
    # queue key (portal/staff/queue_keys.py `queue_due`; `queue_rank` is set by `submit`).
    item.page_version = new_version()
    item.queue_due = (item.due_on or FAR_FUTURE) if item.status in feedback_status.OPEN else None
    together = connection.dialect.name == "postgresql"  # a data-modifying WITH: SQLite has none
    if together:
        # Numbered by the statement that writes it: the keys around the code are made now, with a stand-in.
        item.code = feedback_code(day, 1)
        numbered = Numbered.around(day, *search_keys(item))
    else:
        item.code = feedback_code(day, next_value_direct(connection, FEEDBACK_SEQUENCE, day))
        item.public_search_key, item.search_key = search_keys(item)
    row = _row(item)
    # A NULL is left out of the INSERT (`_row` gives None only where the column has no default: NULL it is),
    # so that it stays under psycopg's 50 parameters, past which a query is parsed again on every execution
    # instead of once (psycopg/_queries.py MAX_CACHED_STATEMENT_PARAMS).
    written = {key for key, value in row.items() if value is not None}
    line_id = None
    if together:  # the number, the item, the listeners' rows and the line: one round trip instead of four
        line = _submitted_line(item, account)  # before the INSERT: `subject_id` None, the statement gives it
        item_row = {key: row[key] for key in written - NUMBERED_COLUMNS}
        item.id, line_id, code = write_together(connection, item_row, _listener_rows(item), line, numbered)
        item.code, item.public_search_key, item.search_key = numbered.keys_of(code)
        row.update(code=item.code, public_search_key=item.public_search_key, search_key=item.search_key)
    else:
        statement = _INSERTS.get(frozenset(written))
        if statement is None:
            statement = _INSERTS[frozenset(written)] = insert(_items).values(  # type: ignore[arg-type]
                {key: bindparam(key) for key in sorted(written)}
            )
        result = connection.execute(statement, {key: row[key] for key in written})
        item.id = int(result.inserted_primary_key[0])  # type: ignore[index]
    given = item.__dict__
    for key in row.keys() - given.keys():  # every column loaded, as after a flush: nothing is read back later
        setattr(item, key, row[key])
    make_transient_to_detached(item)  # its values are the committed ones, its identity the new row's
    session.add(item)  # in the identity map: `session.get` finds it (the SMS listener at the commit)
    session.info.setdefault(_WRITTEN, []).append(
        (session.get_nested_transaction() or session.get_transaction(), item, {**row, "id": item.id})
    )
    # The flush's `after_flush` listeners: the fragments' table note (portal/fragments.py); the staff queue's
    # counts and kept rows, and the consent rows (registered: staff and privacy import feedback).
    fragments.changed(session, {Feedback.__tablename__})
    for name, listener in _INSERTED.items():
        if not (together and name in _ROWS):  # else its rows were written with the item
            listener(session, item)
    _timeline_line(item, account, line_id)


def _row(item: Feedback) -> dict[str, Any]:
    """Every column's value as the ORM's INSERT writes it: the item's, else the column's default (a value
    given as None counts as not given, as for the ORM, which leaves it out so that the default applies)."""
    given = item.__dict__
    row = {}
    for column in _COLUMNS:
        if given.get(column.key) is not None:
            row[column.key] = given[column.key]
        elif column.default is None:
            row[column.key] = None
        elif column.default.is_scalar:
            row[column.key] = column.default.arg
        else:  # a callable default (submitted_at's): `submit` always sets those
            raise ValueError(f"feedback_items.{column.key} must be given")
    return row


def _submitted_line(item: Feedback, account: Account | None) -> dict[str, Any]:
    """The `submitted` line's columns, `subject_id` the item's id (None before its INSERT gives it one)."""
    return line_values(
        "feedback",
        item.id,
        "submitted",
        actor_id=account.id if account else None,
        to_status=item.status,
        public=True,
        at=item.submitted_at,
    )


def _timeline_line(item: Feedback, account: Account | None, written_id: int | None = None) -> None:
    """The `submitted` line, written at once, or already written with the item (its id `written_id`); the
    line's listeners are told (`written_now`: portal/sms/notices.py texts it)."""
    if written_id is not None:
        written_now(db.session(), "feedback", item.id, "submitted", written_id)
        return
    write_line(_submitted_line(item, account))


def _listener_rows(item: Feedback) -> list[tuple[Table, list[dict[str, Any]]]]:
    session = db.session()
    return [(table, rows(session, item)) for name, (table, rows) in _ROWS.items() if name in _INSERTED]
