"""The dashboard's on-time SQL and the dossier page's `timeliness()` are one Decision 766 rule.

A seeded generator makes a few hundred dossiers for three agencies: random receipt moments (any hour, so
the local-date conversion of SQLite and PostgreSQL is exercised around midnight), appointment dates,
statuses, finish and return moments, closed supplement pauses and open waits. For each dossier
`portal.dossiers.deadlines.timeliness` gives its verdict; the dashboard's counts (finished on time,
finished late, open within the deadline, open overdue) per agency and for the province must grow by
exactly the verdicts' tally.

Where the two rules look at different things the generator stays inside what both define, and says so:
* the dashboard counts a dossier waiting for documents (5) as ended at that request; `timeliness()` calls
  it on time unless it had more than one request. They agree when a single request came by the due date;
  a first request after the due date is "late" on the dashboard and "on time" on the dossier page;
* a dossier waiting for its fee (6) is overdue on the dashboard if it already was when the fee was
  requested; `timeliness()` never calls it overdue (its clock is stopped). They agree for fee requests
  made by the due date;
* an open dossier with more than one supplement request is "late" for `timeliness()` but within/overdue by
  date on the dashboard (the request count matters only once it ended), so open ones get at most one;
* withdrawn (7), stopped (8) and refused (3) dossiers are outside the dashboard's rule or the page's;
  none is generated.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.calendar.queries import LOCAL_TZ, local_now
from portal.catalog.models import Procedure
from portal.domain.dossier_status import DossierStatus as S
from portal.dossiers.deadlines import timeliness
from portal.dossiers.models import Dossier, DossierPause
from portal.extensions import db
from portal.statistics import dashboard

DOSSIERS = 250
DAYS = 120
FIELDS = {
    "on_time": "finished_on_time",
    "late": "finished_late",
    "within": "open_within_deadline",
    "overdue": "open_overdue",
}


def between(rng: random.Random, first: datetime, last: datetime) -> datetime:
    moment = first + (last - first) * rng.random()
    return moment.replace(microsecond=0)


def closed_pauses(rng: random.Random, count: int, first: datetime, last: datetime, reason="supplement"):
    moments = sorted(between(rng, first, last) for _ in range(2 * count))
    return [(reason, moments[i], moments[i + 1]) for i in range(0, 2 * count, 2)]


def end_of(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), LOCAL_TZ)


def make(rng: random.Random, number: int, agency: Agency, procedure: Procedure, now: datetime) -> Dossier:
    received = between(rng, now - timedelta(days=DAYS - 1), now - timedelta(hours=2))
    due = received.date() + timedelta(days=rng.randint(0, 30))
    status = rng.choice(
        [S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.FEE_REQUESTED, S.DONE, S.RETURNED]
    )
    finished = returned = None
    if status in (S.DONE, S.RETURNED):
        finished = between(rng, received, now)
        # often in the night around the due date, where a UTC date and the local date differ
        night = datetime.combine(
            due + timedelta(days=rng.choice([0, 1])), time(rng.choice([0, 3, 6, 17, 20, 23]), 30), LOCAL_TZ
        )
        if rng.random() < 0.4 and received <= night <= now:
            finished = night
        returned = between(rng, finished, now) if status == S.RETURNED else None
        pauses = closed_pauses(rng, rng.choice([0, 0, 1, 1, 2, 3]), received, finished)
        pauses += closed_pauses(rng, rng.choice([0, 1]), received, finished, reason="fee")
    elif status == S.SUPPLEMENT_REQUESTED:
        earlier = rng.choice([0, 0, 1, 2])
        # a single request by the due date (see the module's docstring); after earlier ones, any time
        latest = now if earlier else min(now, end_of(due))
        requested = between(rng, received, latest)
        pauses = closed_pauses(rng, earlier, received, requested) + [("supplement", requested, None)]
    elif status == S.FEE_REQUESTED:
        requested = between(rng, received, min(now, end_of(due)))
        pauses = closed_pauses(rng, rng.choice([0, 1]), received, requested) + [("fee", requested, None)]
    else:
        pauses = closed_pauses(rng, rng.choice([0, 0, 1]), received, now)
    dossier = Dossier(
        code=f"RND-{number:05d}",
        received_day=received.date(),
        sequence=90000 + number,
        link_salt="r" * 32,
        agency_id=agency.id,
        procedure_id=procedure.id,
        channel="counter",
        status=status.value,
        applicant_name="Người thử",
        id_number="014190000000",
        phone="+84988000000",
        address="Tổ 1",
        admin_unit_code=agency.admin_unit_code,
        consent_version="test",
        submitted_at=received,
        received_at=received,
        appointment_on=due,
        original_appointment_on=due,
        finished_at=finished,
        returned_at=returned,
    )
    for reason, started, resumed in pauses:
        dossier.pauses.append(DossierPause(reason=reason, started_at=started, resumed_at=resumed))
    return dossier


def dashboard_kind(dossier: Dossier, today: date) -> str:
    """Where the dashboard counts the dossier, from `timeliness()`'s verdict.

    Ended: it reached its result, or it waits for documents (the 2.1 population's rule); early counts as
    on time. Open: on time is within the deadline.
    """
    verdict = timeliness(dossier, today)
    if dossier.finished_at is not None or dossier.status == S.SUPPLEMENT_REQUESTED:
        return {"early": "on_time", "on_time": "on_time", "late": "late"}[verdict]
    return {"on_time": "within", "overdue": "overdue"}[verdict]


def counts(scope: dashboard.Scope, period: dashboard.Period) -> dict[str, int]:
    facts = dashboard.dossier_facts(scope, period)
    return {kind: getattr(facts, name) for kind, name in FIELDS.items()}


@pytest.mark.parametrize("seed", [766, 2024, 15])
def test_dashboard_counts_equal_timeliness_dossier_by_dossier(app, seed):
    rng = random.Random(seed)
    agencies = db.session.scalars(
        select(Agency).where(Agency.admin_unit_code.is_not(None)).order_by(Agency.id).limit(3)
    ).all()
    procedure = db.session.scalars(select(Procedure).order_by(Procedure.id).limit(1)).one()
    now = local_now().replace(microsecond=0) - timedelta(minutes=1)
    today = now.date()
    period = dashboard.Period(today - timedelta(days=DAYS), today)
    scopes = [dashboard.Scope(None)] + [dashboard.Scope(agency) for agency in agencies]
    before = {scope: counts(scope, period) for scope in scopes}

    made = [make(rng, number, rng.choice(agencies), procedure, now) for number in range(DOSSIERS)]
    db.session.add_all(made)
    db.session.flush()

    expected = {scope: dict.fromkeys(FIELDS, 0) for scope in scopes}
    for dossier in made:
        kind = dashboard_kind(dossier, today)
        expected[scopes[0]][kind] += 1
        expected[next(s for s in scopes if s.agency_id == dossier.agency_id)][kind] += 1
    # every bucket is reached, so an always-"on time" rule cannot pass
    assert all(expected[scopes[0]].values()), expected[scopes[0]]
    for scope in scopes:
        after = counts(scope, period)
        grown = {kind: after[kind] - before[scope][kind] for kind in FIELDS}
        assert grown == expected[scope], (scope.agency.slug if scope.agency else "province", seed)
