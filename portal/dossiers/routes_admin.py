"""/staff/admin/dossier-templates: the texts officers start a request for documents, a refusal or a result
note from (issue 16 item 10), the pages of portal.response_templates as /staff/admin/templates for feedback
answers. Closed by default; opened to the administrators; every change is an audited Event."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.admin.views import admin_blueprint
from portal.auth.access import protect
from portal.response_templates.views import Pages, mount

from .admin_operations import TEMPLATES
from .forms import DossierTemplateForm
from .labels import TEMPLATE_PURPOSE
from .models import DossierTemplate

bp = protect(admin_blueprint("dossiers_admin", __name__))

mount(
    bp,
    TEMPLATES,
    Pages(
        path="/dossier-templates",
        form=DossierTemplateForm,
        order=(DossierTemplate.purpose, DossierTemplate.agency_id.is_not(None), DossierTemplate.title),
        heading=_l("Dossier response templates"),
        body_hint=_l("Officers start from this text and complete it; the citizen reads it."),
        hint=_l(
            "Texts officers start from when they request documents (form 02), refuse a dossier (form 03) or "
            "write the result note."
        ),
        purpose_names=TEMPLATE_PURPOSE,
    ),
)
