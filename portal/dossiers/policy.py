"""Who may see a dossier's private pages (and what hangs off them: files, the e-receipt of its fee).

Asked by the dossier routes and, through the FeeOwner registered in wiring.py, by portal/payments/policy.py.
"""

from __future__ import annotations

from typing import Protocol

from flask_login import current_user

from portal import visitor
from portal.auth.access import can_see_agency
from portal.tracking import access

from .models import Dossier


class Viewable(Protocol):
    """What the private-page check reads: a Dossier, or the status page's key row."""

    @property
    def id(self) -> int: ...
    @property
    def account_id(self) -> int | None: ...
    @property
    def agency_id(self) -> int: ...
    @property
    def restricted_at(self) -> object: ...


def _restricted(dossier: Viewable) -> bool:
    """Restricted after an erasure request under an archive duty (portal/privacy): no ordinary page shows it,
    to staff or citizen; only an authorised officer's logged view does (portal/privacy/routes_staff.py)."""
    return dossier.restricted_at is not None


def can_view(dossier: Viewable) -> bool:
    """Staff of the dossier's agency (the province admin: all); else the applicant's account or a browser
    given access (receipt, private link, tracking look-up)."""
    if _restricted(dossier):
        return False
    user = visitor.user()  # (one look-up; asked on every status page)
    if user.is_authenticated and user.is_staff:
        return can_see_agency(dossier.agency_id)
    return access.may_view("dossier", dossier.id, dossier.account_id)


def can_handle(dossier: Dossier) -> bool:
    """Staff pages of a dossier: officers of its agency (the province admin: all); for anyone else it does
    not exist (404)."""
    if _restricted(dossier):
        return False
    return can_see_agency(dossier.agency_id)


def sees_restricted(dossier: Dossier) -> bool:
    """A restricted dossier's own agency (the province admin: all) is told that it exists and is restricted,
    with no personal data (portal/privacy/routes_staff.py), rather than shown a bare "not found"; for any
    other agency it does not exist (404)."""
    return _restricted(dossier) and can_see_agency(dossier.agency_id)


def may_act_as_citizen(dossier: Dossier) -> bool:
    """The citizen's own actions (supplement, withdraw): the applicant's account or a browser given access,
    never staff (they act through their own pages)."""
    if _restricted(dossier):
        return False
    if current_user.is_authenticated and current_user.is_staff:
        return False
    return access.may_view("dossier", dossier.id, dossier.account_id)
