"""Help before a report: open reports like it nearby, "this is my problem too", the emergency numbers.

Flush, never commit. The similar reports are read through ix_feedback_nearby (commune, category, sent):
one index range of the last SIMILAR_DAYS, at most CANDIDATES rows, ranked here by the words they share
with the title being typed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from portal.db_types import utcnow
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
    id: int
    code: str
    title: str  # "" for an unpublished report: its text is not public
    status: str
    submitted_at: datetime
    support_count: int
    is_published: bool


_NEARBY = (
    select(
        Feedback.id,
        Feedback.code,
        Feedback.title,
        Feedback.status,
        Feedback.submitted_at,
        Feedback.support_count,
        Feedback.is_published,
    )
    .where(
        Feedback.admin_unit_code == bindparam("commune"),
        Feedback.category_id == bindparam("category"),
        Feedback.submitted_at >= bindparam("since"),
    )
    .order_by(Feedback.submitted_at.desc())
    .limit(CANDIDATES)
)


def similar(category_id: int | None, commune: str | None, title: str = "") -> list[Similar]:
    """Open reports of the same category in the same commune from the last SIMILAR_DAYS days, those
    sharing most words with `title` first, then the newest."""
    if not category_id or category_id < 0 or not commune:
        return []
    since = utcnow() - timedelta(days=SIMILAR_DAYS)
    rows = db.session.execute(_NEARBY, {"commune": commune, "category": category_id, "since": since}).all()
    words = set(search_terms(title, max_terms=12))

    def shared(row) -> int:
        return len(words & set(fold(row.title).split())) if words else 0

    candidates = [row for row in rows if row.status in OPEN_STATUSES]
    ranked = sorted(candidates, key=lambda row: (-shared(row), -row.submitted_at.timestamp()))
    return [
        Similar(
            id=row.id,
            code=row.code if row.is_published else "",
            title=row.title if row.is_published else "",
            status=row.status,
            submitted_at=row.submitted_at,
            support_count=row.support_count,
            is_published=row.is_published,
        )
        for row in ranked[:SHOWN]
    ]


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


def can_support(item_id: int) -> bool:
    status = db.session.scalar(select(Feedback.status).where(Feedback.id == item_id))
    return status in OPEN_STATUSES


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
