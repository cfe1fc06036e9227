"""Reading a credit's amount from the bank: whole dong, from 1 to 10^15, or a named reason.

Every money column is 64-bit (portal.db_types.Money), so any amount in this range is stored. Above 10^15
dong (about 40 billion US dollars, far beyond any credit to a fee account) the value is a corrupted or hostile
message, not money: it is refused with its reason, never rounded, truncated or half-stored.
"""

from __future__ import annotations

import re

from portal.domain.errors import ReasonedError

MAX_CREDIT_VND = 10**15
# Whole dong, optionally grouped by thousands as banks print them: 15000, 15.000, 15,000, 3.000.000.000.
# "20000.00" does not match (it would be read a hundred times too big).
STATEMENT_AMOUNT = re.compile(r"[0-9]{1,3}(?:([.,])[0-9]{3})(?:\1[0-9]{3})*|[0-9]+")


class AmountError(ReasonedError):
    """`reason` is one of: not_whole_dong, not_positive, too_large."""


def _in_range(amount: int) -> int:
    if amount <= 0:
        raise AmountError("not_positive")
    if amount > MAX_CREDIT_VND:
        raise AmountError("too_large")
    return amount


def from_json(value: object) -> int:
    """A webhook's `amount`: a JSON integer or a string of digits (20000.5, true, "20k", null: refused)."""
    if isinstance(value, bool):
        raise AmountError("not_whole_dong")
    if isinstance(value, int):
        return _in_range(value)
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,30}", value.strip()):
        return _in_range(int(value.strip()))
    raise AmountError("not_whole_dong")


def from_statement(text: str) -> int:
    """A statement line's amount as the bank prints it."""
    text = text.strip()
    if text.startswith("-") and STATEMENT_AMOUNT.fullmatch(text[1:]):
        raise AmountError("not_positive")
    if not STATEMENT_AMOUNT.fullmatch(text) or len(text) > 40:
        raise AmountError("not_whole_dong")
    return _in_range(int(re.sub(r"[.,]", "", text)))
