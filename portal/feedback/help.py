"""Help before a report: open reports like it nearby, "this is my problem too", the emergency numbers.

Flush, never commit. The similar reports are read through ix_feedback_nearby (commune, category, sent):
one index range of the last SIMILAR_DAYS, at most CANDIDATES published rows, ranked here by the words their
public title shares with the title being typed; the unpublished ones are counted (at most CANDIDATES), never
ranked by their text (`Nearby`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from portal.db_types import utcnow
from portal.domain import pii
from portal.domain.text import fold, search_terms
from portal.extensions import db

from .models import Feedback, FeedbackCategory, FeedbackSupport

SIMILAR_DAYS, CANDIDATES, SHOWN = 60, 30, 5
# Open: someone is (or will be) working on it, so one more report of it adds nothing but "me too".
OPEN_STATUSES = ("new", "accepted", "info_requested", "answered")

# The national emergency numbers (free from any phone, also without credit or SIM).
EMERGENCY_NUMBERS = (
    ("112", _l("Search and rescue: landslides, floods, people trapped or missing")),
    ("113", _l("Police")),
    ("114", _l("Fire and rescue: fires, forest fires, rescue")),
    ("115", _l("Ambulance: injured or sick people")),
)


@dataclass(frozen=True)
class Similar:
    """A published open report, as the public sees it."""

    id: int
    code: str
    title: str  # its public title (staff's redaction, personal details masked)
    status: str
    submitted_at: datetime
    support_count: int


@dataclass(frozen=True)
class Nearby:
    """What the form shows of reports like the one being written. Only public text is ever read: the
    published ones are listed, ranked by the words their public title shares with the title typed; the
    unpublished ones are only counted, by category and commune (which the citizen chose), never listed or
    ranked by their text (which would let anyone test a hidden report's words one at a time)."""

    published: list[Similar] = field(default_factory=list)
    being_checked: int = 0
    protected: bool = False  # a category that protects its reporter: nothing is said of other reports


_OF_THE_KIND = (
    Feedback.admin_unit_code == bindparam("commune"),
    Feedback.category_id == bindparam("category"),
    Feedback.submitted_at >= bindparam("since"),
    Feedback.status.in_(OPEN_STATUSES),
)
_PUBLISHED = (
    select(
        Feedback.id,
        Feedback.code,
        Feedback.title,
        Feedback.public_title,
        Feedback.status,
        Feedback.submitted_at,
        Feedback.support_count,
    )
    .where(*_OF_THE_KIND, Feedback.is_published)
    .order_by(Feedback.submitted_at.desc())
    .limit(CANDIDATES)
)
_BEING_CHECKED = select(func.count()).select_from(
    select(Feedback.id).where(*_OF_THE_KIND, ~Feedback.is_published).limit(CANDIDATES).subquery()
)
_PROTECTS_REPORTER = select(FeedbackCategory.protects_reporter).where(FeedbackCategory.id == bindparam("id"))


def similar(category_id: int | None, commune: str | None, title: str = "") -> Nearby:
    """Open reports of the same category in the same commune from the last SIMILAR_DAYS days: the
    published ones sharing most words with `title` first, then the newest; the unpublished ones counted.
    Nothing at all for a category that protects its reporter (a conduct complaint): even that one exists
    is not for the public."""
    if not category_id or category_id < 0 or not commune:
        return Nearby()
    protected = db.session.scalar(_PROTECTS_REPORTER, {"id": category_id})
    if protected is not False:  # protected, or no such category
        return Nearby(protected=bool(protected))
    values = {"commune": commune, "category": category_id, "since": utcnow() - timedelta(days=SIMILAR_DAYS)}
    rows = db.session.execute(_PUBLISHED, values).all()
    words = set(search_terms(title, max_terms=12))
    shown = {row.id: pii.as_published(row.title, row.public_title) for row in rows}

    def shared(row) -> int:
        return len(words & set(fold(shown[row.id]).split())) if words else 0

    ranked = sorted(rows, key=lambda row: (-shared(row), -row.submitted_at.timestamp()))
    return Nearby(
        published=[
            Similar(
                id=row.id,
                code=row.code,
                title=shown[row.id],
                status=row.status,
                submitted_at=row.submitted_at,
                support_count=row.support_count,
            )
            for row in ranked[:SHOWN]
        ],
        being_checked=db.session.scalar(_BEING_CHECKED, values) or 0,
    )


def is_urgent(category_id: int | None) -> bool:
    if not category_id or category_id < 0:
        return False
    return bool(
        db.session.scalar(select(FeedbackCategory.is_urgent).where(FeedbackCategory.id == category_id))
    )


def supporter_key(phone: str | None, session_id: str) -> str:
    """Who is supporting: their phone number when they give one (the same person on any device), else
    this browser session's random id. Hashed: the table holds no phone number."""
    raw = f"phone:{phone}" if phone else f"session:{session_id}"
    return hashlib.sha256(raw.encode()).hexdigest()


def supportable(item_id: int) -> bool | None:
    """Whether "my problem too" may count for this item: True for a published open report; False for a
    published closed one; None when, for the public, there is no such report (unpublished, or in a category
    that protects its reporter: the same rule as the list above)."""
    row = db.session.execute(
        select(Feedback.status)
        .join(FeedbackCategory, FeedbackCategory.id == Feedback.category_id)
        .where(Feedback.id == item_id, Feedback.is_published, ~FeedbackCategory.protects_reporter)
    ).first()
    return None if row is None else row.status in OPEN_STATUSES


def support(item_id: int, supporter: str) -> bool:
    """Count one "my problem too"; False when this supporter already counted (the unique index decides,
    even for two clicks at once in two processes)."""
    try:
        with db.session.begin_nested():
            db.session.execute(
                insert(FeedbackSupport).values(feedback_id=item_id, supporter=supporter, created_at=utcnow())
            )
    except IntegrityError:
        return False
    db.session.execute(
        update(Feedback)
        .where(Feedback.id == item_id)
        .values(support_count=Feedback.support_count + 1)
        .execution_options(synchronize_session=False)
    )
    return True
