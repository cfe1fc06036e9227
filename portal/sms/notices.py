"""The texts a citizen receives when their case moves: received (with the code), information requested,
answered, fee requested, result ready, apology with a new date.

Written in the same transaction as the event that causes them: a listener notes each new event of interest
at flush time, and just before the commit the texts are queued (portal.jobs), so a text exists exactly when
its event does and leaves only after the commit. Features record events as before; none of them imports
this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.dossiers.models import Dossier
from portal.events import operations as event_operations
from portal.events.models import Event
from portal.feedback.models import Feedback
from portal.i18n import vnd

from . import sending

PENDING = "portal.sms.notices"


def day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _lookup_hint(code: str) -> str:
    number = current_app.config["PORTAL_SETTINGS"].sms.lookup_number
    return _("Text %(code)s to %(number)s for its status.", code=code, number=number) if number else ""


def _feedback_text(item: Feedback, action: str) -> str | None:
    if action == "submitted":
        return (
            _(
                "Son La portal: report %(code)s received, answer due %(date)s.",
                code=item.code,
                date=day(item.due_on),
            )
            + " "
            + _lookup_hint(item.code)
        )
    if action == "request_info":
        return _("Son La portal: report %(code)s needs more information from you.", code=item.code)
    if action == "answer":
        return _("Son La portal: report %(code)s has been answered.", code=item.code)
    return None


def _dossier_text(item: Dossier, action: str) -> str | None:
    code = item.code
    texts: dict[str, Callable[[], str]] = {
        "submitted": lambda: (
            _("Son La portal: dossier %(code)s sent, waiting to be received.", code=code)
            + " "
            + _lookup_hint(code)
        ),
        "receive": lambda: _(
            "Son La portal: dossier %(code)s received, result due %(date)s.",
            code=code,
            date=day(item.appointment_on),
        ),
        "request_supplement": lambda: _("Son La portal: dossier %(code)s needs more documents.", code=code),
        "request_fee": lambda: _(
            "Son La portal: dossier %(code)s: please pay the fee of %(amount)s VND.",
            code=code,
            amount=vnd(item.fee_vnd, sign=False),  # "₫" is not in the SMS alphabet: the words say "đồng"
        ),
        "approve": lambda: _("Son La portal: the result of dossier %(code)s is ready.", code=code),
        "finish": lambda: _("Son La portal: the result of dossier %(code)s is ready.", code=code),
        "apologise": lambda: _(
            "Son La portal: we apologise, dossier %(code)s is late; new date %(date)s.",
            code=code,
            date=day(item.appointment_on),
        ),
    }
    text = texts.get(action)
    return text() if text else None


@dataclass(frozen=True)
class Kind:
    model: type
    text: Callable[..., str | None]


KINDS = {"feedback": Kind(Feedback, _feedback_text), "dossier": Kind(Dossier, _dossier_text)}
ACTIONS = {
    "feedback": frozenset({"submitted", "request_info", "answer"}),
    "dossier": frozenset(
        {"submitted", "receive", "request_supplement", "request_fee", "approve", "finish", "apologise"}
    ),
}


def _noted(session: Session, _context) -> None:
    for row in session.new:
        if isinstance(row, Event) and row.action in ACTIONS.get(row.subject_type, ()):
            session.info.setdefault(PENDING, []).append(
                (row.subject_type, row.subject_id, row.action, row.id)
            )


def _noted_now(session: Session, subject_type: str, subject_id: int, action: str, event_id: int) -> None:
    """A line written without a flush (portal/events/operations.py `write_line`, `written_now`): texted as
    `_noted` does."""
    if action in ACTIONS.get(subject_type, ()):
        session.info.setdefault(PENDING, []).append((subject_type, subject_id, action, event_id))


def _queue_texts(session: Session) -> None:
    pending = session.info.pop(PENDING, [])
    if not pending or not has_app_context() or not sending.enabled():
        return
    for kind, item_id, action, event_id in pending:
        item = session.get(KINDS[kind].model, item_id)
        if item is None or not item.phone:
            continue
        with force_locale(item.locale if item.locale in ("vi", "en") else "vi"):
            text = KINDS[kind].text(item, action)
        if text:
            sending.queue(item.phone, text, f"{kind}-{action}", f"sms:{kind}:{item_id}:{action}:{event_id}")


def _forget(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(PENDING, None)


def _committed(session: Session) -> None:
    # Anything noted while the texts were being queued (their own flush) belongs to no later transaction.
    session.info.pop(PENDING, None)


def install_listeners() -> None:
    if not event.contains(Session, "after_flush", _noted):
        event.listen(Session, "after_flush", _noted)
        event.listen(Session, "before_commit", _queue_texts)
        event.listen(Session, "after_soft_rollback", _forget)
        event.listen(Session, "after_commit", _committed)
    event_operations.on_direct(_noted_now)
