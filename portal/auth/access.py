"""Default-deny access for staff blueprints: a route opens only to the roles it names.

`protect(bp)` installs one before_request check on a blueprint; a view without `@allow(...)` is closed
to everybody, so a forgotten decorator fails safe.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import current_user

from portal.domain.roles import STAFF_ROLES, Role


def allow(*roles: str) -> Callable:
    unknown = set(roles) - set(STAFF_ROLES)
    if unknown:
        raise ValueError(f"unknown staff roles {unknown}")

    def mark(view: Callable) -> Callable:
        view.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return mark


def _check():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    view = current_app.view_functions.get(request.endpoint or "")
    allowed: frozenset[str] = getattr(view, "allowed_roles", frozenset())
    if not current_user.is_staff or current_user.role not in allowed:
        abort(403)
    return None


def protect(blueprint: Blueprint) -> Blueprint:
    blueprint.before_request(_check)
    return blueprint


def agency_scope() -> int | None:
    """The agency whose items the signed-in officer works on; None (everything) for the province-wide admin.

    Fails closed: any other officer without an agency (the province's `finance` role) has no queue at all,
    rather than falling into "None = the whole province".
    """
    if current_user.role == Role.ADMIN:
        return None
    if current_user.agency_id is None:
        abort(403)
    return current_user.agency_id


def can_see_agency(agency_id: int | None) -> bool:
    """Staff act only within their agency; the province-wide admin everywhere."""
    return current_user.role == Role.ADMIN or (agency_id is not None and agency_id == current_user.agency_id)
