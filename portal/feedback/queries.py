"""Feedback queries: the public feed (keyset pages), one item, the agency queue, nearby duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from portal import pagination, search
from portal.agencies.models import Agency
from portal.db_types import utcnow
from portal.extensions import db
from portal.places.models import AdminUnit
from portal.search import every_term
from portal.uploads.reconcile import StoredRow

from .models import Feedback, FeedbackCategory, FeedbackPhoto

PAGE_SIZE = 20
PUBLIC_STATUSES = ("answered", "closed", "accepted")


@dataclass(frozen=True)
class FeedFilter:
    query: str = ""
    category: str = ""  # category slug
    commune: str = ""  # admin unit code
    status: str = ""
    before: int | None = None  # keyset: show items with id below this


def public_feed(criteria: FeedFilter) -> tuple[list[Feedback], int | None]:
    """One page of published items, newest first, and the keyset for the next page (or None)."""
    rows = db.session.scalars(feed_statement(criteria).options(selectinload(Feedback.photos))).all()
    return pagination.page(rows, PAGE_SIZE, lambda item: item.id)


def feed_statement(criteria: FeedFilter) -> Select:
    """The feed page's statement: one row more than a page, to know whether a next page exists."""
    # is_published first: the search index covers published items only (portal.search.indexed_terms).
    statement = select(Feedback).where(Feedback.is_published)
    statement, newest_first = search.indexed_terms(
        statement, Feedback.public_search_key, Feedback.id, criteria.query, db.engine.dialect.name
    )
    if criteria.category:
        statement = statement.join(FeedbackCategory).where(FeedbackCategory.slug == criteria.category)
    if criteria.commune:
        statement = statement.where(Feedback.admin_unit_code == criteria.commune)
    if criteria.status in PUBLIC_STATUSES:
        statement = statement.where(Feedback.status == criteria.status)
    if criteria.before:
        statement = statement.where(newest_first < criteria.before)
    return statement.order_by(newest_first.desc()).limit(PAGE_SIZE + 1)


def published_by_code(code: str) -> Feedback | None:
    return db.session.scalar(select(Feedback).where(Feedback.code == code.upper(), Feedback.is_published))


def by_code(code: str) -> Feedback | None:
    return db.session.scalar(select(Feedback).where(Feedback.code == code.strip().upper()))


def for_status_page(code: str) -> Feedback | None:
    """The item of the citizen's status page with everything the page shows, in one statement: its
    category, agency and commune (joined by the model) and its photos."""
    return (
        db.session.scalars(
            select(Feedback).where(Feedback.code == code.strip().upper()).options(joinedload(Feedback.photos))
        )
        .unique()
        .one_or_none()
    )


_ITEMS, _AGENCIES, _UNITS = Feedback.__table__.c, Agency.__table__.c, AdminUnit.__table__.c
# Core columns, built once: no ORM entity to load, and the statement's compiled form is reused.
_STATUS_KEY = (
    select(
        _ITEMS.id,
        _ITEMS.code,
        _ITEMS.page_version,
        _ITEMS.account_id,
        _AGENCIES.name.label("agency"),
        _AGENCIES.name_en.label("agency_en"),
        _UNITS.name.label("place"),
    )
    .join(Agency.__table__, _AGENCIES.id == _ITEMS.agency_id)
    .join(AdminUnit.__table__, _UNITS.code == _ITEMS.admin_unit_code)
    .where(_ITEMS.code == bindparam("code"))
)


def status_page_key(code: str) -> Row | None:
    """What the status page needs before its kept part: the access check's columns, the page version and
    the names the page shows from other tables (id, code, page_version, account_id, agency, agency_en,
    place). One indexed look-up by code."""
    return db.session.execute(_STATUS_KEY, {"code": code.strip().upper()}).one_or_none()


def by_token_hash(token_hash: str) -> Feedback | None:
    return db.session.scalar(select(Feedback).where(Feedback.token_hash == token_hash))


def by_form_nonce(stored: str) -> Feedback | None:
    """The item a submission form already created (`stored` as in portal/form_nonce.py)."""
    return db.session.scalar(select(Feedback).where(Feedback.form_nonce == stored))


def for_account(account_id: int) -> list[Feedback]:
    return list(
        db.session.scalars(
            select(Feedback).where(Feedback.account_id == account_id).order_by(Feedback.id.desc()).limit(200)
        )
    )


def agency_queue(
    agency_id: int | None, status: str = "", query: str = "", limit: int = 100
) -> list[Feedback]:
    """Open items of an agency (all agencies for agency_id=None), most urgent first."""
    statement = select(Feedback)
    if agency_id is not None:
        statement = statement.where(Feedback.agency_id == agency_id)
    if status:
        statement = statement.where(Feedback.status == status)
    else:
        statement = statement.where(Feedback.status.in_(("new", "accepted", "info_requested")))
    statement = statement.where(*every_term(Feedback.search_key, query))
    # Paused items have no due date: after the dated ones.
    statement = statement.order_by(Feedback.due_on.is_(None), Feedback.due_on, Feedback.id)
    return list(db.session.scalars(statement.limit(limit)))


def nearby_open(item: Feedback, days: int = 30, limit: int = 5) -> list[Feedback]:
    """Possible duplicates: same commune and category, open, reported in the last 30 days."""
    since = utcnow() - timedelta(days=days)
    return list(
        db.session.scalars(
            select(Feedback)
            .where(
                Feedback.admin_unit_code == item.admin_unit_code,
                Feedback.category_id == item.category_id,
                Feedback.id != item.id,
                Feedback.submitted_at >= since,
                Feedback.status.in_(("new", "accepted", "info_requested")),
            )
            .order_by(Feedback.id.desc())
            .limit(limit)
        )
    )


def status_counts(agency_id: int | None) -> dict[str, int]:
    statement = select(Feedback.status, func.count()).group_by(Feedback.status)
    if agency_id is not None:
        statement = statement.where(Feedback.agency_id == agency_id)
    return dict(db.session.execute(statement).all())


def stored_files():
    """The photos and thumbnails the upload store must hold (registered with `flask check-files`)."""
    for row_id, code, name, thumbnail in db.session.execute(
        select(FeedbackPhoto.id, Feedback.code, FeedbackPhoto.stored_name, FeedbackPhoto.thumbnail_name).join(
            Feedback
        )
    ):
        yield StoredRow("feedback_photos", row_id, code, name)
        yield StoredRow("feedback_photos", row_id, code, thumbnail)
