"""W3C datetimes, worked by hand: Sơn La is UTC+07:00 all year (no daylight saving)."""

from datetime import UTC, datetime

import pytest

from portal.domain.w3c import parse_w3c, w3c


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 07:30 UTC is 14:30 in Sơn La, the same day.
        (datetime(2026, 1, 10, 7, 30, tzinfo=UTC), "2026-01-10T14:30:00+07:00"),
        # 17:00 UTC is midnight of the next day locally.
        (datetime(2026, 12, 31, 17, 0, tzinfo=UTC), "2027-01-01T00:00:00+07:00"),
        # A naive value is UTC (as stored); microseconds are dropped.
        (datetime(2026, 6, 1, 0, 0, 5, 999999), "2026-06-01T07:00:05+07:00"),
        (None, None),
    ],
)
def test_out(moment, expected):
    assert w3c(moment) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2010-01-01T00:00:00Z", datetime(2010, 1, 1, tzinfo=UTC)),
        # +07:00 midnight is 17:00 UTC the day before.
        ("2026-12-06T00:00:00+07:00", datetime(2026, 12, 5, 17, tzinfo=UTC)),
        # No zone: read as local time.
        ("2026-12-06T14:30", datetime(2026, 12, 6, 7, 30, tzinfo=UTC)),
        # A date alone: its local midnight.
        ("2026-12-06", datetime(2026, 12, 5, 17, tzinfo=UTC)),
    ],
)
def test_in(text, expected):
    assert parse_w3c(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "06/12/2026", "2026-12-06 14:30", ""])
def test_not_w3c(text):
    with pytest.raises(ValueError):
        parse_w3c(text)
