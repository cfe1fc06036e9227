"""Keyset pagination: a page follows the key of the last row shown ("after=<key>" in the URL), never an offset,
so page 500 costs what page 1 costs.

A query reads one row more than a page (`size + 1`, in display order); `page` cuts it and gives the key of
the next page, or None when nothing follows. A key with several parts travels as "part~part~part"
(`encode`) and is read back strictly (`decode`): anything malformed means "from the start", never an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

Row = TypeVar("Row")
Key = TypeVar("Key")
SEPARATOR = "~"


def page(rows: Sequence[Row], size: int, key: Callable[[Row], Key]) -> tuple[list[Row], Key | None]:
    """The first `size` rows, and the key of the last of them if at least one more row was read."""
    rows = list(rows)
    if len(rows) > size:
        return rows[:size], key(rows[size - 1])
    return rows, None


def encode(*parts: Any) -> str:
    return SEPARATOR.join(part.isoformat() if isinstance(part, date) else str(part) for part in parts)


def decode(raw: str, *readers: Callable[[str], Any]) -> tuple | None:
    """The key's parts, each read by its reader (which raises ValueError on a bad part), or None."""
    parts = raw.split(SEPARATOR)
    if len(parts) != len(readers):
        return None
    try:
        return tuple(read(part) for read, part in zip(readers, parts, strict=True))
    except ValueError:
        return None


def row_id(max_digits: int) -> Callable[[str], int]:
    """Reader of a row id: plain ASCII digits, at most `max_digits` of them."""
    pattern = re.compile(rf"[0-9]{{1,{max_digits}}}")

    def read(text: str) -> int:
        if not pattern.fullmatch(text):
            raise ValueError(text)
        return int(text)

    return read


def one_of(*choices: str) -> Callable[[str], str]:
    def read(text: str) -> str:
        if text not in choices:
            raise ValueError(text)
        return text

    return read
