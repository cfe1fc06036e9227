"""Account operations: authenticate and create. Flush, never commit."""

from __future__ import annotations

from sqlalchemy import select

from portal.agencies.models import Agency
from portal.db_types import utcnow
from portal.domain.phone import InvalidPhone, normalise_mobile
from portal.domain.text import clean
from portal.events.operations import record
from portal.extensions import db

from .models import PROVINCE_ROLES, ROLES, STAFF_ROLES, Account
from .passwords import hash_password, needs_rehash, verify_password


class AccountError(ValueError):
    pass


def find_by_email(email: str) -> Account | None:
    return db.session.scalar(select(Account).where(Account.email == email.strip().lower()))


def find_by_phone(phone: str) -> Account | None:
    """The account whose proven mobile number is `phone` (E.164); an unproven number finds nobody."""
    return db.session.scalar(
        select(Account).where(Account.phone == phone, Account.phone_verified_at.is_not(None))
    )


def sign_in_name(typed: str) -> str:
    """What a person typed in the sign-in field, as the account is looked up: a lower-cased e-mail, or a
    mobile number in E.164 (VIETNAM.md §9: "0912 345 678" and "+84912345678" are the same)."""
    typed = typed.strip()
    if "@" in typed:
        return typed.lower()
    try:
        return normalise_mobile(typed)
    except InvalidPhone:
        return typed.lower()


def find_for_sign_in(name: str) -> Account | None:
    """The account named by `sign_in_name`'s result: by e-mail, or by a proven phone."""
    return find_by_phone(name) if name.startswith("+") else find_by_email(name)


def check_password(email: str, password: str) -> Account | None:
    """The account if the password matches and it is enabled; one answer for every failure. `email` is an
    e-mail address or a proven mobile number (sign_in_name). Signs nobody in: a second factor may still be
    due (portal.accounts.two_factor)."""
    account = find_for_sign_in(sign_in_name(email))
    if (
        not verify_password(account.password_hash if account else None, password)
        or account is None
        or not account.is_enabled
    ):
        # Audited (SECURITY.md I32); an unknown e-mail is recorded without the address itself.
        record(
            "account", account.id if account else 0, "login_failed", note="" if account else "unknown e-mail"
        )
        return None
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return account


def record_sign_in(account: Account) -> None:
    """Every factor has passed: the sign-in is complete."""
    account.last_login_at = utcnow()
    record("account", account.id, "login", actor_id=account.id)


def authenticate(email: str, password: str) -> Account | None:
    """Password-only sign-in (accounts without a second factor)."""
    account = check_password(email, password)
    if account is not None:
        record_sign_in(account)
    return account


def create_account(
    *,
    email: str | None,
    password: str,
    full_name: str,
    role: str = "citizen",
    agency_slug: str | None = None,
    phone: str | None = None,
    phone_verified: bool = False,
    actor_id: int | None = None,
) -> Account:
    """Create an account; raises AccountError or WeakPassword with the reason. A citizen may have no
    e-mail when `phone_verified` (the phone was proven with a texted code: portal.accounts.signup)."""
    email = email.strip().lower() if email is not None else None
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if email is None:
        if role != "citizen" or not phone or not phone_verified:
            raise AccountError("an account needs an e-mail address, or a citizen a proven phone")
    elif "@" not in email or len(email) > 254:
        raise AccountError("invalid e-mail address")
    elif find_by_email(email) is not None:
        raise AccountError(f"an account with e-mail {email} already exists")
    phone = normalise_mobile(phone) if phone else None
    if phone_verified and phone and find_by_phone(phone) is not None:
        raise AccountError("an account with this phone already exists")
    agency = None
    if agency_slug:
        agency = db.session.scalar(
            select(Agency).where((Agency.slug == agency_slug) | (Agency.code == agency_slug))
        )
        if agency is None:
            raise AccountError(f"unknown agency {agency_slug!r}")
    if role in STAFF_ROLES and role not in PROVINCE_ROLES and agency is None:
        raise AccountError(f"role {role} needs an agency")
    account = Account(
        email=email,
        password_hash=hash_password(password),
        full_name=clean(full_name) or email or "",
        role=role,
        agency=agency,
        phone=phone,
        phone_verified_at=utcnow() if phone_verified and phone else None,
    )
    db.session.add(account)
    db.session.flush()
    record("account", account.id, "account_created", actor_id=actor_id, note=role)
    return account
