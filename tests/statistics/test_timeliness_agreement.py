"""The dashboard's on-time SQL and the dossier page agree on every dossier: one Decision 766 rule.

`portal.domain.timeliness` states indicator 2.1's rule once; the page judges a dossier with it
(`portal.dossiers.deadlines.facts_of` + `judge`) and the dashboard's CASE is built from the same names.
A seeded generator makes a few hundred dossiers for three agencies, of every status 1..10:
* receipts at any hour (so SQLite's and PostgreSQL's local-date conversions are exercised around
  midnight), finish, return and stop moments often in the night around the due date, at local 00:00:00
  and 23:59:59 too;
* supplement requests before and after the due date, answered and unanswered, one or several;
* fee pauses before and after the due date, closed or still waiting;
* stopped (8) and withdrawn (7) dossiers with their events in the log, refused (3) ones without a receipt
  and mostly with their refusal in the log (issue 11 item 6: they are in the population), and not yet
  received (1) ones.
The dashboard's four counts per agency and for the province must grow by exactly the tally of the
per-dossier classification of ALL generated dossiers; nothing is filtered out.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.calendar.queries import LOCAL_TZ, local_now
from portal.catalog.models import Procedure
from portal.domain import timeliness as rule
from portal.domain.dossier_status import DossierStatus as S
from portal.dossiers.deadlines import WORDS, facts_of, timeliness
from portal.dossiers.models import Dossier, DossierPause
from portal.events.models import Event
from portal.extensions import db
from portal.statistics import dashboard

DOSSIERS = 300
DAYS = 120
FIELDS = {
    "on_time": "finished_on_time",
    "late": "finished_late",
    "within": "open_within_deadline",
    "overdue": "open_overdue",
}
NIGHT = [time(0, 0), time(0, 30), time(3, 30), time(6, 59, 59), time(7, 0), time(17, 30), time(23, 59, 59)]


def between(rng: random.Random, first: datetime, last: datetime) -> datetime:
    if last <= first:
        return first
    return (first + (last - first) * rng.random()).replace(microsecond=0)


def near_due(rng: random.Random, due: date, first: datetime, last: datetime) -> datetime:
    """A moment in [first, last], often in the night of the day before, of or after the due date."""
    night = datetime.combine(due + timedelta(days=rng.choice([-1, 0, 0, 1])), rng.choice(NIGHT), LOCAL_TZ)
    if rng.random() < 0.6 and first <= night <= last:
        return night
    return between(rng, first, last)


def closed_pauses(rng: random.Random, count: int, first: datetime, last: datetime, reason: str):
    moments = sorted(between(rng, first, last) for _ in range(2 * count))
    return [(reason, moments[i], moments[i + 1]) for i in range(0, 2 * count, 2)]


def make(rng: random.Random, number: int, agency: Agency, procedure: Procedure, now: datetime):
    """A dossier of a random status, with its pauses and its stop/withdraw event moment (or None)."""
    received = between(rng, now - timedelta(days=DAYS - 1), now - timedelta(hours=2))
    due = received.date() + timedelta(days=rng.randint(0, 30))
    status = S(rng.randint(1, 10))
    appointment, legal = due, due
    finished = returned = event_at = None
    pauses: list[tuple[str, datetime, datetime | None]] = []

    def earlier(last: datetime, supplements=(0, 0, 1, 2, 3)) -> list:
        """Closed supplement and fee pauses between the receipt and `last` (some after the due date)."""
        made = closed_pauses(rng, rng.choice(supplements), received, last, "supplement")
        made += closed_pauses(rng, rng.choice([0, 0, 1]), received, last, "fee")
        return sorted(made, key=lambda pause: pause[1])

    if status in (S.SUBMITTED, S.REFUSED):  # never received: no receipt, no legal due date
        legal = None
        appointment = due if status == S.SUBMITTED else None
        if status == S.REFUSED and rng.random() < 0.85:  # refused at intake (the log has the moment)
            event_at = between(rng, received, now)
    elif status == S.RECEIVED:
        pass
    elif status == S.PROCESSING:
        pauses = earlier(now)
    elif status in (S.SUPPLEMENT_REQUESTED, S.FEE_REQUESTED):
        requested = near_due(rng, due, received, now)
        supplements = (0, 0, 1, 2) if status == S.SUPPLEMENT_REQUESTED else (0, 0, 1, 2, 3)
        reason = "supplement" if status == S.SUPPLEMENT_REQUESTED else "fee"
        pauses = [*earlier(requested, supplements), (reason, requested, None)]
        appointment = None  # unknown until the citizen answers
    elif status in (S.WITHDRAWN, S.STOPPED):
        event_at = near_due(rng, due, received, now)
        pauses = earlier(event_at)
        if rng.random() < 0.3:  # left while waiting for documents: that request stays unanswered
            pauses.append(("supplement", between(rng, pauses[-1][2] if pauses else received, event_at), None))
    else:  # DONE, RETURNED
        finished = near_due(rng, due, received, now)
        pauses = earlier(finished)
        if status == S.RETURNED:
            returned = between(rng, finished, now)
            if rng.random() < 0.15:  # returned without a recorded "processed" moment
                finished = None
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
        received_at=None if legal is None else received,
        appointment_on=appointment,
        original_appointment_on=legal,
        finished_at=finished,
        returned_at=returned,
    )
    for reason, started, resumed in pauses:
        dossier.pauses.append(DossierPause(reason=reason, started_at=started, resumed_at=resumed))
    return dossier, event_at


def counts(scope: dashboard.Scope, period: dashboard.Period) -> dict[str, int]:
    facts = dashboard.dossier_facts(scope, period)
    return {kind: getattr(facts, name) for kind, name in FIELDS.items()}


@pytest.mark.parametrize("seed", [766, 2024, 15])
def test_dashboard_counts_equal_the_rule_dossier_by_dossier(app, seed):
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
    db.session.add_all([dossier for dossier, _ in made])
    db.session.flush()
    for dossier, event_at in made:
        if event_at is not None:
            action = {S.STOPPED: "stop", S.REFUSED: "refuse"}.get(S(dossier.status), "withdraw")
            db.session.add(
                Event(subject_type="dossier", subject_id=dossier.id, action=action, occurred_at=event_at)
            )
    db.session.flush()

    expected = {scope: dict.fromkeys(FIELDS, 0) for scope in scopes}
    cases: Counter[rule.Case] = Counter()
    for dossier, _ in made:
        facts = facts_of(dossier)
        cases[rule.case_of(facts, today)] += 1
        verdict = rule.judge(facts, today)
        # the page shows the same verdict in its words
        assert timeliness(dossier, today) == ("" if verdict is None else WORDS[verdict])
        if verdict is None:
            continue
        kind = rule.BUCKET[verdict]
        expected[scopes[0]][kind] += 1
        expected[next(s for s in scopes if s.agency_id == dossier.agency_id)][kind] += 1
    # every case of the rule is reached, so the comparison covers each branch of the CASE
    assert set(cases) == set(rule.CASES), cases
    for scope in scopes:
        after = counts(scope, period)
        grown = {kind: after[kind] - before[scope][kind] for kind in FIELDS}
        assert grown == expected[scope], (scope.agency.slug if scope.agency else "province", seed)
