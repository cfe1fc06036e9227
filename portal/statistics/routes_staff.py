"""/staff/dashboard (figures and Decision 766 points, print view) and /staff/dashboard.csv.

The numbers come from `portal.statistics.dashboard` (facts) and `portal.domain.indicators` (arithmetic
and rounding), shown through `view`; the charts are `charts`' inline SVG.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.agencies.queries import in_order
from portal.auth.access import allow, protect
from portal.calendar import disasters
from portal.calendar.queries import local_now
from portal.domain.roles import SUPERVISORS
from portal.events.operations import record
from portal.extensions import db

from . import dashboard, drilldown
from .charts import indicator_chart, received_chart
from .export import EXPORTED, csv_response
from .item_rows import item_rows
from .params import chooses_agency, parse_period, resolve_scope, scope_name
from .view import DEFINITIONS, FIGURES, View, build_view

bp = protect(Blueprint("staff_dashboard", __name__, url_prefix="/staff", template_folder="templates"))


def _request_view() -> tuple[View, list[str]]:
    today = local_now().date()
    period, period_error = parse_period(request.args, today)
    scope, scope_error = resolve_scope(request.args.get("agency", "").strip())
    view = build_view(dashboard.build(scope, period))
    return view, [message for message in (period_error, scope_error) if message]


def _query(view: View) -> dict:
    period, scope = view.board.period, view.board.scope
    query = {"from": period.first.isoformat(), "to": period.last.isoformat()}
    if chooses_agency():
        query["agency"] = scope.agency.slug if scope.agency else "all"
    return query


@bp.get("/dashboard")
@allow(*SUPERVISORS)
def dashboard_page():
    view, errors = _request_view()
    agencies = (
        [
            (agency.slug, agency.name, agency.name_en)
            for agency in in_order(db.session.scalars(select(Agency).where(Agency.is_active)), True)
        ]
        if chooses_agency()
        else []
    )
    print_view = request.args.get("print") == "1"
    query = _query(view)
    return render_template(
        "statistics/dashboard.html",
        view=view,
        errors=errors,
        agencies=agencies,
        print_view=print_view,
        scope_name=scope_name(view.board.scope),
        query=query,
        indicator_chart=indicator_chart(view),
        received_chart=received_chart(view),
        csv_url=url_for(".export_csv", **query),
        print_url=url_for(".dashboard_page", **query, print=1),
        screen_url=url_for(".dashboard_page", **query),
        generated=local_now(),
        disaster_flags=disasters.flagged(
            view.board.scope.agency.id if view.board.scope.agency else None,
            view.board.period.first,
            view.board.period.last,
        ),
    )


PAGE_SIZE = 50


@bp.get("/dashboard/items")
@allow(*SUPERVISORS)
def items_page():
    """The items behind one dashboard figure, for the same range and scope (a leader: their own agency only,
    like the dashboard), paginated. Same definitions as the figure: the list's length is the figure."""
    key = request.args.get("figure", "")
    if key not in drilldown.SETS:
        abort(404)
    today = local_now().date()
    period, period_error = parse_period(request.args, today)
    scope, scope_error = resolve_scope(request.args.get("agency", "").strip())
    found = drilldown.items(key, scope, period)
    pages = max(1, -(-len(found.ids) // PAGE_SIZE))
    raw_page = request.args.get("page", "1")
    number = int(raw_page) if raw_page.isdigit() and 1 <= int(raw_page) <= pages else 1
    query: dict = {"from": period.first.isoformat(), "to": period.last.isoformat(), "figure": key}
    if chooses_agency():
        query["agency"] = scope.agency.slug if scope.agency else "all"
    return render_template(
        "statistics/items.html",
        label=dict((k, label) for k, label, _kind in FIGURES)[key],
        definition=dict(DEFINITIONS).get(key),
        found=found,
        rows=item_rows(found.kind, found.ids[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]),
        page=number,
        pages=pages,
        page_url=lambda n: url_for(".items_page", **query, page=n),
        back_url=url_for(".dashboard_page", **{k: v for k, v in query.items() if k != "figure"}),
        scope_name=scope_name(scope),
        period=period,
        errors=[message for message in (period_error, scope_error) if message],
    )


@bp.get("/dashboard.csv")
@allow(*SUPERVISORS)
def export_csv():
    view, _errors = _request_view()
    response = csv_response(view, scope_name(view.board.scope))
    period, scope = view.board.period, view.board.scope
    # SECURITY.md check 32: who took which figures out of the portal, and when.
    record(
        "agency" if scope.agency else "province",
        scope.agency.id if scope.agency else 0,
        EXPORTED,
        actor_id=current_user.id,
        note=f"{period.first}..{period.last} csv",
    )
    db.session.commit()
    return response
