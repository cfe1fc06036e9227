"""Translatable payment labels."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.events.registry import Registry, Subject
from portal.extensions import db
from portal.i18n import vnd

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


# How a fee was paid (Payment.method): on the e-receipt, the counter view and the dossier's timeline.
METHOD = {
    "transfer": _l("Bank transfer (VietQR)"),
    "cash": _l("Cash at the desk"),
    "counter": _l("Transfer checked at the desk"),
}

# What the payments feature records about a dossier (its timeline and the audit log).
DOSSIER_EVENT = {
    "payment_received": _l("Fee paid"),
    "payment_overpaid": _l("More than the fee was paid"),
    "credit_resolved": _l("Bank transfer matched to this dossier"),
    "payment_confirmed": _l("Fee payment confirmed at the desk"),
    "refund_done": _l("Overpayment refunded to the payer"),
    # The dossier ended (refused, withdrawn, stopped): its fee request is called off (payments/ended.py).
    "payment_cancelled": _l("Fee request cancelled: the dossier has ended"),
    "payment_refund_due": _l("Money received for a cancelled fee request: to refund to the payer"),
}
BANK_EVENT = {"bank_account_updated": _l("Fee account changed")}
BANK_FIELDS = {
    "bank_bin": _l("Bank"),
    "account_number": _l("Account number"),
    "account_name": _l("Account holder"),
    "source": _l("Kept in"),
}
SOURCES = {"database": _l("the portal's settings page"), "environment": _l("the server's configuration")}


def _paid_note(note: str) -> str:
    """ "SL8PJTD64PRF 15000" (reference and amount; a refund may add the officer's note) ->
    "SL8PJTD64PRF · 15.000 ₫"."""
    reference, amount, *rest = [*note.split(" ", 2), ""]
    if not amount.isdigit():
        return note
    return " · ".join(part for part in (reference, vnd(int(amount)), rest[0]) if part)


def _method_note(note: str) -> str:
    """The dossier's "fees paid" line when the payment moved it on: the method code, translated. Before the
    method was recorded there the note read "VietQR" (a transfer); an officer's own comment stays as it is."""
    label = METHOD.get("transfer" if note == "VietQR" else note)
    return str(label) if label is not None else note


def register_events(events: Registry) -> None:
    """The province's bank account and the refused bank notifications as subjects of the audit log; the
    payment events of a dossier."""
    events.subject(Subject("vietqr_account", _l("Bank account")), BANK_EVENT)
    events.subject(
        Subject("bank_webhook", _l("Refused bank notifications"), names=_refusal_names), WEBHOOK_EVENT
    )
    events.action_labels("dossier", DOSSIER_EVENT)
    events.note_reader("dossier", "payment_received", _paid_note)
    events.note_reader("dossier", "payment_overpaid", _paid_note)
    events.note_reader("dossier", "refund_done", _paid_note)
    events.note_reader("dossier", "payment_cancelled", _paid_note)
    events.note_reader("dossier", "payment_refund_due", _paid_note)
    events.note_reader("dossier", "confirm_fee", _method_note)
    events.field_labels(BANK_FIELDS, {"source": SOURCES})
