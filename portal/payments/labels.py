"""Translatable payment labels."""

from flask_babel import lazy_gettext as _l

# The audit of refused bank notifications (portal.payments.refusals).
WEBHOOK_EVENT = {"webhook_refused": _l("Bank notification refused")}
STATUS = {
    "pending": _l("Waiting for payment"),
    "paid": _l("Paid"),
    "underpaid": _l("Paid less than due"),
    "overpaid": _l("Paid more than due"),
    "cancelled": _l("Cancelled"),
}
