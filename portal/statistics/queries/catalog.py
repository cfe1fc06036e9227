"""Catalogue facts (`portal.domain.indicators.CatalogFacts`) of a scope, and the dossiers received per day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import and_, exists, func, select, true

from portal.catalog.models import Procedure
from portal.domain.indicators import CatalogFacts
from portal.dossiers.models import Dossier
from portal.extensions import db
from portal.payments.models import SETTLED, Payment

from .sql import Period, Scope, count_where, in_scope, local_date

# Longer ranges are charted per month instead of per day.
DAILY_CHART_DAYS = 93


def remit(scope: Scope):
    """Procedures a scope receives, as `portal.dossiers.intake.receiving_agency` routes them."""
    agency = scope.agency
    if agency is None:
        return true()
    if agency.kind == "commune":
        return Procedure.level.in_(("commune", "both"))
    if agency.kind == "province":
        return and_(Procedure.level == "province", Procedure.agency_id.is_(None))
    return and_(Procedure.level == "province", Procedure.agency_id == agency.id)


def catalog_facts(scope: Scope, period: Period) -> CatalogFacts:
    P = Procedure  # noqa: N806
    fee = (func.coalesce(P.charge_vnd, 0) + func.coalesce(P.fee_vnd, 0)) > 0
    paid_here = exists().where(
        Dossier.procedure_id == P.id,
        in_scope(Dossier.agency_id, scope),
        exists().where(
            Payment.dossier_id == Dossier.id,
            Payment.method == "transfer",
            Payment.paid_at >= period.start,
            Payment.paid_at < period.end,
            Payment.status.in_(SETTLED),
        ),
    )
    row = db.session.execute(
        select(
            count_where(true()),
            count_where(P.online_level.in_(("full", "partial"))),
            count_where(fee),
            # Approximation: every fee-bearing procedure takes VietQR payments (3.5).
            count_where(fee),
            count_where(and_(fee, paid_here)),
        ).where(P.is_active, remit(scope))
    ).one()
    return CatalogFacts(
        procedures=row[0],
        online_procedures=row[1],
        fee_procedures=row[2],
        online_payment_procedures=row[3],
        paid_online_procedures=row[4],
    )


def received_series(scope: Scope, period: Period) -> tuple[str, tuple[tuple[date, int], ...]]:
    """Dossiers received per local day (per month for long ranges), every bucket present, zeros included."""
    day = local_date(Dossier.received_at).label("day")
    counts: dict[date, int] = defaultdict(int)
    for value, count in db.session.execute(
        select(day, func.count())
        .where(
            in_scope(Dossier.agency_id, scope),
            Dossier.received_at >= period.start,
            Dossier.received_at < period.end,
        )
        .group_by(day)
    ):
        value = value if isinstance(value, date) else date.fromisoformat(str(value))
        counts[value] += count
    if period.days <= DAILY_CHART_DAYS:
        days = [period.first + timedelta(days=offset) for offset in range(period.days)]
        return "day", tuple((d, counts.get(d, 0)) for d in days)
    months: dict[date, int] = {}
    cursor = period.first.replace(day=1)
    while cursor <= period.last:
        months[cursor] = 0
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    for value, count in counts.items():
        months[value.replace(day=1)] += count
    return "month", tuple(months.items())
