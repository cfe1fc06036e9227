"""Administration of staff accounts: create, change role and agency, enable or disable, set a password. The
province administrator manages every staff account; an agency administrator the staff of their own agency,
never a province-wide role. Audited through portal.admin.changes; flush, never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.admin.changes import Forbidden, Invalid, is_province_admin, note, record_change
from portal.agencies.models import Agency
from portal.domain.roles import PROVINCE_ROLES, STAFF_ROLES, Role
from portal.events.operations import record
from portal.extensions import db

from .models import Account
from .operations import find_by_email
from .passwords import hash_password


def assignable_roles(actor: Account) -> tuple[str, ...]:
    """Roles the actor may give: an agency administrator never gives a province-wide role."""
    if is_province_admin(actor):
        return STAFF_ROLES
    if actor.role == Role.AGENCY_ADMIN:
        return tuple(role for role in STAFF_ROLES if role not in PROVINCE_ROLES)
    return ()


def can_manage_account(actor: Account, account: Account) -> bool:
    """Province admin: every staff account. Agency admin: the staff of their own agency, admins excepted."""
    if account.role not in STAFF_ROLES:
        return False
    if is_province_admin(actor):
        return True
    return (
        actor.role == Role.AGENCY_ADMIN
        and account.role not in PROVINCE_ROLES
        and account.agency_id is not None
        and account.agency_id == actor.agency_id
    )


def _agency_for(actor: Account, role: str, agency_id: int | None, current: int | None = None) -> int | None:
    """The agency a staff account will belong to; raises Invalid on a wrong or forbidden choice."""
    if not is_province_admin(actor):
        # Agency administrators keep everyone in their own agency.
        if agency_id is not None and agency_id != actor.agency_id:
            raise Invalid("agency", _l("You can only manage the staff of your own agency."))
        return actor.agency_id
    if role in PROVINCE_ROLES:
        if agency_id is not None:
            raise Invalid("agency", _l("A province-wide role has no agency: choose none."))
        return None
    if agency_id is None:
        if role not in PROVINCE_ROLES:
            raise Invalid("agency", _l("Choose the agency this person works for."))
        return None
    agency = db.session.get(Agency, agency_id)
    if agency is None or (not agency.is_active and agency_id != current):
        raise Invalid("agency", _l("Choose an active agency."))
    return agency.id


def create_staff(
    actor: Account, *, email: str, full_name: str, role: str, agency_id: int | None, password: str
) -> Account:
    if role not in assignable_roles(actor):
        raise Invalid("role", _l("You cannot give this role."))
    email = email.strip().lower()
    if find_by_email(email) is not None:
        raise Invalid("email", _l("An account with this e-mail address already exists."))
    agency = _agency_for(actor, role, agency_id)
    account = Account(
        email=email, full_name=full_name, role=role, agency_id=agency, password_hash=hash_password(password)
    )
    db.session.add(account)
    db.session.flush()
    record(
        "account",
        account.id,
        "account_created",
        actor_id=actor.id,
        note=note({}, {"email": email, "full_name": full_name, "role": role, "agency_id": agency}),
    )
    return account


def change_role(account: Account, actor: Account, *, role: str, agency_id: int | None) -> bool:
    if not can_manage_account(actor, account):
        raise Forbidden
    if account.id == actor.id:
        raise Invalid("role", _l("You cannot change your own role. Ask another administrator."))
    if role not in assignable_roles(actor):
        raise Invalid("role", _l("You cannot give this role."))
    agency = _agency_for(actor, role, agency_id, current=account.agency_id)
    return record_change(
        "account", account, {"role": role, "agency_id": agency}, "account_role_changed", actor
    )


def set_enabled(account: Account, actor: Account, enabled: bool) -> bool:
    """Disable or enable; either way every session of the account ends (session_version is bumped)."""
    if not can_manage_account(actor, account):
        raise Forbidden
    if account.id == actor.id and not enabled:
        raise Invalid("active", _l("You cannot disable your own account."))
    if account.is_enabled == enabled:
        return False
    before = {"is_enabled": account.is_enabled, "session_version": account.session_version}
    account.is_enabled = enabled
    account.session_version += 1
    after = {"is_enabled": account.is_enabled, "session_version": account.session_version}
    db.session.flush()
    record(
        "account",
        account.id,
        "account_enabled" if enabled else "account_disabled",
        actor_id=actor.id,
        note=note(before, after),
    )
    return True


def reset_password(account: Account, actor: Account, password: str) -> None:
    """Set the password the administrator chose; every session of the account ends. The note never
    holds the password or its hash."""
    if not can_manage_account(actor, account):
        raise Forbidden
    before = {"session_version": account.session_version}
    account.password_hash = hash_password(password)
    account.session_version += 1
    db.session.flush()
    record(
        "account",
        account.id,
        "password_reset",
        actor_id=actor.id,
        note=note(before, {"session_version": account.session_version}),
    )
