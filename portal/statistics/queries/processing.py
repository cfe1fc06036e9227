"""Indicator 2.2's processing days of the dossiers finished in a range: the one figure that needs the
working-day calendar, summed in Python over narrow rows (split from dossiers.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from sqlalchemy import select

from portal.calendar.queries import LOCAL_TZ, office_hours
from portal.domain.working_days import Calendar, receipt_day
from portal.dossiers.models import Dossier, DossierPause
from portal.extensions import db

from .sql import Period, Scope, calendar_covering, in_scope


def processing_days(scope: Scope, period: Period) -> int:
    """Indicator 2.2's sum, in Python over the dossiers finished in the range (two narrow queries)."""
    finished = select(Dossier.id).where(
        in_scope(Dossier.agency_id, scope),
        Dossier.finished_at >= period.start,
        Dossier.finished_at < period.end,
        Dossier.received_at.is_not(None),
    )
    rows = db.session.execute(
        select(Dossier.id, Dossier.received_at, Dossier.finished_at).where(Dossier.id.in_(finished))
    ).all()
    if not rows:
        return 0
    pauses: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for dossier_id, started, resumed in db.session.execute(
        select(DossierPause.dossier_id, DossierPause.started_at, DossierPause.resumed_at).where(
            DossierPause.dossier_id.in_(finished),
            DossierPause.reason == "supplement",
            DossierPause.resumed_at.is_not(None),
        )
    ):
        assert resumed is not None  # the query keeps resumed pauses only
        pauses[dossier_id].append((started, resumed))
    local: list[tuple[int, datetime, datetime]] = []
    for dossier_id, received, done in rows:
        assert received is not None and done is not None  # the query keeps received, finished dossiers
        local.append((dossier_id, received.astimezone(LOCAL_TZ), done.astimezone(LOCAL_TZ)))
    cal = calendar_covering([received.date() for _, received, _ in local] + [period.last])
    closing = office_hours().closing
    last = max(period.last, max(done.date() for _, _, done in local))
    between = _working_days_counter(cal, min(received.date() for _, received, _ in local), last)
    total = 0
    for dossier_id, received, done in local:
        # From day 0 of the count (the receipt day, or the next working day after hours) to the day
        # it reached 9, minus the working days the citizen took to complete the dossier.
        days = between(receipt_day(cal, received, closing), done.date())
        waited = sum(
            between(started.astimezone(LOCAL_TZ).date(), resumed.astimezone(LOCAL_TZ).date())
            for started, resumed in pauses[dossier_id]
            if resumed <= done
        )
        total += max(days - waited, 0)
    return total


def _working_days_counter(cal: Calendar, first: date, last: date):
    """`Calendar.working_days_between` in constant time for days in [first, last], from running totals."""
    running, count, day = {}, 0, first
    while day <= last:
        count += cal.is_working_day(day)
        running[day] = count
        day += timedelta(days=1)

    def between(start: date, end: date) -> int:
        if end <= start:
            return 0
        if start in running and end in running:
            return running[end] - running[start]
        return cal.working_days_between(start, end)

    return between
