"""Translatable payment labels."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.events.registry import Registry, Subject
from portal.extensions import db

from .models import WebhookRefusal

# The audit of refused bank notifications (portal.payments.refusals).
WEBHOOK_EVENT = {"webhook_refused": _l("Bank notification refused")}
STATUS = {
    "pending": _l("Waiting for payment"),
    "paid": _l("Paid"),
    "underpaid": _l("Paid less than due"),
    "overpaid": _l("Paid more than due"),
    "cancelled": _l("Cancelled"),
}


def _refusal_names(ids: set[int]) -> dict[int, str]:
    """One event per source and minute; the row keeps the count."""
    return {
        row.id: str(_l("%(source)s: %(count)d refused in this minute", source=row.source, count=row.count))
        for row in db.session.scalars(select(WebhookRefusal).where(WebhookRefusal.id.in_(ids)))
    }


def register_events(events: Registry) -> None:
    """The province's bank account and the refused bank notifications as subjects of the audit log."""
    events.subject(Subject("vietqr_account", _l("Bank account")))
    events.subject(
        Subject("bank_webhook", _l("Refused bank notifications"), names=_refusal_names), WEBHOOK_EVENT
    )
