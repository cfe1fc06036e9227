"""The unified queue: open feedback and dossiers of an agency in one list, most urgent first.

One UNION ALL of the two tables, ordered by (no due date last, due date, kind, id) and paged by that
key (keyset pagination): page 500 costs what page 1 costs, with the (agency, status, due) indexes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, cast, func, literal, select, tuple_, union_all

from portal.domain.text import search_terms
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.feedback.models import Feedback

PAGE_SIZE = 25
FEEDBACK_OPEN = ("new", "accepted", "info_requested")
DOSSIER_OPEN = ("1", "2", "4", "5", "6", "9")
FAR_FUTURE = date(9999, 12, 31)  # paused items (no due date) sort after every dated one


@dataclass(frozen=True)
class QueueFilter:
    agency_id: int | None  # None: every agency (admin)
    me: int
    kind: str = ""  # "feedback", "dossier" or ""
    status: str = ""
    commune: str = ""
    query: str = ""
    overdue: bool = False
    mine: bool = False
    unassigned: bool = False
    after: tuple[date, str, int] | None = None  # keyset: (due, kind, id) of the last row shown


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _branch(model, kind: str, criteria: QueueFilter, today: date):
    is_feedback = model is Feedback
    due = model.due_on if is_feedback else model.appointment_on
    status = model.status if is_feedback else cast(model.status, String)
    title = model.title if is_feedback else model.applicant_name
    statement = select(
        literal(kind).label("kind"), model.id.label("id"), model.code.label("code"), title.label("title"),
        status.label("status"), func.coalesce(due, FAR_FUTURE).label("due"), model.assignee_id.label("assignee_id"),
        model.admin_unit_code.label("commune"), model.agency_id.label("agency_id"),
    ).where(status.in_(FEEDBACK_OPEN if is_feedback else DOSSIER_OPEN))
    if criteria.agency_id is not None:
        statement = statement.where(model.agency_id == criteria.agency_id)
    if criteria.status:
        statement = statement.where(status == criteria.status)
    if criteria.commune:
        statement = statement.where(model.admin_unit_code == criteria.commune)
    if criteria.overdue:
        statement = statement.where(due < today)
    if criteria.mine:
        statement = statement.where(model.assignee_id == criteria.me)
    if criteria.unassigned:
        statement = statement.where(model.assignee_id.is_(None))
    for term in search_terms(criteria.query):
        statement = statement.where(model.search_key.like(_like(term), escape="\\"))
    return statement


def queue_page(criteria: QueueFilter, today: date, size: int = PAGE_SIZE):
    """One page of the queue and the keyset of the next page (or None)."""
    branches = [_branch(m, k, criteria, today) for m, k in ((Feedback, "feedback"), (Dossier, "dossier"))
                if criteria.kind in ("", k)]
    rows = union_all(*branches).subquery() if len(branches) > 1 else branches[0].subquery()
    statement = select(rows)
    if criteria.after is not None:
        statement = statement.where(tuple_(rows.c.due, rows.c.kind, rows.c.id) > tuple_(*map(literal, criteria.after)))
    result = db.session.execute(statement.order_by(rows.c.due, rows.c.kind, rows.c.id).limit(size + 1)).all()
    next_key = (result[size - 1].due, result[size - 1].kind, result[size - 1].id) if len(result) > size else None
    return result[:size], next_key


def counts(criteria: QueueFilter, today: date) -> dict[str, int]:
    """How many items each quick filter would show (for the filter buttons)."""
    base = {"agency_id": criteria.agency_id, "me": criteria.me}
    out = {}
    for name, extra in (("all", {}), ("feedback", {"kind": "feedback"}), ("dossier", {"kind": "dossier"}),
                        ("overdue", {"overdue": True}), ("mine", {"mine": True}), ("unassigned", {"unassigned": True})):
        filters = QueueFilter(**base, **extra)
        branches = [_branch(m, k, filters, today) for m, k in ((Feedback, "feedback"), (Dossier, "dossier"))
                    if filters.kind in ("", k)]
        union = union_all(*branches).subquery() if len(branches) > 1 else branches[0].subquery()
        out[name] = db.session.scalar(select(func.count()).select_from(union))
    return out


def next_unassigned(criteria: QueueFilter, today: date):
    """The most urgent unassigned item (kind, id), or None."""
    rows, _key = queue_page(QueueFilter(agency_id=criteria.agency_id, me=criteria.me, unassigned=True), today, size=1)
    return rows[0] if rows else None

