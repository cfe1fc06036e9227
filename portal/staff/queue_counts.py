"""The statement behind the queue's quick-filter counts, and where it runs (portal/staff/queue_cache.py keeps
its result per agency).

One statement counts both kinds of an agency's open items, grouped by assignee: the items, those overdue
today and those that will cost points this week.

Where it runs: in the request, on the request's session, except under gunicorn's gevent worker. There one
process serves every connection on one OS thread, and a count of an agency at 1M rows takes 70-90 ms of
SQLite's C code (which never yields to another greenlet: every connection of the worker stood still for it,
queue page 1's p99 of 120 ms on SQLite) or 45-79 ms on PostgreSQL. So there it runs in one of the gevent
hub's OS threads (`hub.threadpool`) through the request's own connection, which the request's greenlet
leaves alone while it waits: sqlite3 and psycopg release the GIL while the database works, the other
greenlets go on, and only the request that asked for the count waits for it (its result or its exception
comes back to that request's greenlet). Never a second connection from the pool: requests that each held
one and waited for a count could empty it, and every count would then wait the pool's timeout and fail.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Index, func, literal, select, text, union_all
from sqlalchemy.orm import Session, scoped_session

from portal.domain.score_effects import week_end
from portal.dossiers.models import Dossier
from portal.feedback.models import Feedback
from portal.statistics.queries.overdue import overdue_now
from portal.steering.queries import costs_this_week

# The count reads only these columns of the open items (queue_due IS NOT NULL: ~2% of the rows at 1M), so an
# agency's count is an index-only scan of a small partial index in assignee order (no sort), instead of
# ~9,600 random reads of table rows per kind (bench/notes/queue7.md). Declared here, beside the one
# statement that needs them (the tables' other indexes are in their models): migration 7c1d2e9f4a60.
OPEN_ONLY: dict[str, Any] = {
    "postgresql_where": text("queue_due IS NOT NULL"),
    "sqlite_where": text("queue_due IS NOT NULL"),
}
_f, _d = Feedback.__table__.c, Dossier.__table__.c
FEEDBACK_INDEX = Index(
    "ix_feedback_queue_counts",
    _f.agency_id,
    _f.assignee_id,
    _f.queue_due,
    _f.reopened_late,
    _f.info_request_late,
    **OPEN_ONLY,
)
DOSSIER_INDEX = Index(
    "ix_dossiers_queue_counts",
    _d.agency_id,
    _d.assignee_id,
    _d.status,
    _d.original_appointment_on,
    _d.received_at,
    _d.finished_at,
    _d.returned_at,
    _d.queue_due,  # SQLite reads the column of the partial index's condition: without it, not covering
    _d.id,
    **OPEN_ONLY,
)


def statement(agency_id: int | None, today: date):
    """Rows of (kind, assignee, items, overdue, costly) for the agency's open items (every agency's for
    None): "overdue" is the dashboard's `overdue_now` for dossiers, an answer past its due date for feedback;
    "costly" is `costs_this_week` (portal/steering)."""
    branches = []
    for kind, model in (("dossier", Dossier), ("feedback", Feedback)):
        conditions: list[ColumnElement[bool]] = [model.queue_due.is_not(None)]
        if agency_id is not None:
            conditions.append(model.agency_id == agency_id)
        branches.append(
            select(
                literal(kind).label("kind"),
                model.assignee_id.label("assignee_id"),
                func.count().label("items"),
                func.count()
                .filter(overdue_now(today) if model is Dossier else model.queue_due < today)
                .label("overdue"),
                func.count().filter(costs_this_week(model, today, week_end(today))).label("costly"),
            )
            .where(*conditions)
            .group_by(model.assignee_id)
        )
    return union_all(*branches)


def count(
    on: Session | scoped_session | Connection, agency_id: int | None, today: date, now=time.time
) -> dict[str, Any]:
    """The agency's counts (every agency's for None) on `today`, read through `on`; `at` is when the count
    started (`now()`), so the entry's age runs from before the rows were read."""
    started = now()
    totals: dict[str, Any] = {
        "day": today,
        "at": started,
        "dossier": 0,
        "feedback": 0,
        "overdue": 0,
        "costly": 0,
        "by_assignee": {},
    }
    for row in on.execute(statement(agency_id, today)):
        totals[row.kind] += row.items
        totals["overdue"] += row.overdue
        totals["costly"] += row.costly
        totals["by_assignee"][row.assignee_id] = totals["by_assignee"].get(row.assignee_id, 0) + row.items
    return totals


def counts_apart() -> bool:
    """Whether a count runs in another OS thread: only under gevent's patched threading (gunicorn's gevent
    worker). It reads there through the request's own connection (portal/staff/queue_cache.py `_counted`)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("threading"))


def run_apart(work, *args: Any) -> Any:
    """`work(*args)` in one of the gevent hub's OS threads; this greenlet waits for it, the others run. Its
    exception is raised here. Should this greenlet be interrupted (killed, a timeout), it still waits for the
    thread before it goes on: the thread reads through the request's connection, which the request's
    teardown would otherwise give back to the pool while it is in use."""
    import gevent

    pending = gevent.get_hub().threadpool.spawn(work, *args)
    try:
        return pending.get()
    except BaseException:
        while not pending.ready():
            try:
                pending.wait()
            except BaseException:  # noqa: S112 - interrupted again: the thread still holds the connection
                continue
        raise
