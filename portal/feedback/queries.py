"""Feedback queries: the public feed (keyset pages), one item, the agency queue, nearby duplicates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Result, Row, ScalarSelect, Select, bindparam, case, func, select
from sqlalchemy.orm import joinedload

from portal import fragments, pagination, search
from portal.accounts.models import Account
from portal.agencies.models import Agency
from portal.database import read_outside_transaction
from portal.db_types import utcnow
from portal.domain.collation import sort_key
from portal.domain.roles import FILED_ON_BEHALF
from portal.events.models import Event
from portal.extensions import db
from portal.places.models import AdminUnit
from portal.search import every_term
from portal.tracking import page_cache
from portal.uploads.reconcile import StoredRow

from .models import Feedback, FeedbackCategory, FeedbackFix, FeedbackPhoto

T = TypeVar("T")

PAGE_SIZE = 20
PUBLIC_STATUSES = ("answered", "closed", "accepted")
FEED_COLUMNS = (
    Feedback.id,
    Feedback.code,
    # The title and staff's redacted one: the template shows them as the public sees them (pii.as_published).
    Feedback.title,
    Feedback.public_title,
    Feedback.status,
    Feedback.submitted_at,
    Feedback.category_id,
    Feedback.admin_unit_code,
    Feedback.support_count,  # "my problem too" (portal/feedback/help.py)
    # The reporter's name only while they consent to its publication (portal/privacy): withdrawing the
    # consent changes this row, hence the feed fragment's key (portal/fragments.py).
    case((Feedback.show_name, Feedback.contact_name), else_="").label("public_name"),
)


@dataclass(frozen=True)
class FeedFilter:
    query: str = ""
    category: str = ""  # category slug
    commune: str = ""  # admin unit code
    status: str = ""
    before: int | None = None  # keyset: show items with id below this


def public_feed(criteria: FeedFilter) -> tuple[list[Row], int | None]:
    """One page of published items, newest first, and the keyset for the next page (or None).

    Plain rows of what the feed shows (id, code, title, status, submitted_at, category_id,
    admin_unit_code, support_count, public_name): the names come from `categories()` and the communes' list
    the page reads anyway, and the rows are the key of the page's kept fragment (portal/fragments.py).
    One statement, built once per shape (which filters, how many search terms) with the values given at
    execution, and run through SQLAlchemy Core (portal.database.read_outside_transaction)."""
    statement, parameters = _statement_and_parameters(criteria)
    rows = read_outside_transaction(statement, parameters, Result.all)
    return pagination.page(rows, PAGE_SIZE, lambda row: row.id)


def feed_statement(criteria: FeedFilter) -> Select:
    """The feed page's statement for `criteria` with its values bound: one row more than a page, to know
    whether a next page exists (what `public_feed` runs, as one executable statement)."""
    statement, parameters = _statement_and_parameters(criteria)
    return statement.params(parameters)


def _statement_and_parameters(criteria: FeedFilter) -> tuple[Select, dict[str, Any]]:
    dialect = db.engine.dialect.name
    terms = search.search_terms(criteria.query)
    statement = _feed_statement(
        bool(criteria.category),
        bool(criteria.commune),
        criteria.status in PUBLIC_STATUSES,
        bool(criteria.before),
        len(terms),
        dialect,
    )
    parameters = {
        "category": criteria.category,
        "commune": criteria.commune,
        "status": criteria.status,
        "before": criteria.before,
        **search.indexed_parameters(terms, dialect),
    }
    return statement, parameters


def _category_id(slug: Any) -> ScalarSelect:
    """The category's id as a sub-select evaluated once: a constant to the planner, so the page reads the
    (category_id, id) index of the published items in order. A join on the slug made PostgreSQL walk every
    published item newest first and test its category (bench/notes/feed.md)."""
    return select(FeedbackCategory.id).where(FeedbackCategory.slug == slug).scalar_subquery()


@cache
def _feed_statement(
    category: bool, commune: bool, status: bool, before: bool, terms: int = 0, dialect: str = ""
) -> Select:
    """The feed's statement for one combination of filters and one number of search terms, built once,
    the values given at execution (no statement to build and key again on every request). The search
    goes through its index (portal.search.indexed_terms); on PostgreSQL its patterns are written into the
    SQL text at execution (literal_execute), so the planner sees each word."""
    # is_published first: the search index covers published items only (portal.search.indexed_terms).
    statement = select(*FEED_COLUMNS).where(Feedback.is_published)
    statement, newest_first = search.indexed_terms(
        statement, Feedback.public_search_key, Feedback.id, terms, dialect
    )
    if category:
        statement = statement.where(Feedback.category_id == _category_id(bindparam("category")))
    if commune:
        statement = statement.where(Feedback.admin_unit_code == bindparam("commune"))
    if status:
        statement = statement.where(Feedback.status == bindparam("status"))
    if before:
        statement = statement.where(newest_first < bindparam("before"))
    return statement.order_by(newest_first.desc()).limit(PAGE_SIZE + 1)


def categories() -> tuple[Row, ...]:
    """Every category as (id, slug, name, name_en, is_active), in the public order: the feed's filter and
    names, the submission form's choices (active ones). Kept per process as a reference list (at most
    `fragments.REFERENCE_SECONDS` old after a change made by another process; none after one made here)."""
    return fragments.reference("feedback-categories", frozenset({"feedback_categories"}), _read_categories)


def _read_categories() -> tuple[Row, ...]:
    rows = db.session.execute(
        select(
            FeedbackCategory.id,
            FeedbackCategory.slug,
            FeedbackCategory.name,
            FeedbackCategory.name_en,
            FeedbackCategory.is_active,
        )
    ).all()
    return tuple(categories_in_order(rows, "vi"))


OTHER_CATEGORY = "khac"  # "Khác" (Other): last in every list, as on paper forms


def categories_in_order(rows: Iterable[T], language: str) -> list[T]:
    """Categories (rows or models with slug, name, name_en) in alphabetical order of the name the page
    shows (Vietnamese order, portal.domain.collation), "Other" last."""

    def key(row: Any) -> tuple[bool, Any]:
        name = row.name_en if language == "en" and row.name_en else row.name
        return row.slug == OTHER_CATEGORY, sort_key(name)

    return sorted(rows, key=key)


def published_by_code(code: str) -> Feedback | None:
    return db.session.scalar(select(Feedback).where(Feedback.code == code.upper(), Feedback.is_published))


def by_code(code: str) -> Feedback | None:
    return db.session.scalar(select(Feedback).where(Feedback.code == code.strip().upper()))


def for_status_page(code: str) -> Feedback | None:
    """The item of the citizen's status page with everything the page shows, in one statement: its
    category, agency and commune (joined by the model), its photos and its answers given as fixed (a
    handful at most: the join's rows stay few)."""
    return (
        db.session.scalars(
            select(Feedback)
            .where(Feedback.code == code.strip().upper())
            .options(joinedload(Feedback.photos), joinedload(Feedback.fixes))
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


def status_page_key(code: str) -> Any:
    """What the status page needs before its kept part: the access check's columns, the page version and
    the names the page shows from other tables (id, code, page_version, account_id, agency, agency_en,
    place). One indexed look-up by code (page_cache.read_key: a row with these columns as attributes, or None)."""
    return page_cache.read_key(_STATUS_KEY, {"code": code.strip().upper()})


def by_token_hash(token_hash: str) -> Feedback | None:
    return db.session.scalar(select(Feedback).where(Feedback.token_hash == token_hash))


_items = Feedback.__table__
_BY_NONCE = select(_items.c.id).where(_items.c.form_nonce == bindparam("nonce"))


def by_form_nonce(stored: str) -> Feedback | None:
    """The item a submission form already created (`stored` as in portal/form_nonce.py). Every submission
    asks, and almost always finds none: a one-column look-up first, the item only when there is one."""
    # Core, on the session's connection and transaction: the ORM's execution around a one-column read
    # was most of its cost.
    found = db.session.connection().execute(_BY_NONCE, {"nonce": stored}).scalar()
    return None if found is None else db.session.get(Feedback, found)


def for_account(account_id: int) -> list[Feedback]:
    return list(
        db.session.scalars(
            select(Feedback).where(Feedback.account_id == account_id).order_by(Feedback.id.desc()).limit(200)
        )
    )


def agency_queue(
    agency_id: int | None, status: str = "", query: str = "", limit: int = 100
) -> list[Feedback]:
    """Open items of an agency (all agencies for agency_id=None): urgent categories first, then by due date."""
    statement = select(Feedback)
    if agency_id is not None:
        statement = statement.where(Feedback.agency_id == agency_id)
    if status:
        statement = statement.where(Feedback.status == status)
    else:
        statement = statement.where(Feedback.status.in_(("new", "accepted", "info_requested")))
    statement = statement.where(*every_term(Feedback.search_key, query))
    # Paused items have no due date: after the dated ones.
    statement = statement.order_by(
        Feedback.queue_rank, Feedback.due_on.is_(None), Feedback.due_on, Feedback.id
    )
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
    after = db.session.execute(  # the "after" photos of answers given as fixed (closure.py)
        select(FeedbackFix.id, Feedback.code, FeedbackFix.stored_name, FeedbackFix.thumbnail_name)
        .join(Feedback)
        .where(FeedbackFix.stored_name.is_not(None), FeedbackFix.thumbnail_name.is_not(None))
    )
    for fix_id, fix_code, after_name, after_thumbnail in after:
        yield StoredRow("feedback_fixes", fix_id, fix_code, after_name or "")
        yield StoredRow("feedback_fixes", fix_id, fix_code, after_thumbnail or "")


def filed_by_intermediary(item: Feedback) -> Account | None:
    """The intermediary who filed this report for a villager (its FILED_ON_BEHALF event's actor), or None."""
    return db.session.scalar(
        select(Account)
        .join(Event, Event.actor_id == Account.id)
        .where(Event.subject_type == "feedback", Event.subject_id == item.id, Event.action == FILED_ON_BEHALF)
        .limit(1)
    )
