"""Public procedure catalogue: /procedures and /procedures/<code>.

A search's answer is kept per process (at most 30 s old after an admin change made by another process, at
once after one made by this one) and the list's content rendered once per answer, filter values and
language (portal/fragments.py): no statement for a search asked before.
"""

from flask import Blueprint, abort, render_template, request

from portal import fragments
from portal.calendar.queries import calendar_around, local_now, office_hours
from portal.domain.text import clean
from portal.domain.working_days import due_date
from portal.i18n import locale_code

from . import queries

bp = Blueprint("catalog", __name__, url_prefix="/procedures", template_folder="templates")
MAX_QUERY = 200
# A search's answer is kept per process like a reference list (portal/fragments.py): dropped when this
# process changes a procedure or an agency, at most REFERENCE_SECONDS old after another process's change.
CATALOGUE = frozenset({"procedures", "agencies"})


@bp.get("")
def index():
    criteria = queries.CatalogFilter(
        query=clean(request.args.get("q", ""))[:MAX_QUERY],
        area=clean(request.args.get("area", ""))[:120],
        level=request.args.get("level", ""),
        agency=request.args.get("agency", "")[:80],
    )
    procedures = fragments.reference(
        ("catalog-search", criteria), CATALOGUE, lambda: queries.search_lines(criteria)
    )
    facets = queries.facets()

    def render() -> str:
        menus = queries.facets_in(locale_code())
        return render_template("catalog/_index.html", criteria=criteria, procedures=procedures, facets=menus)

    key = (criteria, procedures, facets["areas"], facets["agencies"])
    return render_template("catalog/index.html", content=fragments.rendered("catalog-index", key, render))


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
        afternoon_cutoff=procedure.afternoon_cutoff,
    )
    return render_template(
        "catalog/detail.html", procedure=procedure, due=due, now=now, cutoff=office_hours().same_day_cutoff
    )
