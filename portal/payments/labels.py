"""Translatable payment labels."""

from datetime import UTC, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.domain.payment_reference import is_valid
from portal.domain.working_days import LOCAL_TZ
from portal.events.registry import Registry, Subject
from portal.extensions import db
from portal.i18n import local_date, local_datetime, vnd

from .models import Payment, WebhookRefusal

# The audit of refused bank notifications (portal.payments.refusals).
WEBHOOK_EVENT = {"webhook_refused": _l("Bank notification refused")}
STATUS = {
    "pending": _l("Waiting for payment"),
    "paid": _l("Paid"),
    "underpaid": _l("Paid less than due"),
    "overpaid": _l("Paid more than due"),
    "cancelled": _l("Cancelled"),
}


def bank_time(value: datetime | None) -> str:
    """A time the bank gave, in Vietnam: the date alone when the bank gave only a date (a statement line
    "23/11/2026" is stored as that day's local midnight, portal.payments.statement; a real credit at
    00:00:00.000000 sharp loses nothing but its "00:00"), else the date and time."""
    if value is None:
        return ""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(LOCAL_TZ)  # stored as UTC
    return local_date(local) if local.time() == time(0) else local_datetime(local)


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

# A payment's one line on its dossier's timeline, whichever of the two records it (see paid_line below):
# one wording (the dossiers feature names its "confirm_fee" with it too).
FEES_PAID = _l("Fees paid")
# What the payments feature records about a dossier (its timeline and the audit log).
DOSSIER_EVENT = {
    "payment_received": FEES_PAID,
    "payment_overpaid": _l("More than the fee was paid"),
    "credit_resolved": _l("Bank transfer matched to this dossier"),
    "payment_confirmed": _l("Fee payment confirmed at the desk"),  # no longer written: one line a payment
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


# A settled payment says so once, on one line of its dossier's timeline: the dossier's own "fees paid" when
# that moves the dossier on (the FeeOwner records it), else "payment_received". Its note is written and read
# here: "<reference> <amount> <method>[ <comment>]", shown "SL8PJTD64PRF · 15.000 ₫ · Cash at the desk · …".
def paid_line(payment: Payment, comment: str = "") -> str:
    """The note of `payment`'s line: what settled the fee (an excess has its own line) and how it was paid."""
    paid = min(payment.received_vnd, payment.amount_vnd)
    return f"{payment.reference} {paid} {payment.method} {comment}".strip()


def _paid_line_note(note: str) -> str:
    """A line payments wrote, as people read it: the method's label, never its code. Older lines read
    "SL… 15000" (payment_received) or "SL… counter …" (payment_confirmed, no longer written)."""
    reference, *rest = note.split(" ", 3)
    amount = rest.pop(0) if rest and rest[0].isdigit() else ""
    method = rest.pop(0) if rest and rest[0] in METHOD else ""
    if not amount and not method:
        return note
    parts = (
        reference,
        vnd(int(amount)) if amount else "",
        str(METHOD[method]) if method else "",
        " ".join(rest),
    )
    return " · ".join(part for part in parts if part)


def _fees_paid_note(note: str) -> str:
    """The dossier's "fees paid" line: a payment's line as above; before it was, the method code or "VietQR"
    (moved on by a payment) or the officer's own comment, which stays as it is."""
    if is_valid(note.split(" ", 1)[0]):
        return _paid_line_note(note)
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
    events.note_reader("dossier", "payment_received", _paid_line_note)
    events.note_reader("dossier", "payment_confirmed", _paid_line_note)
    events.note_reader("dossier", "payment_overpaid", _paid_note)
    events.note_reader("dossier", "refund_done", _paid_note)
    events.note_reader("dossier", "confirm_fee", _fees_paid_note)
    events.note_reader("dossier", "payment_cancelled", _paid_note)
    events.note_reader("dossier", "payment_refund_due", _paid_note)
    events.field_labels(BANK_FIELDS, {"source": SOURCES})
