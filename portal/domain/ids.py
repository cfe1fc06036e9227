"""Row ids as they arrive in addresses, query strings and forms. Pure: stdlib only.

Every table's id is a 64-bit signed integer (PostgreSQL BIGINT/INTEGER, SQLite INTEGER); a larger number
is no row's id, and handed to the database it fails (SQLite: OverflowError, a 500). So a number past
MAX_ID is refused where it enters: a 404 for an address (the `int` URL converter, portal/__init__.py),
"no such id" for the readers below.
"""

from __future__ import annotations

import re

MAX_ID = 2**63 - 1  # the largest 64-bit signed integer
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() also takes '²' and other scripts' digits


def parse_id(text: object) -> int | None:
    """`text` as a row id (ASCII digits, at most MAX_ID), else None."""
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None
