"""The built working-day calendar, kept by each process while the calendar's version token is unchanged.

Building a calendar reads the `calendar_days` rows of four years and merges them with the `holidays`
package's days; deadlines need it on every submission, catalogue page and staff action. Each process
(gunicorn worker, node) keeps what it built, per application, under the token of `calendar_version`:

- every change of `calendar_days` through the ORM (the admin page, the seed, a bulk statement) writes a
  new random token in the same transaction (`after_flush`, `do_orm_execute` below), so the token and the
  rows are committed, or rolled back, together;
- a request that needs the calendar reads the token once (one primary-key lookup, remembered in `g` for
  the rest of the request) and uses the calendar built under that token, or builds it.

So a change is seen by every worker and node at the next request after its commit, never later: no
staleness window, and a deadline shown to a citizen is never counted with an old calendar. A token is
never reused (random, 128 bits), so a rolled-back change cannot leave a built calendar that a later token
would find. A change made by hand in SQL must write a new token too (`UPDATE calendar_version SET
token = '<anything new>'`), or every process be restarted.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from itertools import chain

from flask import Flask, current_app, g, has_app_context, has_request_context
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import ORMExecuteState, Session

from portal.domain.working_days import Calendar
from portal.extensions import db

from .models import CalendarDay, CalendarVersion

EXTENSION = "portal.calendar.built"
MAX_KEPT = 64  # calendars per process and application (years ranges x tokens); all dropped when full
NO_ROW = ""  # the token before the first change through the portal: a version like any other
_MEMO = "_calendar_token"


def current_token() -> str:
    """The calendar's version token, read at most once per request."""
    if has_request_context() and _MEMO in g:
        return g.get(_MEMO)
    token = db.session.scalar(select(CalendarVersion.token).where(CalendarVersion.id == 1)) or NO_ROW
    if has_request_context():
        setattr(g, _MEMO, token)
    return token


def token_column():
    """The token as a scalar subquery, for a page statement that will need the calendar: its rows bring
    the token along (`remember`), and the request reads no separate row for it."""
    return select(CalendarVersion.token).where(CalendarVersion.id == 1).correlate(None).scalar_subquery()


def remember(token: str | None) -> None:
    """The token a statement of this request read (`token_column`): the calendar is used under it."""
    if has_request_context() and _MEMO not in g:
        setattr(g, _MEMO, token or NO_ROW)


def cached(years: range, build: Callable[[range], Calendar]) -> Calendar:
    """The calendar of `years` under the current token, built once per process and token."""
    kept: dict[tuple[str, int, int], Calendar] = current_app.extensions.setdefault(EXTENSION, {})
    key = (current_token(), years.start, years.stop)
    calendar = kept.get(key)
    if calendar is None:
        calendar = build(years)
        if len(kept) >= MAX_KEPT:
            kept.clear()
        kept[key] = calendar
    return calendar


def _forget_memo() -> None:
    if has_request_context():
        g.pop(_MEMO, None)


def new_token(connection: Connection) -> str:
    """Write a new token (inserting the row the first time), in the caller's transaction."""
    token = secrets.token_hex(16)
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(CalendarVersion).values(id=1, token=token)
    connection.execute(statement.on_conflict_do_update(index_elements=["id"], set_={"token": token}))
    if has_request_context():
        setattr(g, _MEMO, token)  # this request sees its own change
    return token


def _changed_in_flush(session: Session, _context) -> None:
    if any(isinstance(item, CalendarDay) for item in chain(session.new, session.dirty, session.deleted)):
        new_token(session.connection())


def _changed_in_bulk(state: ORMExecuteState):
    """An insert(), update() or delete() of CalendarDay run through the session (no flush sees it)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    if not any(mapper.class_ is CalendarDay for mapper in state.all_mappers):
        return None
    result = state.invoke_statement()
    new_token(state.session.connection())
    return result


def _rolled_back(_session: Session, _previous=None) -> None:
    if has_app_context():
        _forget_memo()  # a rolled-back change's token must not outlive it in this request


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = {}
    for name, listener in (
        ("after_flush", _changed_in_flush),
        ("do_orm_execute", _changed_in_bulk),
        ("after_soft_rollback", _rolled_back),
    ):
        if not event.contains(Session, name, listener):  # several apps in one process (tests)
            event.listen(Session, name, listener)
