"""Staff-only papers: form 05, the processing control sheet, kept with the dossier (never the citizen's)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from portal.auth.access import allow, protect
from portal.calendar.queries import local_now
from portal.domain.roles import QUEUE_ROLES
from portal.dossiers import deadlines
from portal.dossiers import queries as dossier_queries
from portal.dossiers.labels import TIMELINESS
from portal.dossiers.policy import can_handle

from . import queries
from .routes import PRIVATE, clock
from .sheets import control_rows

bp = protect(Blueprint("papers_staff", __name__, url_prefix="/staff/papers", template_folder="templates"))


@bp.get("/dossiers/<code>/05")
@allow(*QUEUE_ROLES)
def control_sheet(code: str):
    dossier = dossier_queries.by_code(code)
    if dossier is None or not can_handle(dossier):
        abort(404)  # another agency's dossier does not exist for this officer
    today = local_now().date()
    # The sheet's "result" is the processed dossier's (trước hạn / đúng hạn / quá hạn): none while open.
    verdict = deadlines.timeliness(dossier, today) if dossier.finished_at is not None else ""
    return (
        render_template(
            "papers/form05.html",
            dossier=dossier,
            rows=control_rows(queries.steps(dossier.id), dossier.applicant_name),
            verdict=TIMELINESS[verdict] if verdict else "",
            issued=today,
            clock=clock,
        ),
        200,
        PRIVATE,
    )
