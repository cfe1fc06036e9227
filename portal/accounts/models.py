"""Account: a citizen or a member of staff."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.db_types import UTCDateTime, utcnow
from portal.domain.roles import PROVINCE_ROLES, ROLES, STAFF_ROLES, Role
from portal.extensions import Model

CITIZEN = Role.CITIZEN.value


class Account(UserMixin, Model):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint(f"role IN ({', '.join(repr(role) for role in ROLES)})", name="role_known"),
        # Staff other than the province-wide roles work for exactly one agency.
        CheckConstraint(
            f"role IN ({', '.join(repr(role) for role in (CITIZEN, *PROVINCE_ROLES))}) "
            "OR agency_id IS NOT NULL",
            name="staff_has_agency",
        ),
        # A proven phone signs in and resets the password: it belongs to one account at most.
        Index(
            "uq_accounts_verified_phone",
            "phone",
            unique=True,
            postgresql_where=text("phone_verified_at IS NOT NULL"),
            sqlite_where=text("phone_verified_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased; None for a citizen who signed up with a mobile phone only.
    email: Mapped[str | None] = mapped_column(String(254), unique=True, default=None)
    full_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(16), default=None)  # E.164
    # When the phone was proven with a texted code (None: typed in, never proven; it signs nobody in).
    phone_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
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


# --- Sign-in security: second factor, recovery codes, password-reset tokens, the 2FA policy -----------
# (kept in its own block, below Account, so role changes above merge without touching it)

from sqlalchemy import BigInteger, LargeBinary  # noqa: E402


class SecondFactor(Model):
    """The TOTP authenticator of an account, once enrolment is confirmed with a first valid code (until then
    the new secret waits, encrypted, in the enrolling person's session)."""

    __tablename__ = "account_second_factors"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    # Fernet token of the base-32 secret (key derived from SECRET_KEY, portal.accounts.totp); never shown
    # again once enrolment is confirmed.
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The 30-second time step of the last code accepted: a code of that step or an older one is refused,
    # so a code cannot be replayed even inside its window, whichever process sees it.
    last_step: Mapped[int | None] = mapped_column(BigInteger, default=None)


class RecoveryCode(Model):
    """A one-time recovery code; only its SHA-256 is stored (the code itself has 60 random bits)."""

    __tablename__ = "account_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class PasswordResetToken(Model):
    """A password-reset link. Only the SHA-256 of the token is stored; closed by use or by a newer link."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # SHA-256 of the password hash when the link was made: any password change invalidates the link.
    password_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class SignInPolicy(Model):
    """Sign-in rules set by the province administrator. One row at most (id 1); while it is absent the
    default follows PORTAL_ENV (two-factor required for staff in production)."""

    __tablename__ = "sign_in_policy"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    require_staff_two_factor: Mapped[bool] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)


class OneTimeCode(Model):
    """A 6-digit code sent to an e-mail address or phone to prove it is the person's (citizen sign-up).
    Only an HMAC of the code is stored; it expires, and a few wrong tries close it (SECURITY.md row 3)."""

    __tablename__ = "one_time_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    # The address the code went to: a lower-cased e-mail or an E.164 phone number.
    target: Mapped[str] = mapped_column(String(254), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    wrong_tries: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
