"""The Decision 766 statistics feed for the provincial operations centre (IOC), version 1: per agency and
day, the same figures and indicator points as the leaders' dashboard (portal.statistics builds them; this
module only lays them out as JSON). No personal data: counts, rates and points only."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.agencies.models import Agency
from portal.extensions import db
from portal.statistics.dashboard import Period, Scope, build
from portal.statistics.view import Row, Value, build_view

FEED_VERSION = "1"


def _number(value: Value | None) -> int | float | None:
    if value is None or value.number is None:
        return None
    return float(value.number) if isinstance(value.number, Decimal) else value.number


def _indicator(row: Row) -> dict:
    return {"rate": _number(row.value), "points": _number(row.points), "max_points": _number(row.max_points)}


def figures_of(scope: Scope, day: date) -> dict:
    view = build_view(build(scope, Period(day, day)))
    indicators = {
        row.key: _indicator(row) for _group, _label, rows, _total in view.indicators for row in rows
    }
    return {
        "figures": {row.key: _number(row.value) for row in view.figures},
        "indicators": indicators,
        "groups": {group: _number(total.points) for group, _label, _rows, total in view.indicators},
        "total_points": _number(view.total.points),
        "max_points": _number(view.total.max_points),
    }


def feed(day: date, agency_id: int | None) -> dict:
    """The agency's figures for the day (agency_id None: every active agency and the province)."""
    statement = select(Agency).where(Agency.is_active).order_by(Agency.code)
    if agency_id is not None:
        statement = statement.where(Agency.id == agency_id)
    agencies = [
        {"code": agency.code, "name": agency.name, **figures_of(Scope(agency), day)}
        for agency in db.session.scalars(statement)
    ]
    body: dict = {"version": FEED_VERSION, "day": day.isoformat(), "agencies": agencies}
    if agency_id is None:
        body["province"] = figures_of(Scope(None), day)
    return body
