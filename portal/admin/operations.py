"""Administration changes. Each one checks everything first, then changes and writes one Event whose note
holds the changed fields before and after (JSON). Flush, never commit; the request commits.

`Invalid(field, message)` means nothing was changed: the route shows `message` on the form's `field`.
`Forbidden` means the actor may not do this at all (the route answers 403).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.accounts.models import PROVINCE_ROLES, STAFF_ROLES, Account
from portal.accounts.operations import find_by_email
from portal.accounts.passwords import hash_password
from portal.agencies.models import Agency
from portal.calendar.models import DAY_OFF, WORKDAY, CalendarDay
from portal.calendar.queries import calendar_for
from portal.catalog.models import Procedure
from portal.events.operations import record
from portal.extensions import db
from portal.feedback.models import FeedbackCategory, ResponseTemplate

from .models import SINGLE_ROW_ID, VietQRAccount


class Invalid(ValueError):
    def __init__(self, field: str, message) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


class Forbidden(PermissionError):
    pass


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    return value


def note(before: Mapping, after: Mapping) -> str:
    """The audit note: {"before": {...}, "after": {...}} with only the fields that changed."""
    return json.dumps(
        {
            "before": {k: _jsonable(v) for k, v in before.items()},
            "after": {k: _jsonable(v) for k, v in after.items()},
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def apply(target, values: Mapping) -> tuple[dict, dict]:
    """Set `values` on `target`; return (before, after) of the attributes that really changed."""
    before, after = {}, {}
    for name, value in values.items():
        current = getattr(target, name)
        if current != value:
            before[name], after[name] = current, value
            setattr(target, name, value)
    return before, after


def _changed(subject_type: str, target, values: Mapping, action: str, actor: Account) -> bool:
    before, after = apply(target, values)
    if not after:
        return False
    db.session.flush()
    record(subject_type, target.id, action, actor_id=actor.id, note=note(before, after))
    return True


def is_province_admin(actor: Account) -> bool:
    return actor.role == "admin"


# --------------------------------------------------------------------------------------------- agencies


def update_agency(agency: Agency, actor: Account, *, name: str, name_en: str, code: str) -> bool:
    if not is_province_admin(actor):
        raise Forbidden
    clash = db.session.scalar(
        select(Agency.id).where(func.upper(Agency.code) == code.upper(), Agency.id != agency.id)
    )
    if clash is not None:
        raise Invalid("code", _l("Another agency already uses this code."))
    values = {"name": name, "name_en": name_en, "code": code}
    return _changed("agency", agency, values, "agency_updated", actor)


def set_agency_active(agency: Agency, actor: Account, active: bool) -> bool:
    if not is_province_admin(actor):
        raise Forbidden
    action = "agency_activated" if active else "agency_deactivated"
    return _changed("agency", agency, {"is_active": active}, action, actor)


# ---------------------------------------------------------------------------------- feedback categories


def can_edit_category(actor: Account, category: FeedbackCategory) -> bool:
    return is_province_admin(actor) or (
        actor.role == "agency_admin"
        and category.default_agency_id is not None
        and category.default_agency_id == actor.agency_id
    )


def update_category(
    category: FeedbackCategory,
    actor: Account,
    *,
    name: str,
    name_en: str,
    response_days: int,
    is_urgent: bool,
    subject: str,
    default_agency_id: int | None,
    is_active: bool,
) -> bool:
    if not can_edit_category(actor, category):
        raise Forbidden
    if not 1 <= response_days <= 60:
        raise Invalid("response_days", _l("Enter a number of working days from 1 to 60."))
    if subject not in ("rule", "conduct"):
        raise Invalid("subject", _l("Choose what the reports are about."))
    if not is_province_admin(actor):
        # An agency administrator edits their agency's categories; handing one to another agency is
        # the province's decision.
        default_agency_id = category.default_agency_id
    elif default_agency_id is not None:
        agency = db.session.get(Agency, default_agency_id)
        if agency is None or (not agency.is_active and agency.id != category.default_agency_id):
            raise Invalid("receiving_agency", _l("Choose an active agency."))
    return _changed(
        "feedback_category",
        category,
        {
            "name": name,
            "name_en": name_en,
            "response_days": response_days,
            "is_urgent": is_urgent,
            "subject": subject,
            "default_agency_id": default_agency_id,
            "is_active": is_active,
        },
        "category_updated",
        actor,
    )


# ------------------------------------------------------------------------------------------- procedures


def can_edit_procedure(actor: Account, procedure: Procedure) -> bool:
    return is_province_admin(actor) or (
        actor.role == "agency_admin"
        and procedure.agency_id is not None
        and procedure.agency_id == actor.agency_id
    )


def update_procedure(
    procedure: Procedure,
    actor: Account,
    *,
    charge_vnd: int | None,
    fee_vnd: int | None,
    processing_days: int,
    same_day: bool,
    online_level: str,
    needs_approval: bool,
    is_active: bool,
) -> bool:
    if not can_edit_procedure(actor, procedure):
        raise Forbidden
    for field, amount in (("charge_vnd", charge_vnd), ("fee_vnd", fee_vnd)):
        if amount is not None and amount < 0:
            raise Invalid(field, _l("The amount cannot be negative."))
    if processing_days < 0:
        raise Invalid("processing_days", _l("Enter a number of working days from 0 to 365."))
    if same_day != (processing_days == 0):
        raise Invalid("same_day", _l("A same-day procedure takes 0 working days."))
    if online_level not in ("full", "partial", "none"):
        raise Invalid("online_level", _l("Choose the online level."))
    return _changed(
        "procedure",
        procedure,
        {
            "charge_vnd": charge_vnd,
            "fee_vnd": fee_vnd,
            "processing_days": processing_days,
            "same_day": same_day,
            "online_level": online_level,
            "needs_approval": needs_approval,
            "is_active": is_active,
        },
        "procedure_updated",
        actor,
    )


# ------------------------------------------------------------------------------------------ staff accounts


def assignable_roles(actor: Account) -> tuple[str, ...]:
    """Roles the actor may give: an agency administrator never gives a province-wide role."""
    if is_province_admin(actor):
        return STAFF_ROLES
    if actor.role == "agency_admin":
        return tuple(role for role in STAFF_ROLES if role not in PROVINCE_ROLES)
    return ()


def can_manage_account(actor: Account, account: Account) -> bool:
    """Province admin: every staff account. Agency admin: the staff of their own agency, admins excepted."""
    if account.role not in STAFF_ROLES:
        return False
    if is_province_admin(actor):
        return True
    return (
        actor.role == "agency_admin"
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
    return _changed("account", account, {"role": role, "agency_id": agency}, "account_role_changed", actor)


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


# ------------------------------------------------------------------------------------------------ calendar


def day_number(day: date) -> int:
    """The Event subject id of a calendar day: 2026-01-02 -> 20260102."""
    return day.year * 10000 + day.month * 100 + day.day


def add_calendar_day(
    actor: Account, *, day: date, kind: str, reason: str, legal_reference: str
) -> CalendarDay:
    if not is_province_admin(actor):
        raise Forbidden
    if kind not in (DAY_OFF, WORKDAY):
        raise Invalid("kind", _l("Choose the kind."))
    if db.session.get(CalendarDay, day) is not None:
        raise Invalid("day", _l("This date is already listed. Remove it first to change it."))
    working = calendar_for(range(day.year, day.year + 1)).is_working_day(day)
    if kind == DAY_OFF and not working:
        raise Invalid("kind", _l("This date is already a day off."))
    if kind == WORKDAY and working:
        raise Invalid("kind", _l("This date is already a working day."))
    row = CalendarDay(day=day, kind=kind, reason=reason, legal_reference=legal_reference)
    db.session.add(row)
    db.session.flush()
    record(
        "calendar_day",
        day_number(day),
        "calendar_day_added",
        actor_id=actor.id,
        note=note({}, {"day": day, "kind": kind, "reason": reason, "legal_reference": legal_reference}),
    )
    return row


def remove_calendar_day(actor: Account, day: date) -> None:
    if not is_province_admin(actor):
        raise Forbidden
    row = db.session.get(CalendarDay, day)
    if row is None:
        raise Invalid("day", _l("This date is not listed."))
    before = {"day": row.day, "kind": row.kind, "reason": row.reason, "legal_reference": row.legal_reference}
    db.session.delete(row)
    db.session.flush()
    record("calendar_day", day_number(day), "calendar_day_removed", actor_id=actor.id, note=note(before, {}))


# -------------------------------------------------------------------------------------- response templates


def can_edit_template(actor: Account, template: ResponseTemplate) -> bool:
    return is_province_admin(actor) or (
        actor.role == "agency_admin"
        and template.agency_id is not None
        and template.agency_id == actor.agency_id
    )


def _template_agency(actor: Account, agency_id: int | None, current: int | None = None) -> int | None:
    if not is_province_admin(actor):
        return actor.agency_id  # an agency administrator writes for their own agency only
    if agency_id is None:
        return None  # province-wide
    agency = db.session.get(Agency, agency_id)
    if agency is None or (not agency.is_active and agency_id != current):
        raise Invalid("agency", _l("Choose an active agency."))
    return agency.id


def create_template(
    actor: Account, *, title: str, body: str, agency_id: int | None, is_active: bool = True
) -> ResponseTemplate:
    if actor.role not in ("admin", "agency_admin"):
        raise Forbidden
    template = ResponseTemplate(
        title=title, body=body, agency_id=_template_agency(actor, agency_id), is_active=is_active
    )
    db.session.add(template)
    db.session.flush()
    record(
        "response_template",
        template.id,
        "template_created",
        actor_id=actor.id,
        note=note(
            {}, {"title": title, "body": body, "agency_id": template.agency_id, "is_active": is_active}
        ),
    )
    return template


def update_template(
    template: ResponseTemplate,
    actor: Account,
    *,
    title: str,
    body: str,
    agency_id: int | None,
    is_active: bool,
) -> bool:
    if not can_edit_template(actor, template):
        raise Forbidden
    agency = _template_agency(actor, agency_id, current=template.agency_id)
    return _changed(
        "response_template",
        template,
        {"title": title, "body": body, "agency_id": agency, "is_active": is_active},
        "template_updated",
        actor,
    )


def set_template_active(template: ResponseTemplate, actor: Account, active: bool) -> bool:
    if not can_edit_template(actor, template):
        raise Forbidden
    return _changed(
        "response_template",
        template,
        {"is_active": active},
        "template_activated" if active else "template_deactivated",
        actor,
    )


# ------------------------------------------------------------------------------------------- bank account


def effective_bank() -> tuple[dict, str]:
    """The VietQR account in force and where it comes from: "database" or "environment"."""
    row = db.session.get(VietQRAccount, SINGLE_ROW_ID)
    if row is not None:
        return {
            "bank_bin": row.bank_bin,
            "account_number": row.account_number,
            "account_name": row.account_name,
        }, "database"
    bank = current_app.config["PORTAL_SETTINGS"].bank
    return {"bank_bin": bank.bin, "account_number": bank.number, "account_name": bank.name}, "environment"


def save_bank(actor: Account, *, bank_bin: str, account_number: str, account_name: str) -> bool:
    if not is_province_admin(actor):
        raise Forbidden
    current, source = effective_bank()
    wanted = {"bank_bin": bank_bin, "account_number": account_number, "account_name": account_name}
    row = db.session.get(VietQRAccount, SINGLE_ROW_ID)
    if row is not None and current == wanted:
        return False
    if row is None:
        row = VietQRAccount(id=SINGLE_ROW_ID, **wanted, updated_by_id=actor.id)
        db.session.add(row)
    else:
        for name, value in wanted.items():
            setattr(row, name, value)
        row.updated_by_id = actor.id
    db.session.flush()
    before = {name: value for name, value in current.items() if value != wanted[name]}
    after = {name: wanted[name] for name in before}
    before["source"], after["source"] = source, "database"
    record(
        "vietqr_account", SINGLE_ROW_ID, "bank_account_updated", actor_id=actor.id, note=note(before, after)
    )
    return True
