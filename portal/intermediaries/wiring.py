"""What the intermediaries feature plugs in at app start: when a villager's report or dossier is anonymised (their
erasure request, portal.privacy), the villager's name kept beside the filing goes in the same transaction;
the consent's method, time and notice version stay as evidence, like the privacy feature's consent records."""

from __future__ import annotations

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from portal.events.models import Event

from .models import IntermediaryFiling

PENDING = "portal.intermediaries.erased"
SUBJECTS = ("feedback", "dossier")


def _noted(session: Session, _context) -> None:
    for row in session.new:
        if isinstance(row, Event) and row.action == "anonymised" and row.subject_type in SUBJECTS:
            session.info.setdefault(PENDING, set()).add((row.subject_type, row.subject_id))


def _blank_names(session: Session) -> None:
    erased = session.info.pop(PENDING, None)
    for subject_type in SUBJECTS:
        ids = [subject_id for kind, subject_id in erased or () if kind == subject_type]
        if ids:
            session.execute(
                update(IntermediaryFiling)
                .where(
                    IntermediaryFiling.subject_type == subject_type, IntermediaryFiling.subject_id.in_(ids)
                )
                .values(villager_name="")
            )


def _forget(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(PENDING, None)


def init_app(app) -> None:  # noqa: ARG001 - called by create_app like every feature's wiring
    if not event.contains(Session, "after_flush", _noted):
        event.listen(Session, "after_flush", _noted)
        event.listen(Session, "before_commit", _blank_names)
        event.listen(Session, "after_soft_rollback", _forget)
