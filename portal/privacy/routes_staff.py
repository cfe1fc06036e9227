"""The one door to a restricted dossier (/staff/privacy/restricted/<code>) and its files: its agency's
leader or the province admin, every opening and every download recorded in the audit log. For anyone
else, and for a dossier that is not restricted, neither exists (404).

The rest of the agency's staff, sent here by the dossier's ordinary page, see /staff/privacy/dossiers/<code>:
that the dossier is restricted, since when, under which archive rule, and who may open it; no personal
data, not an opening. Other agencies' staff still get 404."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from portal.auth.access import allow, protect
from portal.domain.roles import QUEUE_ROLES
from portal.dossiers import queries as dossiers
from portal.dossiers.labels import STATUS
from portal.dossiers.models import Dossier, DossierFile
from portal.dossiers.policy import sees_restricted
from portal.events.operations import record
from portal.extensions import db
from portal.uploads import serving

from . import policy
from .labels import RULE
from .models import PrivacyRequest

bp = protect(Blueprint("privacy_staff", __name__, url_prefix="/staff/privacy", template_folder="templates"))


def _restricted_or_404(code: str) -> Dossier:
    dossier = dossiers.by_code(code)
    if dossier is None or dossier.restricted_at is None or not policy.may_open_restricted(dossier):
        abort(404)
    return dossier


@bp.get("/restricted/<code>/files/<int:file_id>")
@allow("leader", "admin")
def restricted_file(code: str, file_id: int):
    """A restricted dossier's file, for the archive duty: a download (never rendered), never cached,
    audited like every download of a personal file."""
    dossier = _restricted_or_404(code)
    stored = db.session.get(DossierFile, file_id)
    if stored is None or stored.dossier_id != dossier.id:
        abort(404)
    handle = serving.open_stored(stored.stored_name)
    if handle is None:
        return serving.missing_file_page()
    serving.audit_download("dossier", dossier.id, f"#{stored.id} {stored.display_name} ({stored.kind})")
    db.session.commit()
    return serving.attachment(handle, stored.stored_name, stored.mimetype, stored.display_name)


@bp.get("/dossiers/<code>")
@allow(*QUEUE_ROLES)
def restricted_notice(code: str):
    dossier = dossiers.by_code(code)
    if dossier is None or not sees_restricted(dossier):
        abort(404)
    return _page(dossier, full=False, may_open=policy.may_open_restricted(dossier))


@bp.get("/restricted/<code>")
@allow("leader", "admin")
def restricted(code: str):
    dossier = _restricted_or_404(code)
    record("dossier", dossier.id, "restricted_viewed", actor_id=current_user.id)
    db.session.commit()
    return _page(dossier, full=True, may_open=True)


def _page(dossier: Dossier, full: bool, may_open: bool) -> str:
    """The restricted dossier's page: its personal data and files only when `full` (an opening, logged)."""
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
        "privacy/staff_restricted.html",
        dossier=dossier,
        why=why,
        rules=RULE,
        status_labels=STATUS,
        full=full,
        may_open=may_open,
    )
