"""Password reset by e-mail (a link) or by a proven mobile phone (a texted code). Flush, never commit.

A link holds 256 random bits; only their SHA-256 is stored. A link works once, for LIFETIME, and is closed
by use, by a newer link, and by any password change (it remembers a fingerprint of the password hash). A
reset changes the password and ends every session; it never signs anybody in, so an account with a second
factor still has to pass it at the next sign-in.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update

from portal.database import changed_rows
from portal.db_types import utcnow
from portal.domain.digests import sha256_hex
from portal.events.operations import record
from portal.extensions import db

from . import signup
from .models import Account, PasswordResetToken
from .operations import find_by_email, find_by_phone
from .passwords import hash_password

PHONE_PURPOSE = "reset"

LIFETIME = timedelta(minutes=30)


def request_reset(email: str) -> tuple[Account, str] | None:
    """(account, token) to e-mail, or None when there is no enabled account with that address (the caller
    answers the same either way)."""
    account = find_by_email(email)
    if account is None or not account.is_enabled:
        record("account", 0, "password_reset_requested", note="unknown or disabled e-mail")
        return None
    now = utcnow()
    # A newer link closes the older ones.
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.account_id == account.id, PasswordResetToken.closed_at.is_(None))
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordResetToken(
            account_id=account.id,
            token_hash=sha256_hex(token),
            password_fingerprint=sha256_hex(account.password_hash),
            created_at=now,
            expires_at=now + LIFETIME,
        )
    )
    db.session.flush()
    record("account", account.id, "password_reset_requested")
    return account, token


def valid_token(token: str) -> PasswordResetToken | None:
    if not token or len(token) > 100:
        return None
    row = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == sha256_hex(token))
    )
    if row is None or row.closed_at is not None or row.expires_at <= utcnow():
        return None
    account = db.session.get(Account, row.account_id)
    if (
        account is None
        or not account.is_enabled
        or sha256_hex(account.password_hash) != row.password_fingerprint
    ):
        return None
    return row


def use_token(token: str, password: str) -> Account | None:
    """Set the new password (already checked against the rules) if the link is still valid; the link is
    closed by a conditional UPDATE, so two submissions of the same link change the password once."""
    row = valid_token(token)
    if row is None:
        return None
    closed = (
        changed_rows(
            update(PasswordResetToken)
            .where(PasswordResetToken.id == row.id, PasswordResetToken.closed_at.is_(None))
            .values(closed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        == 1
    )
    if not closed:
        return None
    account = db.session.get(Account, row.account_id)
    assert account is not None  # the token's account_id is a foreign key
    account.password_hash = hash_password(password)
    account.session_version += 1  # every other session ends
    db.session.flush()
    record("account", account.id, "password_reset_used", actor_id=account.id)
    return account


def request_phone_reset(phone: str) -> tuple[Account, str] | None:
    """(account, code) to text to `phone` (E.164), or None when no enabled account has it proven (the
    caller answers the same either way). The code follows the sign-up code's rules (portal.accounts.signup:
    HMAC-stored, CODE_LIFETIME, MAX_WRONG tries, closed by a newer one)."""
    account = find_by_phone(phone)
    if account is None or not account.is_enabled:
        record("account", 0, "password_reset_requested", note="unknown or disabled phone")
        return None
    code = signup.issue_code(phone, PHONE_PURPOSE)
    record("account", account.id, "password_reset_requested", note="by text message")
    return account, code


def use_phone_code(phone: str, code: str, password: str) -> Account | None:
    """Set the new password (already checked against the rules) when `code` is the open code texted to
    `phone`; a wrong one counts a try. Every session of the account ends, as with a reset link."""
    if not signup.check_code(phone, code, PHONE_PURPOSE):
        return None
    account = find_by_phone(phone)
    if account is None or not account.is_enabled:
        return None
    account.password_hash = hash_password(password)
    account.session_version += 1  # every other session ends
    db.session.flush()
    record("account", account.id, "password_reset_used", actor_id=account.id, note="by text message")
    return account
