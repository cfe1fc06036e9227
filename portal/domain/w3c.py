"""W3C datetimes (the ISO 8601 subset of Open311 and our exports) in the province's zone. Pure: stdlib only.

Out: always with the offset, `2026-12-06T14:30:00+07:00`, whole seconds. In: a date, or a date and time with
`Z` or an offset; a time without one is read in the province's zone (UTC+07:00 all year, VIETNAM.md §10).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from portal.domain.working_days import LOCAL_TZ


def w3c(moment: datetime | None) -> str | None:
    """A W3C datetime in the province's zone: 2026-12-06T14:30:00+07:00."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).replace(microsecond=0).isoformat()


_W3C = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")


def parse_w3c(text: str) -> datetime:
    """A W3C datetime (a date alone is its midnight in the province); ValueError when it is not one.
    A time without a zone is read in the province's zone."""
    text = text.strip()
    if not _W3C.match(text):
        raise ValueError(text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC)
