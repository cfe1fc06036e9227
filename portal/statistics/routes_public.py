"""/statistics: province-wide figures for the year so far, for everybody, without personal data.

The same facts as the staff dashboard's province view. They are kept in the application's cache
(`portal.extensions.cache`: Redis when REDIS_URL is set, else this process's memory) for a few minutes,
so anonymous visitors cannot make the database count the whole province again on every request.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, current_app, render_template
from flask_babel import gettext as _

from portal.calendar.queries import local_now
from portal.extensions import cache

from . import dashboard
from .view import Row, build_view

public = Blueprint("statistics", __name__, template_folder="templates")
PUBLIC_MAX_AGE = 300  # seconds: the public statistics may be a few minutes old
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


def public_board(period: dashboard.Period) -> dashboard.Dashboard:
    """The province's facts for `period`, from the cache when they are at most a few minutes old."""
    seconds = current_app.config.get("STATISTICS_CACHE_SECONDS", 0 if current_app.testing else PUBLIC_MAX_AGE)
    if not seconds:
        return dashboard.build(dashboard.Scope(None), period)
    key = f"statistics:{period.first.isoformat()}:{period.last.isoformat()}"
    try:
        board = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache that does not answer only costs a fresh count
        current_app.logger.warning("cache unavailable; public statistics counted afresh")
        return dashboard.build(dashboard.Scope(None), period)
    if board is None:
        board = dashboard.build(dashboard.Scope(None), period)
        try:
            cache.set(key, board, timeout=seconds)
        except Exception:  # noqa: BLE001
            current_app.logger.warning("cache unavailable; public statistics not kept")
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
        render_template("statistics/public.html", rows=[rows[key] for key in PUBLIC_FIGURES], period=period)
    )
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    response.vary.add("Cookie")  # the language may come from the remembered-language cookie
    return response
