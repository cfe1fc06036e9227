"""The unified queue: open feedback and dossiers of an agency in one list, most urgent first.

Each kind is read in (queue_due, id) order from its own index, at most one page plus one row, and
the two short lists are merged: the database never sorts the whole queue. Pages follow the key of the
last row shown (keyset pagination), so page 500 costs what page 1 costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, cast, false, func, literal, select, tuple_, union_all

from portal import pagination
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.feedback.models import Feedback
from portal.search import every_term

from .queue_keys import DOSSIER_OPEN, FAR_FUTURE, FEEDBACK_OPEN

PAGE_SIZE = 25
KINDS = (("dossier", Dossier), ("feedback", Feedback))  # alphabetical: the tie-break order


@dataclass(frozen=True)
class QueueFilter:
    agency_id: int | None  # None: every agency (admin)
    me: int
    kind: str = ""  # "feedback", "dossier" or ""
    status: str = ""
    commune: str = ""
    category: int | None = None  # feedback category (implies kind "feedback")
    procedure: int | None = None  # dossier procedure (implies kind "dossier")
    query: str = ""
    overdue: bool = False
    mine: bool = False
    unassigned: bool = False
    after: tuple[date, str, int] | None = None  # keyset: (due, kind, id) of the last row shown


def _conditions(model, criteria: QueueFilter, today: date) -> list:
    conditions = [model.queue_due.is_not(None)]
    if criteria.agency_id is not None:
        conditions.append(model.agency_id == criteria.agency_id)
    if criteria.status:
        status = model.status if model is Feedback else cast(model.status, String)
        conditions.append(status == criteria.status)
    if criteria.commune:
        conditions.append(model.admin_unit_code == criteria.commune)
    if criteria.category is not None:
        conditions.append(model.category_id == criteria.category if model is Feedback else false())
    if criteria.procedure is not None:
        conditions.append(model.procedure_id == criteria.procedure if model is Dossier else false())
    if criteria.overdue:
        conditions.append(model.queue_due < today)
    if criteria.mine:
        conditions.append(model.assignee_id == criteria.me)
    if criteria.unassigned:
        conditions.append(model.assignee_id.is_(None))
    conditions.extend(every_term(model.search_key, criteria.query))
    return conditions


def _after(model, kind: str, after: tuple[date, str, int] | None) -> list:
    """Rows of this kind that come after the key (due, kind, id) in the merged order."""
    if after is None:
        return []
    due, after_kind, after_id = after
    if kind > after_kind:
        return [model.queue_due >= due]
    if kind < after_kind:
        return [model.queue_due > due]
    return [tuple_(model.queue_due, model.id) > tuple_(literal(due), literal(after_id))]


def _branch(kind: str, model, criteria: QueueFilter, today: date, size: int):
    title = model.title if model is Feedback else model.applicant_name
    status = model.status if model is Feedback else cast(model.status, String)
    return (
        select(
            literal(kind).label("kind"),
            model.id.label("id"),
            model.code.label("code"),
            title.label("title"),
            status.label("status"),
            model.queue_due.label("due"),
            model.assignee_id.label("assignee_id"),
        )
        .where(*_conditions(model, criteria, today), *_after(model, kind, criteria.after))
        .order_by(model.queue_due, model.id)
        .limit(size + 1)
    )


def queue_page(criteria: QueueFilter, today: date, size: int = PAGE_SIZE):
    """One page of the queue and the keyset of the next page (or None)."""
    branches = [
        _branch(kind, model, criteria, today, size).subquery()
        for kind, model in KINDS
        if criteria.kind in ("", kind)
    ]
    merged = union_all(*(select(branch) for branch in branches)).subquery()
    result = db.session.execute(
        select(merged).order_by(merged.c.due, merged.c.kind, merged.c.id).limit(size + 1)
    ).all()
    return pagination.page(result, size, lambda row: (row.due, row.kind, row.id))


def counts(criteria: QueueFilter, today: date) -> dict[str, int]:
    """How many open items each quick filter would show: one aggregate query per kind."""
    totals = {"all": 0, "feedback": 0, "dossier": 0, "overdue": 0, "mine": 0, "unassigned": 0}
    base = QueueFilter(agency_id=criteria.agency_id, me=criteria.me)
    for kind, model in KINDS:
        row = db.session.execute(
            select(
                func.count(),
                func.count().filter(model.queue_due < today),
                func.count().filter(model.assignee_id == criteria.me),
                func.count().filter(model.assignee_id.is_(None)),
            ).where(*_conditions(model, base, today))
        ).one()
        totals[kind] = row[0]
        totals["all"] += row[0]
        totals["overdue"] += row[1]
        totals["mine"] += row[2]
        totals["unassigned"] += row[3]
    return totals


__all__ = ["DOSSIER_OPEN", "FAR_FUTURE", "FEEDBACK_OPEN", "PAGE_SIZE", "QueueFilter", "counts", "queue_page"]
