"""Dossier response templates (issue 16 item 10): reusable texts for a request for documents (form 02), a
refusal (form 03) and a result note, administered as feedback's response templates are
(portal.response_templates: the province administrator writes them for every agency or one, an agency
administrator for their own agency; audited under the "dossier_template" subject)."""

from __future__ import annotations

from sqlalchemy import or_, select

from portal.domain.collation import sorted_vi
from portal.extensions import db
from portal.response_templates.operations import TemplateKind

from .models import TEMPLATE_PURPOSES, DossierTemplate

TEMPLATES = TemplateKind("dossier_template", DossierTemplate, TEMPLATE_PURPOSES)


def for_dossier(agency_id: int) -> dict[str, list[DossierTemplate]]:
    """The active templates an officer of the agency may start from, by purpose, in title order."""
    stored = db.session.scalars(
        select(DossierTemplate)
        .where(
            DossierTemplate.is_active,
            or_(DossierTemplate.agency_id.is_(None), DossierTemplate.agency_id == agency_id),
        )
        .order_by(DossierTemplate.id)
    )
    rows = sorted_vi(stored, key=lambda row: row.title)  # Vietnamese alphabetical order, not the bytes' order
    found: dict[str, list[DossierTemplate]] = {purpose: [] for purpose in TEMPLATE_PURPOSES}
    for row in rows:
        found[row.purpose].append(row)
    return found
