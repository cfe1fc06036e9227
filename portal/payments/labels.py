"""Translatable payment labels."""
from flask_babel import lazy_gettext as _l

STATUS = {
    "pending": _l("Waiting for payment"),
    "paid": _l("Paid"),
    "underpaid": _l("Paid less than due"),
    "overpaid": _l("Paid more than due"),
    "cancelled": _l("Cancelled"),
}
