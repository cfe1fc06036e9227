"""Consents as records (Law 91/2025 Art. 9; SECURITY.md check 31).

A new feedback item or dossier gets its consent rows in the same transaction, whoever created it: a
session listener (installed by wiring.py) sees the new rows at the flush and adds, once the flush is done,
one row for the notice and one per optional consent given (publish my name, precise map pin), with the
notice version, UTC time, channel and IP. A counter or postal intake records the consent given on the
desk's printed notice, with the officer who took it. Withdrawing takes effect in the same transaction (the
name leaves the item, the public position is rounded again, so the public feed's rows and the status page's
version change with it: portal/fragments.py, portal/tracking/versions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import has_request_context, request
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session

from portal.db_types import utcnow
from portal.dossiers.models import Dossier
from portal.events.operations import record
from portal.extensions import db
from portal.feedback import numbering
from portal.feedback.models import Feedback

from . import notices
from .models import OPTIONAL_PURPOSES, Consent

PENDING = "portal.privacy.new_consents"
_INSERT = insert(Consent.__table__)  # type: ignore[arg-type]  # one statement object: one cache key


class ConsentError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def _rows_for(session: Session, item: Any) -> list[dict[str, Any]]:
    now = utcnow()
    if isinstance(item, Feedback):
        rows = [("notice", notices.feedback_notice)]
        if item.show_name:
            rows.append(("publish_name", notices.publish_name_notice))
        if item.precise_pin:
            rows.append(("precise_pin", notices.precise_pin_notice))
        base: dict[str, Any] = {"channel": "web", "ip_address": _ip(), "officer_id": None}
        kind, account_id, given = "feedback", item.account_id, item.consent_at or now
    else:
        counter = item.channel != "online"
        rows = [("notice", notices.counter_notice if counter else notices.dossier_notice)]
        base = (
            {"channel": "counter", "ip_address": None, "officer_id": item.created_by_id}
            if counter
            else {"channel": "web", "ip_address": _ip(), "officer_id": None}
        )
        kind, account_id, given = "dossier", item.account_id, item.submitted_at or now
    return [
        {
            "subject_type": kind,
            "subject_id": item.id,
            "account_id": account_id,
            "purpose": purpose,
            "notice_version": notices.version_of(session, purpose, text()),
            "given_at": given,
            "withdrawn_at": None,
            **base,
        }
        for purpose, text in rows
    ]


def _seen(session: Session, _context) -> None:
    new = [row for row in session.new if isinstance(row, (Feedback, Dossier))]
    if new:
        session.info.setdefault(PENDING, []).extend(new)


def _add(session: Session, _context) -> None:
    """The consent rows, written at once by one INSERT in the flush's transaction (not through a flush of
    their own: nothing watches them but the fragments' table note, which the item's flush already made)."""
    items = session.info.pop(PENDING, [])
    rows = [row for item in items for row in _rows_for(session, item)]
    if rows:
        session.connection().execute(_INSERT, rows)


def write_now(session: Session, item: Feedback) -> None:
    """The consent rows of an item written without a flush (portal/feedback/numbering.py), as `_add` writes
    them for a flushed one."""
    rows = _rows_for(session, item)
    if rows:
        session.connection().execute(_INSERT, rows)


def install_listeners() -> None:
    # Where it can, numbering writes the rows with the item's own INSERT (`_rows_for` then sees no id yet:
    # numbering gives `subject_id` the new row's).
    numbering.on_inserted("consents", write_now, rows=(Consent.__table__, _rows_for))  # type: ignore[arg-type]
    if not event.contains(Session, "after_flush", _seen):
        event.listen(Session, "after_flush", _seen)
        event.listen(Session, "after_flush_postexec", _add)
        event.listen(Session, "after_rollback", lambda session: session.info.pop(PENDING, None))


def of_subject(subject_type: str, ids: list[int]) -> list[Consent]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Consent)
            .where(Consent.subject_type == subject_type, Consent.subject_id.in_(ids))
            .order_by(Consent.given_at, Consent.id)
        )
    )


def withdraw(consent: Consent, item: Feedback | None, actor_id: int | None) -> None:
    """Withdraw an optional consent now. The notice consent of a submitted report is not withdrawn here: the
    report is then erased (operations in erasure.py), as the notice says."""
    if consent.purpose not in OPTIONAL_PURPOSES:
        raise ConsentError("required")
    if consent.withdrawn_at is not None:
        return
    consent.withdrawn_at = utcnow()
    if item is not None:
        _apply(item, consent.purpose, False)
        record(
            consent.subject_type,
            consent.subject_id,
            "consent_withdrawn",
            actor_id=actor_id,
            note=consent.purpose,
        )
    db.session.flush()


def withdraw_current(item: Feedback, purpose: str, actor_id: int | None) -> bool:
    """Withdraw the report's consent for `purpose` now, as /my-data does (`withdraw`): the citizen's "hide
    my name" on the status page. A report from before consents were records has no row to withdraw: its
    effect is undone and the withdrawal recorded all the same. Returns whether anything was withdrawn."""
    current = [
        c for c in of_subject("feedback", [item.id]) if c.purpose == purpose and c.withdrawn_at is None
    ]
    for consent in current:
        withdraw(consent, item, actor_id)
    if current or purpose != "publish_name" or not item.show_name:
        return bool(current)
    _apply(item, purpose, False)
    record("feedback", item.id, "consent_withdrawn", actor_id=actor_id, note=purpose)
    db.session.flush()
    return True


def give(item: Feedback, purpose: str, actor_id: int | None) -> Consent:
    """Give an optional consent on a report from the citizen's page: as easy as withdrawing it."""
    if purpose != "publish_name":
        raise ConsentError("purpose")
    if not item.contact_name:
        raise ConsentError("no_name")
    current = [
        c for c in of_subject("feedback", [item.id]) if c.purpose == purpose and c.withdrawn_at is None
    ]
    if current:
        return current[0]
    consent = Consent(
        subject_type="feedback",
        subject_id=item.id,
        account_id=item.account_id,
        purpose=purpose,
        notice_version=notices.version_of(db.session, purpose, notices.publish_name_notice()),
        given_at=utcnow(),
        channel="web",
        ip_address=_ip(),
    )
    db.session.add(consent)
    _apply(item, purpose, True)
    record("feedback", item.id, "consent_given", actor_id=actor_id, note=purpose)
    db.session.flush()
    return consent


_EFFECTS: dict[str, Callable[[Feedback, bool], None]] = {
    "publish_name": lambda item, on: setattr(item, "show_name", on),
    # Public views round the position to ~1 km without it (portal/domain/pin.py). Either changes the item's
    # row, hence its page version: kept status pages and feed rows are rebuilt at once.
    "precise_pin": lambda item, on: setattr(item, "precise_pin", on),
}


def _apply(item: Feedback, purpose: str, on: bool) -> None:
    _EFFECTS[purpose](item, on)
