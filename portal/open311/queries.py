"""What the API reads: published items only (the public feed's rule), public timeline lines only; the one
exception is a key reading back a report it created itself (`submitted_with`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select
from sqlalchemy.orm import selectinload

from portal.apikeys.models import ApiKey
from portal.events.models import Event
from portal.events.timeline import AUDIT_ONLY
from portal.extensions import db
from portal.feedback import conduct
from portal.feedback.models import Feedback, FeedbackCategory

from . import serializers
from .models import ApiSubmission


@dataclass(frozen=True)
class RequestFilter:
    codes: tuple[str, ...] = ()  # service_request_id: overrides every other filter
    services: tuple[str, ...] = ()
    states: frozenset[str] = frozenset()  # portal states
    start: datetime | None = None
    end: datetime | None = None
    page: int = 1
    page_size: int = 1000


def services(code: str | None = None) -> list[FeedbackCategory]:
    statement = select(FeedbackCategory).where(FeedbackCategory.is_active)
    if code is not None:
        statement = statement.where(FeedbackCategory.slug == code)
    return list(db.session.scalars(statement.order_by(FeedbackCategory.position, FeedbackCategory.id)))


def _published() -> Select:
    return select(Feedback).where(Feedback.is_published).options(selectinload(Feedback.photos))


def requests(criteria: RequestFilter) -> list[Feedback]:
    return list(db.session.scalars(requests_statement(criteria)).unique())


def _status_outside_indexes() -> ColumnElement[Any]:
    """The status, for a filter that must not lead SQLite to the status index. SQLite has no statistics to weigh
    a status's items against the window's: it chose the status index and sorted every item of that status
    (470,000 "closed" ones at 1M), where the window (at most 90 days) is always the narrower way in. `|| ''`
    is SQLite's documented way to keep a term out of index selection; PostgreSQL weighs both itself."""
    if db.engine.dialect.name == "sqlite":
        return Feedback.status.op("||")(literal(""))
    return Feedback.status.expression


def requests_statement(criteria: RequestFilter) -> Select:
    """Published items of the window, newest first (read in order from ix_feedback_public_submitted)."""
    statement = _published()
    if criteria.codes:
        statement = statement.where(Feedback.code.in_(criteria.codes))
    else:
        if criteria.services:
            statement = statement.join(FeedbackCategory, FeedbackCategory.id == Feedback.category_id).where(
                FeedbackCategory.slug.in_(criteria.services)
            )
        if criteria.states:
            statement = statement.where(_status_outside_indexes().in_(sorted(criteria.states)))
        if criteria.start is not None:
            statement = statement.where(Feedback.submitted_at >= criteria.start)
        if criteria.end is not None:
            statement = statement.where(Feedback.submitted_at <= criteria.end)
    statement = statement.order_by(Feedback.submitted_at.desc(), Feedback.id.desc())
    offset = (criteria.page - 1) * criteria.page_size
    return statement.offset(offset).limit(criteria.page_size)


def published(code: str) -> Feedback | None:
    return db.session.scalars(_published().where(Feedback.code == code.strip().upper())).first()


def submitted_with(key: ApiKey, code: str) -> Feedback | None:
    """An item this API key created, published or not: a client may follow its own report before the
    agency publishes it (what it reads still goes through the serializers' allowlist). Never a conduct
    complaint about the key's own agency that is not routed to it (conduct.hidden_from, the staff pages'
    rule): the accused unit does not read the complaint or its answer, even one its key sent."""
    statement = (
        select(Feedback)
        .join(ApiSubmission, ApiSubmission.feedback_id == Feedback.id)
        .where(ApiSubmission.api_key_id == key.id, Feedback.code == code.strip().upper())
        .options(selectinload(Feedback.photos))
    )
    item = db.session.scalars(statement).first()
    return None if item is None or conduct.hidden_from(key.agency_id, item) else item


def context(items: list[Feedback], extensions: bool = False) -> serializers.Context:
    """The last public change of each item (one grouped statement for the page)."""
    ids = [item.id for item in items]
    last: dict[int, datetime] = {}
    if ids:
        rows = db.session.execute(
            select(Event.subject_id, func.max(Event.occurred_at))
            .where(Event.subject_type == "feedback", Event.subject_id.in_(ids), Event.is_public)
            .group_by(Event.subject_id)
        ).all()
        last = {subject: moment for subject, moment in rows}
    return serializers.Context(last, extensions)


@dataclass(frozen=True)
class UpdateFilter:
    code: str = ""
    start: datetime | None = None
    end: datetime | None = None
    page: int = 1
    page_size: int = 1000


def updates(criteria: UpdateFilter) -> list[tuple[Event, Feedback]]:
    """Public timeline lines of published items, oldest first (FixMyStreet polls forward in time)."""
    statement = (
        select(Event, Feedback)
        .join(Feedback, (Event.subject_type == "feedback") & (Event.subject_id == Feedback.id))
        .where(Feedback.is_published, Event.is_public, Event.action.not_in(AUDIT_ONLY))
        .options(selectinload(Feedback.photos))
    )
    if criteria.code:
        statement = statement.where(Feedback.code == criteria.code.strip().upper())
    else:
        if criteria.start is not None:
            statement = statement.where(Event.occurred_at >= criteria.start)
        if criteria.end is not None:
            statement = statement.where(Event.occurred_at <= criteria.end)
    statement = statement.order_by(Event.occurred_at, Event.id)
    offset = (criteria.page - 1) * criteria.page_size
    return [
        (event, item)
        for event, item in db.session.execute(statement.offset(offset).limit(criteria.page_size))
    ]
