"""Public procedure catalogue: /procedures, /procedures/<code> and its blank forms' downloads.

A search's answer is kept per process (at most 30 s old after an admin change made by another process, at
once after one made by this one) and the list's content rendered once per answer, filter values and
language (portal/fragments.py): no statement for a search asked before.
"""

from babel.units import format_unit
from flask import Blueprint, abort, redirect, render_template, request, url_for

from portal import fragments
from portal.calendar.queries import calendar_around, local_now, office_hours
from portal.domain.text import clean
from portal.domain.working_days import due_date
from portal.i18n import locale_code
from portal.uploads.serving import attachment, missing_file_page, open_stored

from . import queries
from .blank_forms import disposition, version
from .labels import FILE_KINDS

bp = Blueprint("catalog", __name__, url_prefix="/procedures", template_folder="templates")
MAX_QUERY = 200
# A search's answer is kept per process like a reference list (portal/fragments.py): dropped when this
# process changes a procedure or an agency, at most REFERENCE_SECONDS old after another process's change.
CATALOGUE = frozenset({"procedures", "agencies"})
YEAR = 365 * 24 * 3600  # a blank form's address names one file and title: it never changes


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    """A file's size as people read it, by Babel: "120 kB", "1,2 MB" (at least 1 kB)."""
    if size < 1000 * 1000:
        return format_unit(
            max(1, round(size / 1000)), "digital-kilobyte", length="short", locale=locale_code()
        )
    return format_unit(
        round(size / 1000 / 1000, 1),
        "digital-megabyte",
        length="short",
        format="#,##0.#",
        locale=locale_code(),
    )


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
        "catalog/detail.html",
        procedure=procedure,
        due=due,
        now=now,
        cutoff=office_hours().same_day_cutoff,
        form_version=version,
        file_kinds=FILE_KINDS,
    )


@bp.get("/<code>/forms/<int:form_id>/<tag>")
def blank_form(code: str, form_id: int, tag: str):
    """A blank form's file, always a download. Its address carries the file's and title's fingerprint
    (blank_forms.version): cached for a year; an older address leads to the current one."""
    procedure = queries.procedure_by_code(code) or abort(404)
    found = next((form for form in procedure.blank_forms if form.id == form_id), None) or abort(404)
    current = version(found)
    if tag != current:
        return redirect(url_for(".blank_form", code=procedure.code, form_id=found.id, tag=current))
    handle = open_stored(found.stored_name)
    if handle is None:
        return missing_file_page()
    response = attachment(handle, found.stored_name, found.content_type, found.title, public=True)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.headers["Content-Disposition"] = disposition(found)
    return response
