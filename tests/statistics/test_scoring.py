"""Decision 766 scoring on the dashboard (issue 11 items 6–8) and the one "overdue" (issue 16 item 4).

* 5.4 from the citizens' dossier ratings, against a hand-worked table (the March scenario of
  test_dashboard.py with four ratings added);
* the dashboard's counts never contradict each other: identities checked with hypothesis on random
  dossiers of every status, through the real queries (SQLite and PostgreSQL, whichever the suite runs on);
* the queue's overdue set is the dashboard's and the domain rule's, dossier by dossier, on random data.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.calendar.queries import local_now
from portal.catalog.models import Procedure
from portal.domain import dossier_rating
from portal.domain.dossier_status import DossierStatus as S
from portal.domain.indicators import is_overdue
from portal.dossiers.deadlines import facts_of
from portal.dossiers.models import Dossier, DossierRating
from portal.events.models import Event
from portal.extensions import db
from portal.staff.queries import QueueFilter, queue_page
from portal.statistics import dashboard
from portal.statistics.queries.dossiers import dossier_ids
from tests.statistics.test_dashboard import MARCH, at, expected, march_scenario, page
from tests.statistics.test_timeliness_agreement import DAYS, make

# --- 5.4 from ratings, worked by hand ---------------------------------------------------------------------
# The March scenario (test_dashboard.py): on time A, C, G, I, K = 5; late B, D = 2; open within F = 1;
# overdue E, H = 2. B and K are marked returned (A already is) so their applicants may rate, and C too:
#   A (on time) rated "not satisfied" on Fri 20 March  → a dislike of an on-time dossier: complained 1
#   K (on time) rated "satisfied" on Sat 21 March
#   B (late) rated "not satisfied" on Sun 22 March     → late already: not counted again (5.4)
#   C rated "very satisfied" on Thu 2 April            → after the range: not in March's ratings
# rated = 3 (A, K, B), satisfied = 1 (K) → dossier satisfaction 1/3 = 33.3%.
# 5.4 = 100% − (late share 2/10 + disliked share 1/10) = (5 + 1 − 1)/10 = 50.0% < 90%
#     → 0.5 × 6 / 0.9 = 3.333 points.
# Group 5 = 5.2 3.6 + 5.3 8/3 + 5.4 10/3 = 9.6 of 18; total = 12 + 15.722 + 7.1 + 9.6 = 44.422 of 70.
RATINGS = {  # number → (overall, when)
    1: ("unsatisfied", at(3, 20)),
    11: ("satisfied", at(3, 21)),
    2: ("unsatisfied", at(3, 22)),
    3: ("very_satisfied", at(4, 2)),
}
RATED_FIGURES = {
    "received": "10",
    "handled": "10",
    "processed": "7",
    "on_time": "5",
    "late": "2",
    "open_within": "1",
    "overdue_now": "2",
    "dossier_satisfaction": "33.3%",  # 1/3
}
RATED_INDICATORS = {
    "2.1": ("60.0%", "12.00 / 20"),  # unchanged by ratings: (5+1)/10 × 20
    "5.4": ("50.0%", "3.33 / 6"),
}
RATED_TOTALS = {"group-5": "9.60 / 18", "total": "44.42 / 70"}


def rate_march() -> Agency:
    agency = march_scenario()
    for number, (overall, when) in RATINGS.items():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == f"TEST-{number:04d}"))
        assert dossier is not None
        if dossier.status != S.RETURNED:
            dossier.status, dossier.returned_at = S.RETURNED.value, dossier.finished_at + timedelta(days=1)
        db.session.add(
            DossierRating(dossier_id=dossier.id, overall=overall, reason="", scores="-" * 9, rated_at=when)
        )
    db.session.flush()
    return agency


def test_ratings_feed_5_4_as_worked_by_hand(app, client, login):
    rate_march()
    login("admin")
    values = page(client, MARCH)
    wanted = expected(RATED_FIGURES, RATED_INDICATORS, RATED_TOTALS)
    assert {key: values.get(key) for key in wanted} == wanted


def test_ratings_facts_and_a_range_before_any_rating(app):
    agency = rate_march()
    march = dashboard.build(dashboard.Scope(agency), dashboard.Period(date(2026, 3, 1), date(2026, 3, 31)))
    facts = march.dossiers
    assert (facts.rated, facts.satisfied, facts.complained) == (3, 1, 1)
    # 1–15 March: no rating yet → 5.4 no data, no points, out of the maximum (it used to repeat 2.1)
    early = dashboard.build(dashboard.Scope(agency), dashboard.Period(date(2026, 3, 1), date(2026, 3, 15)))
    line = {x.id: x for x in early.scorecard.lines}["5.4"]
    assert (line.no_data, line.rate, line.points) == (True, None, None)
    assert early.scorecard.max_points == 64


def test_no_data_is_translated(app, client, login):
    march_scenario()
    login("admin")
    body = client.get(f"/staff/dashboard?lang=vi&{MARCH}").get_data(as_text=True)
    assert 'data-key="5.4">Chưa có dữ liệu<' in body
    assert "Hồ sơ đã xử lý: kết thúc trong kỳ" in body  # the counts' definitions, under the figures


# --- random dossiers, through the real queries ---------------------------------------------------------------


def _random_dossiers(rng: random.Random, count: int, now: datetime):
    agencies = db.session.scalars(
        select(Agency).where(Agency.admin_unit_code.is_not(None)).order_by(Agency.id).limit(3)
    ).all()
    procedure = db.session.scalars(select(Procedure).order_by(Procedure.id).limit(1)).one()
    made = [make(rng, number, rng.choice(agencies), procedure, now) for number in range(count)]
    db.session.add_all([dossier for dossier, _ in made])
    db.session.flush()
    for dossier, event_at in made:
        if event_at is not None:
            action = {S.STOPPED: "stop", S.REFUSED: "refuse"}.get(S(dossier.status), "withdraw")
            db.session.add(
                Event(subject_type="dossier", subject_id=dossier.id, action=action, occurred_at=event_at)
            )
        if dossier.status == S.RETURNED and dossier.returned_at and rng.random() < 0.6:
            rated_at = dossier.returned_at + (now - dossier.returned_at) * rng.random()
            db.session.add(
                DossierRating(
                    dossier_id=dossier.id,
                    overall=rng.choice(list(dossier_rating.Overall)).value,
                    reason="Lý do",
                    scores="-" * 9,
                    rated_at=rated_at,
                )
            )
    db.session.flush()
    return agencies, [dossier for dossier, _ in made]


COUNTS = ("received", "results_ready", "withdrawn", "finished_on_time", "finished_late")
COUNTS += ("open_within_deadline", "open_overdue", "complained", "rated", "satisfied")
SLOW = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check_identities(board: dashboard.Dashboard) -> None:
    shown, d = board.figures, board.dossiers
    assert shown.processed == shown.on_time + shown.late  # "processed 1 beside on time 2" cannot happen
    assert shown.handled == shown.processed + shown.open_within + shown.overdue_now
    assert shown.on_time == d.finished_on_time and shown.overdue_now == d.open_overdue
    assert d.results_ready <= shown.processed  # every result ready in the range ended in it
    lines = {line.id: line for line in board.scorecard.lines}
    assert lines["2.1"].rate == (
        Fraction(shown.on_time + shown.open_within, shown.handled) if shown.handled else None
    )
    assert lines["5.4"].no_data is (d.rated == 0)
    if d.rated:
        assert lines["5.4"].rate == Fraction(shown.on_time + shown.open_within - d.complained, shown.handled)
        assert shown.dossier_satisfaction == Fraction(d.satisfied, d.rated)
    assert d.complained <= shown.on_time + shown.open_within and d.satisfied <= d.rated


@SLOW
@given(rng=st.randoms(use_true_random=False), count=st.integers(1, 60), back=st.integers(0, 60))
def test_the_dashboards_counts_never_contradict_each_other(app, rng, count, back):
    now = local_now().replace(microsecond=0) - timedelta(minutes=1)
    today = now.date()
    periods = [
        dashboard.Period(today - timedelta(days=DAYS), today),  # ending today
        dashboard.Period(today - timedelta(days=DAYS), today - timedelta(days=back)),  # a past range too
    ]
    savepoint = db.session.begin_nested()
    try:
        agencies = db.session.scalars(
            select(Agency).where(Agency.admin_unit_code.is_not(None)).order_by(Agency.id).limit(3)
        ).all()
        scopes = [dashboard.Scope(None)] + [dashboard.Scope(agency) for agency in agencies]
        before = {
            (scope, period): dashboard.build(scope, period).dossiers for scope in scopes for period in periods
        }
        _random_dossiers(rng, count, now)
        for period in periods:
            boards = {scope: dashboard.build(scope, period) for scope in scopes}
            for board in boards.values():
                _check_identities(board)
            # the province grows by what its agencies grow: no dossier counted twice or lost
            for name in COUNTS:
                grown = [
                    getattr(boards[s].dossiers, name) - getattr(before[(s, period)], name) for s in scopes
                ]
                assert grown[0] == sum(grown[1:]), name
            overdue = dossier_ids("overdue", scopes[0], period)
            assert len(overdue) == boards[scopes[0]].dossiers.open_overdue
    finally:
        savepoint.rollback()


# --- the queue's "Quá hạn" is the dashboard's "overdue now" ---------------------------------------------------


def _queue_dossiers(today: date, overdue: bool) -> dict[int, bool]:
    """Every dossier the (province-wide) queue lists, with its mark; only the marked ones with `overdue`."""
    rows, _next = queue_page(
        QueueFilter(agency_id=None, me=0, kind="dossier", overdue=overdue), today, size=100000
    )
    return {row.id: bool(row.overdue) for row in rows}


@SLOW
@given(rng=st.randoms(use_true_random=False), count=st.integers(1, 60))
def test_the_queues_overdue_set_is_the_dashboards(app, rng, count):
    now = local_now().replace(microsecond=0) - timedelta(minutes=1)
    today = now.date()
    savepoint = db.session.begin_nested()
    try:
        _agencies, made = _random_dossiers(rng, count, now)
        dashboard_set = dossier_ids(
            "overdue", dashboard.Scope(None), dashboard.Period(today - timedelta(days=DAYS), today)
        )
        marked = _queue_dossiers(today, overdue=False)
        filtered = _queue_dossiers(today, overdue=True)
        assert {i for i, late in marked.items() if late} == set(filtered) == dashboard_set
        assert all(filtered.values())
        # and dossier by dossier, the domain's one definition
        for dossier in made:
            assert (dossier.id in dashboard_set) is is_overdue(facts_of(dossier), today), dossier.status
    finally:
        savepoint.rollback()


def test_a_result_ready_on_time_is_not_overdue_in_the_queue(app):
    """Regression (issue 16 item 4): ready (9) on Fri 6 March for a due date of Mon 9, still at the desk:
    the queue marked it "Quá hạn" from its appointment date while the dashboard said 0 overdue."""
    agency = db.session.scalars(select(Agency).where(Agency.admin_unit_code.is_not(None)).limit(1)).one()
    procedure = db.session.scalars(select(Procedure).limit(1)).one()
    today = local_now().date()
    dossier = Dossier(
        code="OVERDUE-9",
        received_day=today - timedelta(days=20),
        sequence=99001,
        link_salt="o" * 32,
        agency_id=agency.id,
        procedure_id=procedure.id,
        channel="counter",
        status=S.DONE.value,
        applicant_name="Người thử",
        id_number="014190000000",
        phone="+84988000000",
        address="Tổ 1",
        admin_unit_code=agency.admin_unit_code,
        consent_version="test",
        received_at=local_now() - timedelta(days=20),
        appointment_on=today - timedelta(days=10),
        original_appointment_on=today - timedelta(days=10),
        finished_at=local_now() - timedelta(days=12),
    )
    db.session.add(dossier)
    db.session.flush()
    assert dossier.queue_due is not None  # still in the queue: the result waits at the desk
    assert _queue_dossiers(today, overdue=False)[dossier.id] is False
    assert dossier.id not in _queue_dossiers(today, overdue=True)
