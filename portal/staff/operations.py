"""Claiming work from the queue safely: two officers can never get the same item.

The guard is one conditional UPDATE (`… WHERE assignee_id IS NULL`): the database lets exactly one
transaction change the row, on SQLite and PostgreSQL alike. "Take next" on PostgreSQL also skips rows
another officer is locking (`FOR UPDATE SKIP LOCKED`), so two officers pressing it at once get two
different items instead of one winner and one retry.
"""

from __future__ import annotations

from sqlalchemy import Integer, literal, select, update

from portal.accounts.models import Account
from portal.database import changed_rows
from portal.domain import dossier_status, feedback_status
from portal.domain.roles import LEADERS, Role
from portal.dossiers.models import Dossier
from portal.events.operations import record
from portal.extensions import db
from portal.feedback.models import NORMAL_RANK, URGENT_RANK, Feedback

from . import queue_cache

MODELS: dict[str, type[Feedback] | type[Dossier]] = {"feedback": Feedback, "dossier": Dossier}


class ClaimLost(Exception):
    """Someone else holds the item (or it left the queue)."""


def _scope(model, officer: Account):
    return [] if officer.role == Role.ADMIN else [model.agency_id == officer.agency_id]


def next_step_statuses(kind: str, role: str) -> list[str] | list[int]:
    """The stored statuses of `kind` in which `role` has a next step (the domain's `waiting_on`)."""
    if kind == "feedback":
        return sorted(status.value for status in feedback_status.waiting_on(role))
    return sorted(status.value for status in dossier_status.waiting_on(role))


def _has_next_step(model, officer: Account):
    kind = "feedback" if model is Feedback else "dossier"
    return model.status.in_(next_step_statuses(kind, officer.role))


def _counts_changed(model, item_id: int, officer: Account) -> None:
    """The claim or release UPDATE bypasses the flush that would tell the cached counts: tell them here."""
    if officer.role == Role.ADMIN:  # the admin works in every agency: which one did this item belong to?
        queue_cache.changed(db.session.scalar(select(model.agency_id).where(model.id == item_id)))
    else:
        queue_cache.changed(officer.agency_id)


def claim(kind: str, item_id: int, officer: Account) -> None:
    """Take the item, if nobody holds it and the officer's role has a next step on it."""
    model = MODELS[kind]
    claimed = changed_rows(
        update(model)
        .where(
            model.id == item_id,
            model.assignee_id.is_(None),
            _has_next_step(model, officer),
            *_scope(model, officer),
        )
        .values(assignee_id=officer.id)
        .execution_options(synchronize_session=False)
    )
    if claimed != 1:
        raise ClaimLost(kind)
    _counts_changed(model, item_id, officer)
    record(kind, item_id, "claim", actor_id=officer.id)


def release(kind: str, item_id: int, officer: Account) -> None:
    """The holder gives the item back; a leader may take it from anyone."""
    model = MODELS[kind]
    conditions = [model.id == item_id, model.assignee_id.is_not(None), *_scope(model, officer)]
    if officer.role not in LEADERS:
        conditions.append(model.assignee_id == officer.id)
    released = changed_rows(
        update(model).where(*conditions).values(assignee_id=None).execution_options(synchronize_session=False)
    )
    if released != 1:
        raise ClaimLost(kind)
    _counts_changed(model, item_id, officer)
    record(kind, item_id, "release", actor_id=officer.id)


def _candidate(kind: str, officer: Account):
    """The first unassigned item of this kind in the queue's order: (id, rank, due)."""
    model = MODELS[kind]
    rank = Feedback.queue_rank if model is Feedback else literal(NORMAL_RANK, Integer)
    order = (
        [Feedback.queue_rank, Feedback.queue_due, Feedback.id]
        if model is Feedback
        else [model.queue_due, model.id]
    )
    statement = (
        select(model.id, rank, model.queue_due)
        .where(model.assignee_id.is_(None), model.queue_due.is_not(None), *_scope(model, officer))
        .where(_has_next_step(model, officer))
        .where(*([Feedback.queue_rank >= URGENT_RANK] if model is Feedback else []))
        .order_by(*order)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return db.session.execute(statement).first()


def take_next(officer: Account) -> tuple[str, int] | None:
    """Claim the most urgent unassigned item of the officer's agency on which the officer's role has a next
    step (an urgent category's first, then the earliest due); None when there is none."""
    for _attempt in range(5):
        candidates = [
            (row[1], row[2], kind, row[0])
            for kind in MODELS
            if (row := _candidate(kind, officer)) is not None
        ]
        if not candidates:
            return None
        _rank, _due, kind, item_id = min(candidates)
        try:
            claim(kind, item_id, officer)
        except ClaimLost:
            continue  # someone was faster: try the next one
        return kind, item_id
    return None
