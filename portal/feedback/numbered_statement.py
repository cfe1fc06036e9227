"""The one statement that numbers a new report and writes it (PostgreSQL; portal/feedback/numbering.py
`insert_numbered`): the day's counter's upsert, the item with the code and search keys made in SQL from the
counter's value, the rows the item's listeners write about it, and its timeline line, as a data-modifying
WITH (bench/notes/submit5.md, submit6.md). SQLite has no data-modifying WITH: numbering.py writes them
one by one there."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    String,
    Table,
    Text,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal_column,
    select,
    true,
)
from sqlalchemy import column as sql_column
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert

from portal.domain.codes import FEEDBACK_SEQUENCE, feedback_code, feedback_code_prefix, sequence_digits
from portal.domain.text import fold
from portal.events.models import Event
from portal.sequences import DailySequence

from .models import Feedback

_items = Feedback.__table__


# Written by `write_together` from the counter's value, not given as parameters.
NUMBERED_COLUMNS = frozenset({"code", "public_search_key", "search_key"})


class Numbered:
    """A new item's code and search keys around its number, which the statement that writes it takes: the
    code is the day's prefix and the number's digits (`feedback_code`), and each key begins with the folded
    code, then the rest, which does not depend on the number (public_key.py: the code is the first word
    folded, and folding works word by word)."""

    __slots__ = ("day", "code_prefix", "folded_prefix", "public_tail", "private_tail")

    def __init__(self, day: date, code_prefix: str, folded_prefix: str, public_tail: str, private_tail: str):
        self.day, self.code_prefix, self.folded_prefix = day, code_prefix, folded_prefix
        self.public_tail, self.private_tail = public_tail, private_tail

    @classmethod
    def around(cls, day: date, public: str, private: str) -> Numbered:
        """From the keys made with the code of number 1 (`feedback_code(day, 1)`)."""
        stand_in = fold(feedback_code(day, 1))
        folded_prefix = stand_in[: -len(sequence_digits(1))]
        if not (public.startswith(stand_in) and private.startswith(stand_in)):
            raise ValueError("a search key does not begin with the item's code")
        return cls(
            day, feedback_code_prefix(day), folded_prefix, public[len(stand_in) :], private[len(stand_in) :]
        )

    def parameters(self) -> dict[str, Any]:
        return {
            "n_scope": FEEDBACK_SEQUENCE,
            "n_day": self.day,
            "n_code": self.code_prefix,
            "n_folded": self.folded_prefix,
            "n_public": self.public_tail,
            "n_private": self.private_tail,
        }

    def keys_of(self, code: str) -> tuple[str, str, str]:
        """(code, public key, private key) of the code the statement wrote: the same as `search_keys` gives
        for an item with that code."""
        digits = code[len(self.code_prefix) :]
        folded = self.folded_prefix + digits
        return code, folded + self.public_tail, folded + self.private_tail


def write_together(
    connection: Connection,
    item_row: dict[str, Any],
    others: list[tuple[Table, list[dict[str, Any]]]],
    line: dict[str, Any],
    numbered: Numbered,
) -> tuple[int, int, str]:
    """Number the item and write it, the listeners' rows and the timeline line by one statement (PostgreSQL):

        WITH counter AS (INSERT INTO daily_sequences … ON CONFLICT (scope, day) DO UPDATE SET last_value = …
                 RETURNING last_value, <its digits>),
             new_item AS (INSERT INTO feedback_items (…, code, public_search_key, search_key)
                 VALUES (…, %(n_code)s || (SELECT digits FROM counter), …) RETURNING id, code),
             new_privacy_consents AS (INSERT INTO privacy_consents (…, subject_id)
                 SELECT r.…, new_item.id FROM new_item, jsonb_to_recordset(CAST(%(rows_0)s AS JSONB)) AS r(…)),
             new_events AS (INSERT INTO events (…, subject_id) SELECT r.…, new_item.id FROM new_item, … AS r(…)
                 RETURNING id)
        SELECT new_events.id, new_item.id, new_item.code, counter.last_value FROM new_events, new_item, counter

    Why the counter is in it: its row is locked from its upsert to the commit (gap-free codes), and every
    submission of the day waits for it. With the upsert a statement of its own, the lock was held across two
    round trips to the worker, and in the gevent worker each waits its turn behind the other greenlets'
    work: under load most POSTs were waiting for that lock (bench/notes/submit6.md). Now it is held from
    this statement's upsert to the commit that follows it.

    The item's INSERT reads the counter's value, so the upsert runs first: the counter's row is locked
    before the item's unique keys, as on the photo path (operations.submit). The rows that refer to the
    item take its id from the RETURNING of its INSERT; each table's rows go as one JSON parameter, so the
    statement keeps the item's parameters plus one per table and six for the number, under psycopg's 50
    (past which a query is parsed again on every execution), whoever sends and whatever consents. The
    statements of a WITH run once each, on one snapshot. Returns (item id, line id, code), the code checked
    against `feedback_code` of the number (a number out of range raises, and the transaction is not
    committed)."""
    tables = [(table, rows) for table, rows in others if rows] + [(_events, [line])]
    shape = (frozenset(item_row), tuple((table.name, _keys(rows)) for table, rows in tables))
    statement = _TOGETHER.get(shape)
    if statement is None:
        statement = _TOGETHER[shape] = _together_statement(item_row, [(t, _keys(rows)) for t, rows in tables])
    parameters = {f"i_{key}": value for key, value in item_row.items()} | numbered.parameters()
    for number, (_table, rows) in enumerate(tables):
        parameters[f"rows_{number}"] = json.dumps(
            [{key: value for key, value in row.items() if key != "subject_id"} for row in rows], default=_json
        )
    line_id, item_id, code, sequence = connection.execute(statement, parameters).one()
    if code != feedback_code(numbered.day, sequence):
        raise ValueError(f"the code written ({code}) is not the number's ({sequence})")
    return int(item_id), int(line_id), code


def _keys(rows: list[dict[str, Any]]) -> tuple[str, ...]:
    keys = {key for row in rows for key in row} - {"subject_id"}
    if any(row.keys() - {"subject_id"} != keys for row in rows):
        raise ValueError("the rows written with an item must have the same columns")
    return tuple(sorted(keys))


def _json(value: object) -> str:
    if isinstance(value, datetime) and value.utcoffset() is None:
        # PostgreSQL would read it in the session's time zone; the ORM's UTCDateTime refuses one too.
        raise ValueError("a naive datetime is not written with an item")
    if isinstance(value, (datetime, date)):
        return value.isoformat()  # read back exactly by PostgreSQL's timestamptz / date input
    raise TypeError(f"{type(value).__name__} is not written with an item")


_TOGETHER: dict[tuple, Any] = {}  # the statement for each shape of item, rows and line, built once
_events: Table = Event.__table__  # type: ignore[assignment]  # a Table (FromClause to the type checker)


def _counter_statement() -> Any:
    """The day's counter's upsert (portal/sequences.py's) returning its value and the code's digits of it
    (`sequence_digits`: at least four, zero-filled; lpad alone would cut a longer number)."""
    table = DailySequence.__table__
    value = table.c.last_value
    text = cast(value, Text)
    one: Any = literal_column("1")  # constants written in the SQL: parameters count towards psycopg's 50
    digits = case(
        (value < literal_column("10000"), func.lpad(text, literal_column("4"), literal_column("'0'"))),
        else_=text,
    )
    return (
        pg_insert(table)  # type: ignore[arg-type]
        .values(
            scope=bindparam("n_scope", type_=String(60)), day=bindparam("n_day", type_=Date()), last_value=one
        )
        .on_conflict_do_update(index_elements=[table.c.scope, table.c.day], set_={"last_value": value + one})
        .returning(value, digits.label("digits"))
        .cte("counter")
    )


def _together_statement(item_row: dict[str, Any], tables: list[tuple[Table, tuple[str, ...]]]) -> Any:
    counter = _counter_statement()
    folded = bindparam("n_folded", type_=Text)

    def number_of(start: Any, tail: Any = None) -> Any:
        joined = start + counter.c.digits if tail is None else start + counter.c.digits + tail
        return select(joined).scalar_subquery()

    numbered = {
        "code": number_of(bindparam("n_code", type_=Text)),
        "public_search_key": number_of(folded, bindparam("n_public", type_=Text)),
        "search_key": number_of(folded, bindparam("n_private", type_=Text)),
    }
    new_item = (
        insert(_items)  # type: ignore[arg-type]
        .values({key: bindparam(f"i_{key}", type_=_items.c[key].type) for key in sorted(item_row)} | numbered)
        .returning(_items.c.id, _items.c.code)
        .cte("new_item")
    )
    inserts = []
    for number, (table, keys) in enumerate(tables):
        rows = (
            func.jsonb_to_recordset(cast(bindparam(f"rows_{number}", type_=Text), JSONB))
            .table_valued(*(sql_column(key, table.c[key].type) for key in keys))
            .render_derived(name=f"rows_{number}", with_types=True)
        )
        source = (
            select(*(rows.c[key] for key in keys), new_item.c.id).select_from(new_item).join(rows, true())
        )
        inserts.append(insert(table).from_select([*keys, "subject_id"], source))
    *dependents, line = inserts
    new_line = line.returning(_events.c.id).cte("new_events")
    statement = select(new_line.c.id, new_item.c.id, new_item.c.code, counter.c.last_value).select_from(
        new_line.join(new_item, true()).join(counter, true())
    )
    for number, dependent in enumerate(dependents):
        statement = statement.add_cte(dependent.cte(f"new_{tables[number][0].name}"))
    return statement
