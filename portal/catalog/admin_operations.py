"""Administration of procedures: fees, processing time, online level, approval, active or not. The province
administrator edits every procedure, an agency administrator those their agency decides. Audited through
portal.admin.changes; flush, never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.admin.changes import Actor, Forbidden, Invalid, administers, record_change

from .models import Procedure


def can_edit_procedure(actor: Actor, procedure: Procedure) -> bool:
    return administers(actor, procedure.agency_id)


def update_procedure(
    procedure: Procedure,
    actor: Actor,
    *,
    charge_vnd: int | None,
    fee_vnd: int | None,
    processing_days: int,
    same_day: bool,
    afternoon_cutoff: bool,
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
    return record_change(
        "procedure",
        procedure,
        {
            "charge_vnd": charge_vnd,
            "fee_vnd": fee_vnd,
            "processing_days": processing_days,
            "same_day": same_day,
            "afternoon_cutoff": afternoon_cutoff,
            "online_level": online_level,
            "needs_approval": needs_approval,
            "is_active": is_active,
        },
        "procedure_updated",
        actor,
    )
