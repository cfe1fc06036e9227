"""Keyset pagination: a page follows the key of the last row shown ("after=<key>" in the URL), never an offset,
so page 500 costs what page 1 costs.

A query reads one row more than a page (`size + 1`, in display order); `page` cuts it and gives the key of
the next page, or None when nothing follows. A key with several parts travels as "part~part~part"
(`encode`) and is read back strictly (`decode`): anything malformed means "from the start", never an error.
The last part is read whole, so a text key (an e-mail, a code) may contain the separator. `next_url` links
the next page, under the parameter the list uses ("after", or "before" for a newest-first list).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from flask import url_for

from portal.domain.text import clean

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
    parts = raw.split(SEPARATOR, len(readers) - 1)
    if len(parts) != len(readers):
        return None
    try:
        return tuple(read(part) for read, part in zip(readers, parts, strict=True))
    except ValueError:
        return None


def next_url(endpoint: str, param: str, key: Any, **args: Any) -> str | None:
    """The link to the next page: `endpoint` with `args` and the encoded key in `param`; None on the last
    page (no key). A key of several parts is a tuple."""
    if key is None:
        return None
    parts = key if isinstance(key, tuple) else (key,)
    return url_for(endpoint, **{**args, param: encode(*parts)})


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


def text(max_length: int) -> Callable[[str], str]:
    """Reader of a text key (an e-mail, a code): cleaned like typed input, at most `max_length` characters;
    empty is no key."""

    def read(raw: str) -> str:
        value = clean(raw)[:max_length]
        if not value:
            raise ValueError(raw)
        return value

    return read
