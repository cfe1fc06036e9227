"""Audited administration changes, shared by every feature's admin_operations. Each change checks everything
first, then changes and writes one Event whose note holds the changed fields before and after (JSON).
Flush, never commit; the request commits.

`Invalid(field, message)` means nothing was changed: the route shows `message` on the form's `field`.
`Forbidden` means the actor may not do this at all (the route answers 403).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Protocol

from portal.domain.roles import Role
from portal.events.operations import record
from portal.extensions import db


class Actor(Protocol):
    """The signed-in staff member making a change (a portal.accounts Account)."""

    @property
    def id(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def agency_id(self) -> int | None: ...


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


def record_change(subject_type: str, target, values: Mapping, action: str, actor: Actor) -> bool:
    """Apply `values` to `target` and, if anything changed, write one Event; False when nothing changed."""
    before, after = apply(target, values)
    if not after:
        return False
    db.session.flush()
    record(subject_type, target.id, action, actor_id=actor.id, note=note(before, after))
    return True


def is_province_admin(actor: Actor) -> bool:
    return actor.role == Role.ADMIN


def administers(actor: Actor, agency_id: int | None) -> bool:
    """The province administrator administers everything; an agency administrator the rows of their agency."""
    return is_province_admin(actor) or (
        actor.role == Role.AGENCY_ADMIN and agency_id is not None and agency_id == actor.agency_id
    )
