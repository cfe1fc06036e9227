"""E-receipt numbers (biên lai điện tử): a series and a gap-free sequence per series and year.

A receipt for fees and charges carries its series symbol (ký hiệu biên lai) and its number (số biên lai).
We follow the shape Decree 123/2020/NĐ-CP and Circular 78/2021/TT-BTC give receipts [verify the exact
symbol layout with the province's tax office before printing for real]: the symbol is the collector's
letters, the two last digits of the year and "E" for an electronic receipt (e.g. "SL-26E"); the number
is printed with seven digits, starts at 1 in each series every year and never skips.

Gap-free and safe under concurrency: the number comes from portal.sequences (one atomic INSERT … ON
CONFLICT DO UPDATE … RETURNING in the settling transaction). PostgreSQL holds the counter's row lock until
that transaction ends, so a second settlement waits for the first; a rolled-back settlement gives its
number back. SQLite serialises writers. The caller settles only once (operations.py guards the status
change with a conditional UPDATE), so a payment never takes two numbers.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import current_app

from portal.calendar.queries import LOCAL_TZ
from portal.sequences import next_value

DEFAULT_LETTERS = "SL"  # Sơn La; RECEIPT_SERIES in the app's config replaces it (2 capital letters)
LETTERS = re.compile(r"[A-Z]{2}")
DIGITS = 7


def series_for(moment: datetime) -> str:
    """The series symbol in force at `moment`: the collector's letters, the local year's two digits, "E"."""
    letters = current_app.config.get("RECEIPT_SERIES", DEFAULT_LETTERS)
    if not LETTERS.fullmatch(letters):
        raise ValueError("RECEIPT_SERIES must be two capital letters")
    return f"{letters}-{moment.astimezone(LOCAL_TZ):%y}E"


def issue(moment: datetime) -> tuple[str, int]:
    """The series and next number for a receipt dated `moment`. Runs in the caller's transaction."""
    series = series_for(moment)
    year = moment.astimezone(LOCAL_TZ).year
    return series, next_value(f"receipt:{series}", date(year, 1, 1))


def formatted(number: int | None) -> str:
    return "" if number is None else f"{number:0{DIGITS}d}"
