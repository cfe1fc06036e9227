"""What an intermediary sees: only the cases they filed, only while open, only what they entered."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from portal.domain.feedback_status import OPEN
from portal.extensions import db
from portal.feedback.models import Feedback

from .models import IntermediaryFiling
from .operations import is_intermediary


def require_intermediary() -> None:
    if not current_user.is_authenticated:
        abort(401)
    if not is_intermediary(current_user):
        abort(403)


def is_open(item: Feedback) -> bool:
    return item.status_enum in OPEN


def own_open_feedback(code: str) -> tuple[Feedback, IntermediaryFiling]:
    """The case with this code if the signed-in intermediary filed it and it is still open; else 404."""
    row = db.session.execute(
        select(Feedback, IntermediaryFiling)
        .join(
            IntermediaryFiling,
            (IntermediaryFiling.subject_type == "feedback") & (IntermediaryFiling.subject_id == Feedback.id),
        )
        .where(Feedback.code == code.upper(), IntermediaryFiling.intermediary_id == current_user.id)
    ).first()
    if row is None or not is_open(row[0]):
        abort(404)
    return row[0], row[1]


def my_filings() -> list[tuple[Feedback, IntermediaryFiling]]:
    rows = db.session.execute(
        select(Feedback, IntermediaryFiling)
        .join(
            IntermediaryFiling,
            (IntermediaryFiling.subject_type == "feedback") & (IntermediaryFiling.subject_id == Feedback.id),
        )
        .where(IntermediaryFiling.intermediary_id == current_user.id)
        .order_by(IntermediaryFiling.filed_at.desc(), IntermediaryFiling.id.desc())
        .limit(200)
    ).all()
    return [(item, filing) for item, filing in rows]
