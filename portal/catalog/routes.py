"""Public procedure catalogue: /procedures and /procedures/<code>."""

from flask import Blueprint, abort, render_template, request

from portal.calendar.queries import calendar_around, local_now, office_hours
from portal.domain.text import clean
from portal.domain.working_days import due_date

from . import queries

bp = Blueprint("catalog", __name__, url_prefix="/procedures", template_folder="templates")
MAX_QUERY = 200


@bp.get("")
def index():
    criteria = queries.CatalogFilter(
        query=clean(request.args.get("q", ""))[:MAX_QUERY],
        area=clean(request.args.get("area", ""))[:120],
        level=request.args.get("level", ""),
        agency=request.args.get("agency", "")[:80],
    )
    return render_template(
        "catalog/index.html", criteria=criteria, procedures=queries.search(criteria), facets=queries.facets()
    )


@bp.get("/<code>")
def detail(code: str):
    procedure = queries.procedure_by_code(code) or abort(404)
    now = local_now()
    due = due_date(
        calendar_around(now.date()),
        now,
        procedure.processing_days,
        office_hours(),
        same_day=procedure.same_day,
    )
    return render_template("catalog/detail.html", procedure=procedure, due=due, now=now)
