"""Record events, and forget the addresses they hold. Operations flush; the request commits."""

from collections.abc import Callable
from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import ColumnElement, func, insert, or_, select, update
from sqlalchemy.orm import Session

from portal.db_types import utcnow
from portal.extensions import db

from .models import Event


def _columns(
    subject_type: str,
    subject_id: int | None,
    action: str,
    actor_id: int | None,
    from_status: str | None,
    to_status: str | None,
    note: str,
    public: bool,
) -> dict:
    """A line's columns as `record` and `write_line` write them (the address of the request, if any)."""
    return {
        "subject_type": subject_type,
        "subject_id": subject_id,
        "action": action,
        "actor_id": actor_id,
        "from_status": from_status,
        "to_status": to_status,
        "note": note,
        "is_public": public,
        "ip_address": request.remote_addr if has_request_context() else None,
    }


def record(
    subject_type: str,
    subject_id: int,
    action: str,
    *,
    actor_id: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str = "",
    public: bool = False,
    at: datetime | None = None,
) -> Event:
    """Append one event about (subject_type, subject_id). `at`: when it happened, for an operation given its
    moment (the demo's history, tests); otherwise now."""
    entry = Event(
        **line_values(
            subject_type,
            subject_id,
            action,
            actor_id=actor_id,
            from_status=from_status,
            to_status=to_status,
            note=note,
            public=public,
            at=at,
        )
    )
    db.session.add(entry)
    db.session.flush()
    return entry


# A line written at once by one INSERT, without a flush (a hot path: the feedback submission's numbering).
# The flush's listeners never see it: a feature that watches new lines registers with `on_direct` too.
DirectListener = Callable[[Session, str, int, str, int], None]
_DIRECT: list[DirectListener] = []
# One statement object for every such line: SQLAlchemy computes its cache key once, not per submission (the
# values go as parameters; the SQL is the one `insert(Event).values(...)` wrote).
_INSERT_LINE = insert(Event.__table__)  # type: ignore[arg-type]


def on_direct(listener: DirectListener) -> None:
    """Call `listener(session, subject_type, subject_id, action, event_id)` for each line written at once
    (`write_line`, `written_now`)."""
    if listener not in _DIRECT:
        _DIRECT.append(listener)


def line_values(
    subject_type: str,
    subject_id: int | None,
    action: str,
    *,
    actor_id: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str = "",
    public: bool = False,
    at: datetime | None = None,
) -> dict:
    """The columns of a line written at once: by `write_line`, or by a statement that writes it with the row it
    is about (portal/feedback/numbering.py: `subject_id` None, the new row's id given by that statement), which
    then calls `written_now` with the line's id."""
    return {
        "occurred_at": at or utcnow(),
        **_columns(subject_type, subject_id, action, actor_id, from_status, to_status, note, public),
    }


def written_now(session: Session, subject_type: str, subject_id: int, action: str, event_id: int) -> None:
    """Tell the `on_direct` listeners about a line written without a flush."""
    for listener in _DIRECT:
        listener(session, subject_type, subject_id, action, event_id)


def write_line(values: dict) -> int:
    """A line of `line_values` written at once (one INSERT in the session's transaction, no flush), its
    `on_direct` listeners told; returns its id."""
    session = db.session()
    written = session.connection().execute(_INSERT_LINE, values)
    event_id = int(written.inserted_primary_key[0])  # type: ignore[index]
    written_now(session, values["subject_type"], values["subject_id"], values["action"], event_id)
    return event_id


# Forgetting an address is the one change the database lets through on this table (migration f7d2a9c4e1b3):
# the IP address is the person's data (Law 91/2025), the rest of the line is the record of what happened.
# Bulk UPDATEs, so the ORM's append-only guard (models.py), which watches flushed objects, is not involved.


def _forget(where: ColumnElement[bool]) -> int:
    result = db.session.execute(
        update(Event)
        .where(where, Event.ip_address.is_not(None))
        .values(ip_address=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def forget_citizen_addresses(subject_type: str, subject_id: int, account_id: int | None) -> int:
    """The addresses of the citizen's own lines about one record: those with no officer behind them (an
    anonymous reporter's) or the citizen's account. Officers' lines keep theirs (the audit of staff)."""
    actor = (
        or_(Event.actor_id.is_(None), Event.actor_id == account_id)
        if account_id
        else Event.actor_id.is_(None)
    )
    return _forget((Event.subject_type == subject_type) & (Event.subject_id == subject_id) & actor)


def forget_actor_addresses(account_id: int) -> int:
    """Every address recorded for lines this account acted on (sign-ins, requests, payments...)."""
    return _forget(Event.actor_id == account_id)


def addresses_before(moment: datetime) -> int:
    """How many lines older than `moment` still hold an address."""
    statement = select(func.count()).where(Event.occurred_at < moment, Event.ip_address.is_not(None))
    return int(db.session.scalar(statement) or 0)


def forget_addresses_before(moment: datetime) -> int:
    return _forget(Event.occurred_at < moment)
