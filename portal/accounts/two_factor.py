"""Staff two-factor sign-in: enrolment, verification, recovery codes, the policy, the administrator's reset.
Flush, never commit; the request commits.
"""

from __future__ import annotations

import json

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.database import changed_rows
from portal.db_types import utcnow
from portal.domain.digests import sha256_hex
from portal.domain.roles import Role
from portal.events.operations import record
from portal.extensions import db

from . import totp
from .models import Account, RecoveryCode, SecondFactor, SignInPolicy

POLICY_ROW_ID = 1
VERIFY, ENROL = "verify", "enrol"


def _key() -> str:
    return current_app.config["SECRET_KEY"]


# --- policy ---------------------------------------------------------------------------------------


def staff_two_factor_required() -> tuple[bool, str]:
    """Whether staff must use a second factor, and where that comes from: "database" or "environment"
    (the default: required when PORTAL_ENV=production, not in development)."""
    row = db.session.get(SignInPolicy, POLICY_ROW_ID)
    if row is not None:
        return row.require_staff_two_factor, "database"
    return current_app.config["PORTAL_SETTINGS"].production, "environment"


def set_staff_two_factor_required(actor: Account, required: bool) -> bool:
    """Only the province administrator decides; audited with the value before and after."""
    if actor.role != Role.ADMIN:
        raise PermissionError("only the province administrator sets the sign-in policy")
    current, source = staff_two_factor_required()
    row = db.session.get(SignInPolicy, POLICY_ROW_ID)
    if row is not None and current == required:
        return False
    if row is None:
        row = SignInPolicy(id=POLICY_ROW_ID, require_staff_two_factor=required, updated_by_id=actor.id)
        db.session.add(row)
    else:
        row.require_staff_two_factor, row.updated_by_id = required, actor.id
    db.session.flush()
    note = json.dumps(
        {
            "before": {"require_staff_two_factor": current, "source": source},
            "after": {"require_staff_two_factor": required, "source": "database"},
        },
        sort_keys=True,
    )
    record("sign_in_policy", POLICY_ROW_ID, "two_factor_policy_changed", actor_id=actor.id, note=note)
    return True


# --- state of one account -------------------------------------------------------------------------


def _row(account: Account) -> SecondFactor | None:
    return db.session.get(SecondFactor, account.id)


def is_enrolled(account: Account) -> bool:
    return _row(account) is not None


def second_step(account: Account) -> str | None:
    """What stands between a correct password and a session: VERIFY a code, ENROL first, or nothing."""
    if is_enrolled(account):
        return VERIFY
    if account.is_staff and staff_two_factor_required()[0]:
        return ENROL
    return None


def remaining_recovery_codes(account: Account) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


# --- enrolment ------------------------------------------------------------------------------------


def may_enrol_after_password(account: Account, trusted_device: bool) -> bool:
    """Whether the password alone may lead to enrolment (the half-signed state, policy on).

    Enrolling binds an authenticator to the account for good: whoever does it owns the account and locks
    the member out. So someone holding only a stolen password must not be able to: enrolment after the
    password alone is allowed from a browser the member completed a sign-in from before (its device
    cookie), at the account's very first sign-in (the administrator handed its password over), or when,
    since the last sign-in, the administrator reset two-step sign-in (a lost phone) or the member chose a new
    password through the e-mailed link (which proves the mailbox, not only the password)."""
    from portal.events.models import Event

    if trusted_device or account.last_login_at is None:
        return True
    reset_at = db.session.scalar(
        select(func.max(Event.occurred_at)).where(
            Event.subject_type == "account",
            Event.subject_id == account.id,
            Event.action.in_(("two_factor_reset", "password_reset_used")),
        )
    )
    return reset_at is not None and reset_at >= account.last_login_at


# The new secret is kept, encrypted, in the enrolling person's session until a first code confirms it:
# showing the enrolment page writes nothing to the database, and an abandoned enrolment leaves nothing.


def new_enrolment() -> str:
    """A new secret, encrypted for the session."""
    return totp.encrypt(totp.new_secret(), _key()).decode("ascii")


def enrolment_secret(sealed: str | None) -> str | None:
    return totp.decrypt(sealed.encode("ascii"), _key()) if isinstance(sealed, str) and sealed else None


def confirm_enrolment(account: Account, secret: str, code: str, now: float | None = None) -> list[str] | None:
    """Check the first code from the app; on success the authenticator is stored and the ten recovery codes
    are returned (to be shown once). None when the code is wrong or the account is already enrolled."""
    step = totp.matching_step(secret, code, now)
    if step is None or is_enrolled(account):
        record("account", account.id, "two_factor_enrol_failed", actor_id=account.id)
        return None
    try:
        with db.session.begin_nested():  # two confirmations at once: the second finds the row taken
            db.session.add(
                SecondFactor(
                    account_id=account.id, secret_encrypted=totp.encrypt(secret, _key()), last_step=step
                )
            )
    except IntegrityError:
        return None
    codes = _replace_recovery_codes(account)
    record("account", account.id, "two_factor_enabled", actor_id=account.id)
    return codes


def _replace_recovery_codes(account: Account) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    codes = totp.new_recovery_codes()
    db.session.add_all(RecoveryCode(account_id=account.id, code_hash=sha256_hex(code)) for code in codes)
    db.session.flush()
    return codes


# --- verification ---------------------------------------------------------------------------------


def verify(account: Account, code: str, now: float | None = None) -> bool:
    """A current TOTP code not used before, or an unused recovery code. Each is accepted once: the
    conditional UPDATEs below let exactly one request win, across processes."""
    row = _row(account)
    if row is None:
        return False
    recovery = totp.normalise_recovery_code(code) if len("".join(code.split())) > 6 else None
    if recovery is not None:
        used = (
            changed_rows(
                update(RecoveryCode)
                .where(
                    RecoveryCode.account_id == account.id,
                    RecoveryCode.used_at.is_(None),
                    RecoveryCode.code_hash == sha256_hex(recovery),
                )
                .values(used_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            == 1
        )
        if used:
            record(
                "account",
                account.id,
                "recovery_code_used",
                actor_id=account.id,
                note=f"{remaining_recovery_codes(account)} left",
            )
            return True
    else:
        secret = totp.decrypt(row.secret_encrypted, _key())
        step = totp.matching_step(secret, code, now) if secret else None
        if (
            step is not None
            and changed_rows(
                update(SecondFactor)
                .where(
                    SecondFactor.account_id == account.id,
                    or_(SecondFactor.last_step.is_(None), SecondFactor.last_step < step),
                )
                .values(last_step=step)
                .execution_options(synchronize_session=False)
            )
            == 1
        ):
            db.session.expire(row)
            return True
    record("account", account.id, "two_factor_failed", actor_id=account.id)
    return False


# --- administrator's reset (lost phone) -------------------------------------------------------------


def reset(account: Account, actor: Account | None) -> bool:
    """Remove the authenticator and the recovery codes; every session of the account ends. The person
    enrols again at their next sign-in (when the policy requires it). Audited; `actor` None is the server's
    command line (`flask --app portal accounts reset-two-factor`)."""
    row = _row(account)
    if row is None:
        return False
    db.session.delete(row)
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.account_id == account.id))
    account.session_version += 1
    db.session.flush()
    record(
        "account",
        account.id,
        "two_factor_reset",
        actor_id=actor.id if actor else None,
        note=json.dumps(
            {"before": "enrolled", "after": "none", "by": "administrator" if actor else "command line"}
        ),
    )
    return True
