"""Who may see a dossier's private pages (and what hangs off them: files, the e-receipt of its fee).

Asked by the dossier routes and by portal/payments/policy.py, so it lives outside any route module.
"""

from __future__ import annotations

from flask_login import current_user

from portal.tracking import access

from .models import Dossier


def can_view(dossier: Dossier) -> bool:
    """Staff of the dossier's agency (the province admin: all); else the applicant's account or a browser
    given access (receipt, private link, tracking look-up)."""
    from portal.auth.access import can_see_agency

    if current_user.is_authenticated and current_user.is_staff:
        return can_see_agency(dossier.agency_id)
    return access.may_view("dossier", dossier.id, dossier.account_id)
