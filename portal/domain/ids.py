"""Row ids as they arrive in addresses, query strings and forms. Pure: stdlib only.

Every table's id is an INTEGER: 32-bit signed on PostgreSQL, 64-bit on SQLite. A larger number is no
row's id, and handed to the database it fails (PostgreSQL: "integer out of range"; SQLite past 64 bits:
OverflowError), a 500. So a number past MAX_ID is refused where it enters: a 404 for an address (the
`int` URL converter, portal/__init__.py), "no such id" for the reader below (forms: NumberRange).
"""

from __future__ import annotations

import re

MAX_ID = 2**31 - 1  # the largest PostgreSQL INTEGER, the smaller of the two databases' id ranges
_DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII only: str.isdigit() also takes '²' and other scripts' digits


def parse_id(text: object) -> int | None:
    """`text` as a row id (ASCII digits, at most MAX_ID), else None."""
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None
