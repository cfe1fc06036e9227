"""Per-scope, per-day counters for human-readable codes: gap-free and safe under concurrency.

One atomic INSERT … ON CONFLICT DO UPDATE … RETURNING takes the row lock on PostgreSQL, so two
transactions can never receive the same number, and a rolled-back transaction gives its number back.
"""

from datetime import date
from typing import Any

from sqlalchemy import Connection, Date, String, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Model, db


class DailySequence(Model):
    __tablename__ = "daily_sequences"

    scope: Mapped[str] = mapped_column(String(60), primary_key=True)  # "feedback", "dossier:<agency code>"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


def upsert_insert(model):
    """An INSERT for `model` that takes ON CONFLICT DO UPDATE … RETURNING, in the session's dialect: the one
    atomic statement behind every counter here (sequences, refused-webhook counts)."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def next_value(scope: str, day: date) -> int:
    """The next number of `scope` on `day`, starting at 1. Runs in the caller's transaction."""
    dialect = db.session.get_bind().dialect.name
    statement = _NEXT_VALUE.get(dialect)
    if statement is None:
        statement = _NEXT_VALUE[dialect] = _next_value_statement(dialect)
    return db.session.execute(statement, {"scope": scope, "day": day}).scalar_one()


def next_value_direct(connection: Connection, scope: str, day: date) -> int:
    """`next_value` run on the session's connection as a plain Core statement: the same SQL and lock, without
    the ORM's statement execution (a tenth of a feedback POST's CPU). For a caller whose transaction has
    already told the ORM's listeners that it writes (the feedback submission: portal/feedback/numbering.py);
    the ORM's execute told only the staff queue's kept rows (`do_orm_execute`), which that caller tells too."""
    dialect = connection.dialect.name
    statement = _NEXT_VALUE_CORE.get(dialect)
    if statement is None:
        statement = _NEXT_VALUE_CORE[dialect] = _next_value_statement(dialect, DailySequence.__table__)
    return connection.execute(statement, {"scope": scope, "day": day}).scalar_one()


# dialect name -> the upsert, built once: every code of every submission, dossier and receipt takes one, and
# building it (the construct, its ON CONFLICT clause, RETURNING) cost a tenth of a report's POST in CPU.
_NEXT_VALUE: dict[str, Any] = {}
_NEXT_VALUE_CORE: dict[str, Any] = {}  # the same statements on the table (no ORM execution)


def _next_value_statement(dialect: str, target: Any = DailySequence):
    """The upsert on the mapped class (run through the session) or on its table (`target`, run by Core)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    columns = DailySequence if target is DailySequence else target.c
    statement = insert(target).values(
        scope=bindparam("scope", type_=String(60)), day=bindparam("day", type_=Date()), last_value=1
    )
    return statement.on_conflict_do_update(
        index_elements=[columns.scope, columns.day],
        set_={"last_value": columns.last_value + 1},
    ).returning(columns.last_value)
