"""Administration of a feature's response templates: create, edit, (de)activate, each an audited Event of
the feature's subject type (portal.admin.changes). Flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

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


@dataclass(frozen=True)
class TemplateKind:
    """One feature's response templates: the Event subject type their changes are recorded under, their
    model (agency_id, title, body, is_active; purpose when `purposes` is given) and what a template may be
    for (empty: a template is for any answer, the model has no purpose)."""

    subject: str
    model: type[Any]
    purposes: tuple[str, ...] = ()


def can_edit(actor: Actor, template) -> bool:
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


def _values(kind: TemplateKind, actor: Actor, fields: dict, current: int | None = None) -> dict:
    """The checked values of a template: its purpose (when the kind has purposes), title, body, agency."""
    values = dict(fields)
    if kind.purposes and values.get("purpose") not in kind.purposes:
        raise Invalid("purpose", _l("Choose what the template is for."))
    values["agency_id"] = _agency(actor, values["agency_id"], current)
    return values


def create(kind: TemplateKind, actor: Actor, **fields):
    """A new template from `fields` (title, body, agency_id, is_active; purpose when the kind has them)."""
    if actor.role not in (Role.ADMIN, Role.AGENCY_ADMIN):
        raise Forbidden
    values = _values(kind, actor, {"is_active": True, **fields})
    template = kind.model(**values)
    db.session.add(template)
    db.session.flush()
    record(kind.subject, template.id, "template_created", actor_id=actor.id, note=note({}, values))
    return template


def update(kind: TemplateKind, template, actor: Actor, **fields) -> bool:
    if not can_edit(actor, template):
        raise Forbidden
    values = _values(kind, actor, fields, current=template.agency_id)
    return record_change(kind.subject, template, values, "template_updated", actor)


def set_active(kind: TemplateKind, template, actor: Actor, active: bool) -> bool:
    if not can_edit(actor, template):
        raise Forbidden
    action = "template_activated" if active else "template_deactivated"
    return record_change(kind.subject, template, {"is_active": active}, action, actor)
