"""Administration of agencies (the province administrator only): names and the receiving-unit code,
active or not. Audited through portal.admin.changes; flush, never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.admin.changes import Actor, Forbidden, Invalid, is_province_admin, record_change
from portal.extensions import db

from .models import Agency


def update_agency(
    agency: Agency, actor: Actor, *, name: str, name_en: str, code: str, supervisor_id: int | None = None
) -> bool:
    if not is_province_admin(actor):
        raise Forbidden
    clash = db.session.scalar(
        select(Agency.id).where(func.upper(Agency.code) == code.upper(), Agency.id != agency.id)
    )
    if clash is not None:
        raise Invalid("code", _l("Another agency already uses this code."))
    if supervisor_id is not None and (
        supervisor_id == agency.id or db.session.get(Agency, supervisor_id) is None
    ):
        raise Invalid("supervisor", _l("Choose another agency."))
    values = {"name": name, "name_en": name_en, "code": code, "supervisor_id": supervisor_id}
    return record_change("agency", agency, values, "agency_updated", actor)


def set_agency_active(agency: Agency, actor: Actor, active: bool) -> bool:
    if not is_province_admin(actor):
        raise Forbidden
    action = "agency_activated" if active else "agency_deactivated"
    return record_change("agency", agency, {"is_active": active}, action, actor)
