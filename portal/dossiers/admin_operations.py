"""Administration of dossier response templates (issue 16 item 10): reusable texts for a request for
documents (form 02), a refusal (form 03) and a result note, as feedback's response templates. The province
administrator writes them for every agency or one; an agency administrator for their own agency. Audited
through portal.admin.changes; flush, never commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from portal.admin.changes import (
    Actor,
    Forbidden,
    Invalid,
    administers,
    is_province_admin,
    note,
    record_change,
)
from portal.agencies.models import Agency
from portal.domain.roles import Role
from portal.events.operations import record
from portal.extensions import db

from .models import TEMPLATE_PURPOSES, DossierTemplate

SUBJECT = "dossier_template"


def can_edit(actor: Actor, template: DossierTemplate) -> bool:
    return administers(actor, template.agency_id)


def _agency(actor: Actor, agency_id: int | None, current: int | None = None) -> int | None:
    if not is_province_admin(actor):
        return actor.agency_id  # an agency administrator writes for their own agency only
    if agency_id is None:
        return None  # province-wide
    agency = db.session.get(Agency, agency_id)
    if agency is None or (not agency.is_active and agency_id != current):
        raise Invalid("agency", _l("Choose an active agency."))
    return agency.id


def _purpose(purpose: str) -> str:
    if purpose not in TEMPLATE_PURPOSES:
        raise Invalid("purpose", _l("Choose what the template is for."))
    return purpose


def create(
    actor: Actor, *, purpose: str, title: str, body: str, agency_id: int | None, is_active: bool = True
) -> DossierTemplate:
    if actor.role not in (Role.ADMIN, Role.AGENCY_ADMIN):
        raise Forbidden
    values = {
        "purpose": _purpose(purpose),
        "title": title,
        "body": body,
        "agency_id": _agency(actor, agency_id),
        "is_active": is_active,
    }
    template = DossierTemplate(**values)
    db.session.add(template)
    db.session.flush()
    record(SUBJECT, template.id, "template_created", actor_id=actor.id, note=note({}, values))
    return template


def update(
    template: DossierTemplate,
    actor: Actor,
    *,
    purpose: str,
    title: str,
    body: str,
    agency_id: int | None,
    is_active: bool,
) -> bool:
    if not can_edit(actor, template):
        raise Forbidden
    values = {
        "purpose": _purpose(purpose),
        "title": title,
        "body": body,
        "agency_id": _agency(actor, agency_id, current=template.agency_id),
        "is_active": is_active,
    }
    return record_change(SUBJECT, template, values, "template_updated", actor)


def set_active(template: DossierTemplate, actor: Actor, active: bool) -> bool:
    if not can_edit(actor, template):
        raise Forbidden
    action = "template_activated" if active else "template_deactivated"
    return record_change(SUBJECT, template, {"is_active": active}, action, actor)


def for_dossier(agency_id: int) -> dict[str, list[DossierTemplate]]:
    """The active templates an officer of the agency may start from, by purpose, in title order."""
    rows = db.session.scalars(
        select(DossierTemplate)
        .where(
            DossierTemplate.is_active,
            or_(DossierTemplate.agency_id.is_(None), DossierTemplate.agency_id == agency_id),
        )
        .order_by(DossierTemplate.title, DossierTemplate.id)
    )
    found: dict[str, list[DossierTemplate]] = {purpose: [] for purpose in TEMPLATE_PURPOSES}
    for row in rows:
        found[row.purpose].append(row)
    return found
