"""Column types shared by every feature's models."""

from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Integer
from sqlalchemy.types import TypeDecorator

# Money in whole dong, as a 64-bit integer: a 32-bit column overflows at 2,147,483,647 dong, and a bank
# credit above that must be stored, not lost. SQLite's INTEGER already holds 8 bytes, so the column keeps
# that declared type there (no table rebuild); PostgreSQL gets BIGINT.
Money = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator):
    """An instant, stored in UTC (`timestamptz` on PostgreSQL), always returned timezone-aware.

    SQLite has no time zone type and hands back naive values; we attach UTC on the way out and
    refuse naive values on the way in so no local time is ever stored by mistake.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)
