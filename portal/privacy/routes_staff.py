"""The one door to a restricted dossier (/staff/privacy/restricted/<code>): its agency's leader or the
province admin, every opening recorded in the audit log. For anyone else, and for a dossier that is not
restricted, it does not exist (404)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from portal.auth.access import allow, protect
from portal.dossiers import queries as dossiers
from portal.dossiers.labels import STATUS
from portal.events.operations import record
from portal.extensions import db

from . import policy
from .labels import RULE
from .models import PrivacyRequest

bp = protect(Blueprint("privacy_staff", __name__, url_prefix="/staff/privacy", template_folder="templates"))


@bp.get("/restricted/<code>")
@allow("leader", "admin")
def restricted(code: str):
    dossier = dossiers.by_code(code)
    if dossier is None or dossier.restricted_at is None or not policy.may_open_restricted(dossier):
        abort(404)
    record("dossier", dossier.id, "restricted_viewed", actor_id=current_user.id)
    db.session.commit()
    why = db.session.scalar(
        db.select(PrivacyRequest)
        .where(
            PrivacyRequest.subject_type == "dossier",
            PrivacyRequest.subject_id == dossier.id,
            PrivacyRequest.outcome == "restricted",
        )
        .order_by(PrivacyRequest.id.desc())
        .limit(1)
    )
    return render_template(
        "privacy/staff_restricted.html", dossier=dossier, why=why, rules=RULE, status_labels=STATUS
    )
