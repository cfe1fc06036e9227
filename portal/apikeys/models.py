"""ApiKey: one client of the machine interfaces (an app, the provincial operations centre)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.db_types import UTCDateTime, utcnow
from portal.extensions import Model


class ApiKey(Model):
    """The key itself is shown once when issued; only its SHA-256 is kept (a 256-bit random secret needs
    no slow hash: nobody can guess it, and the digest is looked up on every call)."""

    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("writes_per_hour BETWEEN 1 AND 100000", name="writes_per_hour_range"),
        CheckConstraint("reads_per_hour BETWEEN 1 AND 1000000", name="reads_per_hour_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))  # who holds it: "Ứng dụng Sơn La Smart", "IOC"
    prefix: Mapped[str] = mapped_column(String(12), index=True)  # the key's first characters, to recognise it
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # None: the whole province; else the one agency whose items the key may write and export.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), default=None, index=True)
    writes_per_hour: Mapped[int] = mapped_column(default=100)
    reads_per_hour: Mapped[int] = mapped_column(default=3600)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    agency: Mapped[Agency | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
