"""Account: a citizen or a member of staff."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.db_types import UTCDateTime, utcnow
from portal.extensions import db

CITIZEN = "citizen"
STAFF_ROLES = ("receptionist", "processor", "leader", "agency_admin", "admin", "finance")
ROLES = (CITIZEN, *STAFF_ROLES)
# Province-wide staff roles, with no agency: the administrator, and finance (kế toán tỉnh), who owns the one
# provincial VietQR receiving account, its statements and its unmatched credits (portal/payments/policy.py).
PROVINCE_ROLES = ("admin", "finance")


class Account(UserMixin, db.Model):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(role) for role in ROLES)})", name="role_known"),
        # Staff other than the province-wide roles work for exactly one agency.
        CheckConstraint(f"role IN ({', '.join(repr(role) for role in (CITIZEN, *PROVINCE_ROLES))}) "
                        "OR agency_id IS NOT NULL", name="staff_has_agency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(16), default=None)  # E.164
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default=CITIZEN, index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), default=None, index=True)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Bumped on password change or disable: every other session of the account ends.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    agency: Mapped[Agency | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.role}>"
