from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.dossier_status import DossierStatus as S
from portal.domain.indicators import (
    DEFAULT_TABLE,
    CatalogFacts,
    DossierFacts,
    FeedbackFacts,
    Figures,
    Line,
    Total,
    decimal,
    figures,
    is_overdue,
    percent,
    points,
    rate,
    score,
)
from portal.domain.timeliness import Facts

# One agency over one range; every expected value below is worked out by hand.
DOSSIERS = DossierFacts(
    received=50,
    online_qualifying=20,
    fee_bearing=20,
    paid_online=9,
    digitised=38,
    results_ready=40,
    withdrawn=2,
    processing_days_total=250,
    paper_results=25,
    e_results=15,
    finished_on_time=40,
    finished_late=4,
    open_within_deadline=5,
    open_overdue=1,
    complained=3,
    rated=20,
    satisfied=17,
)
FEEDBACK = FeedbackFacts(
    received=20,
    handled_on_time=14,
    handled_late=2,
    open_within_deadline=3,
    open_overdue=1,
    unsatisfactory=4,
    satisfied=10,
    unsatisfied=2,
)
CATALOG = CatalogFacts(
    procedures=40,
    online_procedures=30,
    fee_procedures=10,
    online_payment_procedures=8,
    paid_online_procedures=6,
)

EXPECTED_LINES = [
    # id, label key, rate, points, max
    ("2.1", "on_time_dossiers", F(9, 10), F(18), F(20)),  # (40+5)/50; no threshold: 0.9 × 20
    ("3.1", "online_procedures", F(3, 4), F(45, 8), F(6)),  # 30/40 < 80%: 0.75 × 6 / 0.8 = 5.625
    ("3.3", "online_dossiers", F(2, 5), F(24, 5), F(6)),  # 20/50 < 50%: 0.4 × 6 / 0.5 = 4.8
    ("3.5", "online_payment_procedures", F(4, 5), F(2), F(2)),  # 8/10 = exactly 80%: full
    ("3.5b", "procedures_paid_online", F(3, 4), F(3, 2), F(2)),  # 6/8 × 2
    ("3.6", "dossiers_paid_online", F(9, 20), F(27, 10), F(6)),  # 9/20 × 6 = 2.7
    ("4.1", "electronic_results", F(3, 5), F(18, 5), F(6)),  # 15/25 × 6 = 3.6
    ("4.2", "digitised_dossiers", F(19, 25), F(19, 5), F(4)),  # 38/50 = 76% < 80%: 0.76 × 4 / 0.8 = 3.8
    ("5.2", "feedback_on_time", F(17, 20), F(51, 10), F(6)),  # (14+3)/20 × 6 = 5.1
    ("5.3", "feedback_satisfaction", F(4, 5), F(24, 5), F(6)),  # (20-4)/20 × 6 = 4.8
    ("5.4", "dossier_satisfaction", F(21, 25), F(28, 5), F(6)),  # (45-3)/50 = 84% < 90%: 0.84 × 6 / 0.9 = 5.6
]


def test_scorecard_lines():
    card = score(DOSSIERS, FEEDBACK, CATALOG)
    assert [(x.id, x.label, x.rate, x.points, x.max_points) for x in card.lines] == EXPECTED_LINES


def test_scorecard_totals():
    card = score(DOSSIERS, FEEDBACK, CATALOG)
    assert card.groups == (
        Total("2", F(18), F(20)),
        Total("3", F(133, 8), F(22)),  # 5.625 + 4.8 + 2 + 1.5 + 2.7 = 16.625
        Total("4", F(37, 5), F(10)),  # 3.6 + 3.8
        Total("5", F(31, 2), F(18)),  # 5.1 + 4.8 + 5.6
    )
    assert card.points == F(2301, 40)  # 57.525
    assert card.max_points == F(70)


def test_default_table_group_maxima():
    # Group 3 (online services) and group 5 (satisfaction) are complete: 22 and 18 points (§7.1).
    assert sum(m for k, (m, _) in DEFAULT_TABLE.items() if k.startswith("3.")) == 22
    assert sum(m for k, (m, _) in DEFAULT_TABLE.items() if k.startswith("5.")) == 18
    assert DEFAULT_TABLE["2.1"] == (20, None)


@pytest.mark.parametrize(
    ("value", "max_points", "threshold", "expected"),
    [
        (F(45, 50), 20, None, F(18)),  # 2.1 has no threshold: rate × 20
        (F(35, 50), 20, None, F(14)),
        (F(1), 20, None, F(20)),
        (F(0), 20, None, F(0)),
        (F(4, 5), 4, F(4, 5), F(4)),  # exactly 80%: full points
        (F(79, 100), 4, F(4, 5), F(79, 20)),  # just below: 0.79 × 4 / 0.8 = 3.95
        (F(399, 500), 4, F(4, 5), F(399, 100)),  # 79.8%: 3.99, never rounded up to full
        (F(81, 100), 4, F(4, 5), F(4)),  # above: capped at the maximum
        (F(1, 2), 6, F(1, 2), F(6)),  # 3.3 at exactly 50%
        (F(49, 100), 6, F(1, 2), F(147, 25)),  # 0.49 × 6 / 0.5 = 5.88
        (F(9, 10), 6, F(9, 10), F(6)),  # 5.4 at exactly 90%
        (F(89, 100), 6, F(9, 10), F(89, 15)),  # 0.89 × 6 / 0.9 = 5.933…
        (None, 6, F(4, 5), None),  # not applicable
    ],
)
def test_points_rule(value, max_points, threshold, expected):
    assert points(value, max_points, threshold) == expected


def test_rate_with_no_denominator_is_not_applicable():
    assert rate(0, 0) is None
    assert rate(3, 4) == F(3, 4)
    assert rate(0, 5) == F(0)


def test_threshold_edge_through_score():
    exactly = score(DossierFacts(received=100, digitised=80), FeedbackFacts(), CatalogFacts())
    below = score(DossierFacts(received=100, digitised=79), FeedbackFacts(), CatalogFacts())
    line = {x.id: x for x in exactly.lines}["4.2"]
    assert (line.rate, line.points) == (F(4, 5), F(4))
    line = {x.id: x for x in below.lines}["4.2"]
    assert (line.rate, line.points) == (F(79, 100), F(79, 20))


def test_zero_denominators_are_left_out_of_totals_and_maxima():
    catalog = CatalogFacts(procedures=40, online_procedures=30)  # no fee-bearing procedures
    card = score(DOSSIERS, FEEDBACK, catalog)
    by_id = {x.id: x for x in card.lines}
    assert by_id["3.5"] == Line("3.5", "online_payment_procedures", None, None, F(2))
    assert by_id["3.5b"] == Line("3.5b", "procedures_paid_online", None, None, F(2))
    assert card.groups[1] == Total("3", F(105, 8), F(18))  # 5.625 + 4.8 + 2.7 = 13.125, of 6 + 6 + 6
    assert card.points == F(2301, 40) - F(2) - F(3, 2)
    assert card.max_points == F(66)


def test_nothing_applicable():
    card = score(DossierFacts(), FeedbackFacts(), CatalogFacts())
    assert all(x.rate is None and x.points is None for x in card.lines)
    assert [(t.group, t.points, t.max_points) for t in card.groups] == [
        ("2", 0, 0),
        ("3", 0, 0),
        ("4", 0, 0),
        ("5", 0, 0),
    ]
    assert (card.points, card.max_points) == (0, 0)


def test_changing_the_table_changes_the_score():
    # The other reading of the 12 online points: all to 3.1 (3.3 dropped).
    table = {k: v for k, v in DEFAULT_TABLE.items() if k != "3.3"} | {"3.1": (12, F(4, 5))}
    card = score(DOSSIERS, FEEDBACK, CATALOG, table=table)
    by_id = {x.id: x for x in card.lines}
    assert "3.3" not in by_id
    assert by_id["3.1"].points == F(45, 4)  # 0.75 × 12 / 0.8 = 11.25
    assert card.groups[1] == Total("3", F(349, 20), F(22))  # 11.25 + 2 + 1.5 + 2.7 = 17.45
    assert card.points == F(2301, 40) - F(133, 8) + F(349, 20)
    # A threshold for 2.1 changes its points too.
    assert score(DOSSIERS, FEEDBACK, CATALOG, table={"2.1": (20, F(4, 5))}).points == F(20)
    assert DEFAULT_TABLE["3.1"] == (6, F(4, 5))  # the default is untouched


def test_table_with_an_unknown_indicator_is_refused():
    with pytest.raises(ValueError, match="5.1"):
        score(DOSSIERS, FEEDBACK, CATALOG, table={**DEFAULT_TABLE, "5.1": (5, None)})
    with pytest.raises(TypeError):
        DEFAULT_TABLE["2.1"] = (10, None)  # type: ignore[index]


def test_dashboard_figures():
    assert figures(DOSSIERS, FEEDBACK) == Figures(
        received=50,
        handled=50,  # 2.1's population: 40 + 4 + 5 + 1
        processed=44,  # ended: 40 on time + 4 late (it was 40 reached 9 + 2 withdrawn = 42 beside them)
        on_time=40,
        late=4,
        open_within=5,
        overdue_now=1,
        online_submission_share=F(2, 5),  # 20/50: indicator 3.3's rate (it said 30/50 beside it)
        online_payment_share=F(9, 20),  # 9/20
        digitised_share=F(19, 25),  # 38/50
        average_processing_days=F(25, 4),  # 250/40 = 6.25 working days
        feedback_received=20,
        feedback_on_time_share=F(17, 20),  # (14+3)/20
        dossier_satisfaction=F(17, 20),  # 17/20
        feedback_satisfaction=F(5, 6),  # 10/(10+2)
    )


def test_dashboard_figures_without_data():
    empty = figures(DossierFacts(), FeedbackFacts())
    assert (empty.received, empty.processed, empty.overdue_now) == (0, 0, 0)
    assert empty.online_submission_share is None
    assert empty.average_processing_days is None
    assert empty.feedback_on_time_share is None
    assert empty.feedback_satisfaction is None


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (F(2, 3), 1, Decimal("66.7")),
        (F(1, 8), 1, Decimal("12.5")),
        (F(1, 800), 1, Decimal("0.1")),  # 0.125% rounds half-up
        (F(1, 1000), 1, Decimal("0.1")),
        (F(1, 2001), 1, Decimal("0.0")),
        (F(1), 0, Decimal("100")),
        (None, 1, None),
    ],
)
def test_percent(value, places, expected):
    result = percent(value, places)
    assert result == expected and str(result) == str(expected)


def test_decimal():
    assert str(decimal(F(45, 8))) == "5.63"  # 5.625 half-up
    assert str(decimal(F(2301, 40), 1)) == "57.5"
    assert str(decimal(F(-1, 8), 2)) == "-0.13"
    assert decimal(None) is None


@pytest.mark.parametrize(
    "build",
    [
        lambda: DossierFacts(received=-1),
        lambda: DossierFacts(received=5, online_qualifying=6),
        lambda: DossierFacts(results_ready=2, paper_results=3),
        lambda: DossierFacts(finished_on_time=1, open_within_deadline=1, complained=3),
        lambda: DossierFacts(rated=2, satisfied=3),
        lambda: FeedbackFacts(received=1, unsatisfactory=2),
        lambda: CatalogFacts(procedures=3, fee_procedures=2, online_payment_procedures=3),
        lambda: CatalogFacts(procedures=3, online_procedures=4),
    ],
)
def test_inconsistent_facts_are_refused(build):
    with pytest.raises(ValueError):
        build()


def test_complained_may_fill_the_on_time_dossiers():
    facts = DossierFacts(finished_on_time=1, open_within_deadline=1, complained=2, finished_late=2, rated=2)
    line = {x.id: x for x in score(facts, FeedbackFacts(), CatalogFacts()).lines}["5.4"]
    assert (line.rate, line.points) == (F(0), F(0))  # 100% − (2/4 late + 2/4 complained)


# --- 5.4 without ratings: no data (issue 11 item 7) ---------------------------------------------------


def test_5_4_has_no_data_until_a_dossier_is_rated():
    """DOSSIERS without its ratings: 5.4 used to repeat 2.1's on-time share, (40+5−3)/50 = 84% → 5.6 points;
    with no rating it has no data: no rate, no points, and its 6 points leave group 5's maximum."""
    facts = replace(DOSSIERS, rated=0, satisfied=0, complained=0)
    card = score(facts, FEEDBACK, CATALOG)
    line = {x.id: x for x in card.lines}["5.4"]
    assert (line.rate, line.points, line.max_points, line.no_data) == (None, None, F(6), True)
    # group 5 = 5.2 (5.1) + 5.3 (4.8) = 9.9 of 12; overall 57.525 − 5.6 = 51.925 of 64
    assert card.groups[3] == Total("5", F(99, 10), F(12))
    assert (card.points, card.max_points) == (F(2077, 40), F(64))
    assert figures(facts, FEEDBACK).dossier_satisfaction is None


def test_5_3_has_no_data_until_a_report_answer_is_rated():
    """A range with reports but no rating of an answer: 5.3 used to be its deficit formula alone,
    (20 − 3 late)/20 = 85% → 5.1 points, shown beside the dashboard's own "feedback satisfaction: no data"
    (a leader saw full marks for satisfaction nobody gave). Without a rating it has no data, as 5.4: no rate,
    no points, and its 6 points leave group 5's maximum."""
    facts = replace(FEEDBACK, unsatisfactory=3, satisfied=0, unsatisfied=0)  # the 3 late ones only
    card = score(DOSSIERS, facts, CATALOG)
    line = {x.id: x for x in card.lines}["5.3"]
    assert (line.rate, line.points, line.max_points, line.no_data) == (None, None, F(6), True)
    # group 5 = 5.2 (5.1) + 5.4 (5.6) = 10.7 of 12; overall 57.525 − 4.8 = 52.725 of 64
    assert card.groups[3] == Total("5", F(107, 10), F(12))
    assert (card.points, card.max_points) == (F(2109, 40), F(64))
    assert figures(DOSSIERS, facts).feedback_satisfaction is None


def test_5_3_with_one_rating_uses_its_formula():
    """One rating is data: 5.3 is then its formula over the reports received, (20 − 4)/20 = 80% → 4.8."""
    facts = replace(FEEDBACK, satisfied=0, unsatisfied=1)
    line = {x.id: x for x in score(DOSSIERS, facts, CATALOG).lines}["5.3"]
    assert (line.rate, line.points, line.no_data) == (F(4, 5), F(24, 5), False)


def test_5_4_with_ratings_uses_them():
    """One rating is data: 100% − (late share + disliked share) over the 2.1 population. Facts: 8 on time,
    1 late, 1 open within; 2 ratings, one "not satisfied" on an on-time dossier → (8+1−1)/10 = 80% < 90%:
    0.8 × 6 / 0.9 = 16/3 points."""
    facts = DossierFacts(
        finished_on_time=8, finished_late=1, open_within_deadline=1, complained=1, rated=2, satisfied=1
    )
    line = {x.id: x for x in score(facts, FeedbackFacts(), CatalogFacts()).lines}["5.4"]
    assert (line.rate, line.points, line.no_data) == (F(4, 5), F(16, 3), False)
    assert figures(facts, FeedbackFacts()).dossier_satisfaction == F(1, 2)


# --- the dashboard's counts: one definition each (issue 11 item 8) --------------------------------------


@given(
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(0, 50),
    st.integers(0, 50),
)
@settings(max_examples=200)
def test_figures_never_contradict_each_other(on_time, late, within, overdue, ready, withdrawn):
    facts = DossierFacts(
        finished_on_time=on_time,
        finished_late=late,
        open_within_deadline=within,
        open_overdue=overdue,
        results_ready=ready,
        withdrawn=withdrawn,
        paper_results=ready,
    )
    shown = figures(facts, FeedbackFacts())
    assert shown.processed == shown.on_time + shown.late
    assert shown.handled == shown.processed + shown.open_within + shown.overdue_now
    assert shown.on_time <= shown.processed and shown.late <= shown.processed
    line = {x.id: x for x in score(facts, FeedbackFacts(), CatalogFacts()).lines}["2.1"]
    assert line.rate == (F(on_time + within, shown.handled) if shown.handled else None)


# --- "overdue": the one definition the queue and the dashboard use (issue 16 item 4) -------------------
# Due Mon 9 March 2026; "today" Wed 11 March unless the row says otherwise.
DUE = date(2026, 3, 9)
TODAY = date(2026, 3, 11)
OVERDUE_ROWS = [
    # processing, today past the due day: overdue
    (Facts(S.PROCESSING, DUE), TODAY, True),
    # processing on the due day itself: not yet (overdue from the day after)
    (Facts(S.PROCESSING, DUE), DUE, False),
    # received, not started, the day after: overdue (the clock runs from the receipt)
    (Facts(S.RECEIVED, DUE), date(2026, 3, 10), True),
    # the reported case: result ready (9) on Fri 6, still at the desk on the 11th: finished on time, never
    # overdue (the queue flagged it from its appointment date)
    (Facts(S.DONE, DUE, finished=date(2026, 3, 6)), TODAY, False),
    # result ready late (Tue 10): late, but ended, so not "overdue now"
    (Facts(S.DONE, DUE, finished=date(2026, 3, 10)), TODAY, False),
    # returned: ended
    (Facts(S.RETURNED, DUE, finished=date(2026, 3, 6), returned=date(2026, 3, 12)), date(2026, 3, 20), False),
    # fee asked Fri 6, before the due day, still unpaid on the 20th: clock stopped, not overdue
    (Facts(S.FEE_REQUESTED, DUE, fee_requested=date(2026, 3, 6)), date(2026, 3, 20), False),
    # fee asked Tue 10, after the due day: it was already overdue when the clock stopped
    (Facts(S.FEE_REQUESTED, DUE, fee_requested=date(2026, 3, 10)), TODAY, True),
    # two supplement requests, now processing again before the due day: already late → overdue
    (Facts(S.PROCESSING, DUE, 2), date(2026, 3, 5), True),
    # waiting for documents asked Thu 5: the request is the end → not overdue, whatever today is
    (Facts(S.SUPPLEMENT_REQUESTED, DUE, 1, waiting_since=date(2026, 3, 5)), date(2026, 4, 1), False),
    # stopped, withdrawn, refused, not yet received: never overdue
    (Facts(S.STOPPED, DUE, stopped=date(2026, 3, 10)), TODAY, False),
    (Facts(S.WITHDRAWN, DUE), TODAY, False),
    (Facts(S.REFUSED, None, refused=date(2026, 3, 2)), TODAY, False),
    (Facts(S.SUBMITTED, None), TODAY, False),
]


@pytest.mark.parametrize(("facts", "today", "expected"), OVERDUE_ROWS)
def test_is_overdue(facts, today, expected):
    assert is_overdue(facts, today) is expected
