"""Who declares for which communes, and whose items an event reaches.

A commune's leader declares for their own commune and reaches their agency's items; a leader of the
province's People's Committee (agency kind "province") and the province admin declare for any commune and
reach every agency's items there; a department's leader declares for any commune but reaches only the
department's own items.
"""

from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from portal.accounts.models import Account
from portal.agencies.models import Agency
from portal.calendar.disasters import DisasterEvent
from portal.domain.roles import Role
from portal.extensions import db
from portal.places.models import AdminUnit


def communes_for(actor: Account) -> set[str]:
    if actor.role != Role.ADMIN:
        agency = db.session.get(Agency, actor.agency_id) if actor.agency_id else None
        if agency is None:
            return set()
        if agency.kind == "commune":
            return {agency.admin_unit_code} if agency.admin_unit_code else set()
    return set(db.session.scalars(select(AdminUnit.code)))


def reaches_every_agency(agency_id: int | None) -> bool:
    if agency_id is None:
        return True
    agency = db.session.get(Agency, agency_id)
    return agency is not None and agency.kind == "province"


def can_see(event: DisasterEvent) -> bool:
    """An event exists for the province admin, its agency's staff, and everyone's when it reaches all."""
    return (
        current_user.role == Role.ADMIN
        or event.agency_id == current_user.agency_id
        or reaches_every_agency(event.agency_id)
    )


def can_change(event: DisasterEvent) -> bool:
    """Only the declaring agency's leaders (and the province admin) change or end an event."""
    return current_user.role == Role.ADMIN or (
        current_user.role == Role.LEADER and event.agency_id == current_user.agency_id
    )
