"""What an intermediary sees: only the cases they filed, only while open, only what they entered."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from portal.domain.dossier_status import OPEN as DOSSIER_OPEN
from portal.domain.feedback_status import OPEN
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.feedback.models import Feedback

from .models import IntermediaryFiling
from .operations import is_intermediary


def require_intermediary() -> None:
    if not current_user.is_authenticated:
        abort(401)
    if not is_intermediary(current_user):
        abort(403)


def is_open(item: Feedback | Dossier) -> bool:
    if isinstance(item, Dossier):
        # Open until the result is handed over, or the dossier is refused, withdrawn or stopped; a dossier
        # restricted after an erasure request is shown to no ordinary page (portal/dossiers/policy.py).
        return item.status_enum in DOSSIER_OPEN and item.restricted_at is None
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


def _filed_dossiers():
    return select(Dossier, IntermediaryFiling).join(
        IntermediaryFiling,
        (IntermediaryFiling.subject_type == "dossier") & (IntermediaryFiling.subject_id == Dossier.id),
    )


def own_open_dossier(code: str) -> tuple[Dossier, IntermediaryFiling]:
    """The dossier with this code if the signed-in intermediary filed it and it is still open; else 404."""
    row = db.session.execute(
        _filed_dossiers().where(
            Dossier.code == code.upper(), IntermediaryFiling.intermediary_id == current_user.id
        )
    ).first()
    if row is None or not is_open(row[0]):
        abort(404)
    return row[0], row[1]


def my_dossier_filings() -> list[tuple[Dossier, IntermediaryFiling]]:
    rows = db.session.execute(
        _filed_dossiers()
        .where(IntermediaryFiling.intermediary_id == current_user.id)
        .order_by(IntermediaryFiling.filed_at.desc(), IntermediaryFiling.id.desc())
        .limit(200)
    ).all()
    return [(dossier, filing) for dossier, filing in rows]
