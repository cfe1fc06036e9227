"""/staff/dashboard (figures and Decision 766 points, CSV export, print view) and the public /statistics.

The numbers come from `portal.staff.dashboard` (facts) and `portal.domain.indicators` (arithmetic and
rounding). One list of rows feeds the page, its table and the CSV, so the export is exactly what the
screen shows. Charts are inline SVG drawn here: no JavaScript, nothing from another origin.
"""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from babel.numbers import format_decimal
from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.auth.access import allow, protect
from portal.calendar.queries import local_now
from portal.domain.indicators import DEFAULT_TABLE, decimal, percent
from portal.domain.roles import SUPERVISORS
from portal.events.operations import record
from portal.extensions import db
from portal.i18n import local_date, locale_code

from . import dashboard

bp = protect(Blueprint("staff_dashboard", __name__, url_prefix="/staff", template_folder="templates"))
public = Blueprint("statistics", __name__)
MAX_DAYS = 731  # two years; longer ranges are a report, not a dashboard
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
PUBLIC_MAX_AGE = 300  # seconds: the public statistics may be a few minutes old

INDICATOR_LABELS = {
    "on_time_dossiers": _l("Dossiers handled early or on time"),
    "online_procedures": _l("Procedures offered online"),
    "online_dossiers": _l("Dossiers submitted online"),
    "online_payment_procedures": _l("Fee-bearing procedures with online payment"),
    "procedures_paid_online": _l("Procedures with at least one online payment"),
    "dossiers_paid_online": _l("Dossiers with fees paid online"),
    "electronic_results": _l("Dossiers with an electronic result"),
    "digitised_dossiers": _l("Digitised dossiers"),
    "feedback_on_time": _l("Feedback handled on time"),
    "feedback_satisfaction": _l("Satisfaction with feedback handling"),
    "dossier_satisfaction": _l("Satisfaction with dossier handling"),
}
GROUP_LABELS = {
    "2": _l("Progress and results"),
    "3": _l("Online services"),
    "4": _l("Digitisation"),
    "5": _l("Satisfaction"),
}
# key of indicators.Figures, label, kind of number
FIGURES = (
    ("received", _l("Dossiers received"), "count"),
    ("processed", _l("Dossiers processed"), "count"),
    ("on_time", _l("Finished on time"), "count"),
    ("late", _l("Finished late"), "count"),
    ("overdue_now", _l("Overdue now"), "count"),
    ("online_submission_share", _l("Submitted online"), "percent"),
    ("online_payment_share", _l("Fees paid online"), "percent"),
    ("digitised_share", _l("Digitised"), "percent"),
    ("average_processing_days", _l("Average processing time (working days)"), "days"),
    ("feedback_received", _l("Feedback received"), "count"),
    ("feedback_on_time_share", _l("Feedback answered on time"), "percent"),
    ("dossier_satisfaction", _l("Citizens satisfied with dossier handling"), "percent"),
    ("feedback_satisfaction", _l("Citizens satisfied with feedback answers"), "percent"),
)
# What citizens see on /statistics (no personal data: counts and shares of the whole province). Dossier
# satisfaction joins them once citizens can rate dossiers (today it is always "not applicable").
PUBLIC_FIGURES = (
    "received",
    "processed",
    "on_time_rate",
    "online_submission_share",
    "online_payment_share",
    "feedback_received",
    "feedback_on_time_share",
    "feedback_satisfaction",
)
PATTERNS = {"percent": "#,##0.0", "days": "#,##0.0", "points": "#,##0.00"}


@dataclass(frozen=True)
class Value:
    """A rounded number and how to show it: on screen in the reader's locale, in the CSV as plain digits."""

    number: int | Decimal | None
    kind: str  # count, percent, days, points, max

    def display(self) -> str:
        if self.number is None:
            return _("N/A")
        if self.kind in PATTERNS:
            text = format_decimal(self.number, format=PATTERNS[self.kind], locale=locale_code())
        else:
            text = format_decimal(self.number, locale=locale_code())
        return f"{text}%" if self.kind == "percent" else text

    def plain(self) -> str:
        return _("N/A") if self.number is None else str(self.number)

    def __str__(self) -> str:
        return self.display()


def _share(value: Fraction | None) -> Value:
    return Value(percent(value), "percent")


def _max(value: Fraction) -> Value:
    return Value(int(value) if value.denominator == 1 else decimal(value, 2), "max")


def _points(value: Fraction | None) -> Value:
    return Value(decimal(value, 2), "points")


def _sum(points: Fraction, max_points: Fraction) -> Value:
    """A group's (or the overall) points; not applicable when none of its indicators is."""
    return _points(points if max_points else None)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    value: Value
    points: Value | None = None
    max_points: Value | None = None
    threshold: Value | None = None
    met: bool = True  # the rate reaches the threshold (or there is none); False when not applicable


@dataclass(frozen=True)
class View:
    """Everything the page, the print view and the CSV show, already rounded."""

    board: dashboard.Dashboard
    figures: list[Row]
    indicators: list[tuple[str, str, list[Row], Row]]  # group id, label, its lines, its total
    total: Row
    series: list[Row]


def build_view(board: dashboard.Dashboard) -> View:
    figures = board.figures
    rows = []
    for key, label, kind in FIGURES:
        raw = getattr(figures, key)
        value = (
            Value(raw, "count")
            if kind == "count"
            else _share(raw)
            if kind == "percent"
            else Value(decimal(raw, 1), "days")
        )
        rows.append(Row(key, str(label), value))
    groups: dict[str, list[Row]] = {}
    for line in board.scorecard.lines:
        threshold = DEFAULT_TABLE[line.id][1] if line.id in DEFAULT_TABLE else None
        groups.setdefault(line.id.split(".")[0], []).append(
            Row(
                line.id,
                str(INDICATOR_LABELS.get(line.label, line.label)),
                _share(line.rate),
                _points(line.points),
                _max(line.max_points),
                _share(threshold) if threshold is not None else None,
                line.rate is not None and (threshold is None or line.rate >= threshold),
            )
        )
    indicators = []
    for total in board.scorecard.groups:
        label = str(GROUP_LABELS.get(total.group, total.group))
        indicators.append(
            (
                total.group,
                label,
                groups.get(total.group, []),
                Row(
                    f"group-{total.group}",
                    label,
                    _sum(total.points, total.max_points),
                    _sum(total.points, total.max_points),
                    _max(total.max_points),
                ),
            )
        )
    card = board.scorecard
    total = Row(
        "total",
        _("Total"),
        _sum(card.points, card.max_points),
        _sum(card.points, card.max_points),
        _max(card.max_points),
    )
    fmt = local_date if board.received_by == "day" else _month
    series = [
        Row(
            day.isoformat() if board.received_by == "day" else day.strftime("%Y-%m"),
            fmt(day),
            Value(count, "count"),
        )
        for day, count in board.received_series
    ]
    return View(board, rows, indicators, total, series)


def _month(day: date) -> str:
    return day.strftime("%m/%Y")


# --- charts: geometry for inline SVG, in percent of the chart's width and pixels of its height -----------

BAR_LEFT, BAR_WIDTH, ROW_HEIGHT = 14.0, 68.0, 30


def indicator_chart(view: View) -> dict:
    bars = []
    for index, row in enumerate(line for _group, _label, lines, _total in view.indicators for line in lines):
        rate = row.value.number
        threshold = row.threshold.number if row.threshold else None
        fill = min(float(rate), 100.0) if rate is not None else 0.0
        mark = None if threshold is None else round(BAR_LEFT + BAR_WIDTH * float(threshold) / 100, 2)
        bars.append(
            {
                "row": row,
                "y": 8 + index * ROW_HEIGHT,
                "width": round(BAR_WIDTH * fill / 100, 2),
                "threshold_x": mark,
                "met": row.met,
            }
        )
    height = 8 + len(bars) * ROW_HEIGHT + 22
    ticks = [{"x": round(BAR_LEFT + BAR_WIDTH * share / 100, 2), "label": share} for share in (0, 50, 100)]
    return {
        "bars": bars,
        "height": height,
        "left": BAR_LEFT,
        "span": BAR_WIDTH,
        "ticks": ticks,
        "axis_y": height - 22,
    }


def received_chart(view: View) -> dict:
    rows = view.series
    top = max((int(row.value.number or 0) for row in rows), default=0)
    scale = max(top, 1)
    slot = 100 / max(len(rows), 1)
    plot_top, plot_height = 22, 120
    bars = []
    for index, row in enumerate(rows):
        height = round(plot_height * int(row.value.number or 0) / scale, 2)
        bars.append(
            {
                "row": row,
                "x": round(index * slot + slot * 0.15, 3),
                "width": round(slot * 0.7, 3),
                "y": round(plot_top + plot_height - height, 2),
                "height": height,
            }
        )
    return {
        "bars": bars,
        "top": top,
        "plot_top": plot_top,
        "baseline": plot_top + plot_height,
        "height": plot_top + plot_height + 24,
        "first": rows[0].label if rows else "",
        "last": rows[-1].label if rows else "",
    }


# --- parameters ----------------------------------------------------------------------------------------


def _parse_day(raw: str) -> date:
    if not DATE.fullmatch(raw):
        raise ValueError(raw)
    return date.fromisoformat(raw)


def parse_period(args, today: date) -> tuple[dashboard.Period, str | None]:
    """The requested range, or this month so far with a message saying why the request was not used."""
    default = dashboard.Period(today.replace(day=1), today)
    raw_first, raw_last = args.get("from", "").strip(), args.get("to", "").strip()
    if not raw_first and not raw_last:
        return default, None
    try:
        last = min(_parse_day(raw_last), today) if raw_last else today  # nothing is known after today
        first = _parse_day(raw_first) if raw_first else last.replace(day=1)
    except ValueError:
        return default, _(
            "The dates were not understood (use the format YYYY-MM-DD). Showing this month instead."
        )
    if first > last:
        return default, _("The start date is after the end date. Showing this month instead.")
    if (last - first).days >= MAX_DAYS or first.year < 2000:
        return default, _("Choose a range of at most two years. Showing this month instead.")
    return dashboard.Period(first, last), None


def resolve_scope(raw: str) -> tuple[dashboard.Scope, str | None]:
    """Admins choose any agency or the whole province; everybody else sees their own agency only."""
    if current_user.role == "admin":
        if raw in ("", "all"):
            return dashboard.Scope(None), None
        agency = db.session.scalar(select(Agency).where(Agency.slug == raw[:80]))
        if agency is None:
            return dashboard.Scope(None), _("Unknown agency. Showing the whole province instead.")
        return dashboard.Scope(agency), None
    own = current_user.agency
    if own is None or raw not in ("", own.slug):
        abort(403)
    return dashboard.Scope(own), None


def scope_name(scope: dashboard.Scope) -> str:
    if scope.agency is None:
        return _("Sơn La province")
    return scope.agency.name_en if locale_code() == "en" and scope.agency.name_en else scope.agency.name


def _request_view() -> tuple[View, list[str]]:
    today = local_now().date()
    period, period_error = parse_period(request.args, today)
    scope, scope_error = resolve_scope(request.args.get("agency", "").strip())
    view = build_view(dashboard.build(scope, period))
    return view, [message for message in (period_error, scope_error) if message]


def _query(view: View) -> dict:
    period, scope = view.board.period, view.board.scope
    query = {"from": period.first.isoformat(), "to": period.last.isoformat()}
    if current_user.role == "admin":
        query["agency"] = scope.agency.slug if scope.agency else "all"
    return query


# --- staff views -----------------------------------------------------------------------------------------


@bp.get("/dashboard")
@allow(*SUPERVISORS)
def dashboard_page():
    view, errors = _request_view()
    agencies = (
        db.session.execute(
            select(Agency.slug, Agency.name, Agency.name_en)
            .where(Agency.is_active)
            .order_by(Agency.kind.desc(), Agency.name)
        ).all()
        if current_user.role == "admin"
        else []
    )
    print_view = request.args.get("print") == "1"
    query = _query(view)
    return render_template(
        "staff/dashboard.html",
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
    )


def csv_safe(cell: str) -> str:
    """Spreadsheets run a cell starting with = + - @ (or a tab or CR) as a formula: CSV injection."""
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def csv_rows(view: View, scope_label: str) -> list[list[str]]:
    board = view.board
    rows = [
        [_("Section"), _("Key"), _("Label"), _("Value"), _("Points"), _("Maximum points"), _("Threshold")],
        [_("Scope"), "agency", _("Agency"), scope_label, "", "", ""],
        [_("Scope"), "from", _("From"), board.period.first.isoformat(), "", "", ""],
        [_("Scope"), "to", _("To"), board.period.last.isoformat(), "", "", ""],
    ]
    for row in view.figures:
        rows.append([_("Figures"), row.key, row.label, row.value.plain(), "", "", ""])
    for _group, _label, lines, total in view.indicators:
        for row in lines:
            rows.append(
                [
                    _("Decision 766 indicators"),
                    row.key,
                    row.label,
                    row.value.plain(),
                    row.points.plain() if row.points else "",
                    row.max_points.plain() if row.max_points else "",
                    row.threshold.plain() if row.threshold else "",
                ]
            )
        rows.append(
            [
                _("Group totals"),
                total.key,
                total.label,
                "",
                total.points.plain(),
                total.max_points.plain(),
                "",
            ]
        )
    rows.append(
        [
            _("Group totals"),
            "total",
            view.total.label,
            "",
            view.total.points.plain(),
            view.total.max_points.plain(),
            "",
        ]
    )
    for row in view.series:
        rows.append(
            [
                _("Dossiers received per day")
                if board.received_by == "day"
                else _("Dossiers received per month"),
                row.key,
                row.label,
                row.value.plain(),
                "",
                "",
                "",
            ]
        )
    return [[csv_safe(str(cell)) for cell in row] for row in rows]


@bp.get("/dashboard.csv")
@allow(*SUPERVISORS)
def export_csv():
    view, _errors = _request_view()
    label = scope_name(view.board.scope)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(csv_rows(view, label))
    period, scope = view.board.period, view.board.scope
    name = f"dashboard-{scope.agency.slug if scope.agency else 'province'}-{period.first}-{period.last}.csv"
    # SECURITY.md check 32: who took which figures out of the portal, and when.
    record(
        "agency" if scope.agency else "province",
        scope.agency.id if scope.agency else 0,
        "dashboard_exported",
        actor_id=current_user.id,
        note=f"{period.first}..{period.last} csv",
    )
    db.session.commit()
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- public statistics -----------------------------------------------------------------------------------

# (year-to-date period) -> (monotonic expiry, facts): anonymous visitors cannot make the database count
# the whole province again on every request. Per process; a few minutes old at most.
_PUBLIC_CACHE: dict[tuple[int, dashboard.Period], tuple[float, dashboard.Dashboard]] = {}
_clock = time.monotonic


def public_board(period: dashboard.Period) -> dashboard.Dashboard:
    seconds = current_app.config.get("STATISTICS_CACHE_SECONDS", 0 if current_app.testing else PUBLIC_MAX_AGE)
    # One cache per application; current_app is a LocalProxy, which Flask's stubs type as Flask itself.
    key = (id(current_app._get_current_object()), period)  # type: ignore[attr-defined]  # noqa: SLF001
    cached = _PUBLIC_CACHE.get(key)
    now = _clock()
    if seconds and cached and cached[0] > now:
        return cached[1]
    board = dashboard.build(dashboard.Scope(None), period)
    if seconds:
        _PUBLIC_CACHE.clear()  # one entry: yesterday's period is never asked for again
        _PUBLIC_CACHE[key] = (now + seconds, board)
    return board


@public.get("/statistics")
def statistics():
    """Province-wide figures for the year so far; the same facts as the staff dashboard's province view."""
    today = local_now().date()
    view = build_view(public_board(dashboard.Period(date(today.year, 1, 1), today)))
    period = view.board.period
    by_key = {row.key: row for row in view.figures}
    on_time = next(line for _g, _l, lines, _t in view.indicators for line in lines if line.key == "2.1")
    rows = {**by_key, "on_time_rate": Row("on_time_rate", _("Dossiers handled on time"), on_time.value)}
    response = Response(
        render_template("main/statistics.html", rows=[rows[key] for key in PUBLIC_FIGURES], period=period)
    )
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response.vary.add("Cookie")  # the language may come from the remembered-language cookie
    return response
