"""Decision 766 indicator 2.1 (portal.domain.timeliness), worked by hand from VIETNAM.md §7.2 row 2.1.

Every row: the legal due date is Mon 9 March 2026; days are local dates. The reasoning is beside each row.
"""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain import timeliness as rule
from portal.domain.dossier_status import DossierStatus as S
from portal.domain.timeliness import Case, Facts, Verdict

DUE = date(2026, 3, 9)
LATER = date(2026, 3, 20)  # "today" when today does not matter


def d(day: int) -> date:
    return date(2026, 3, day)


ROWS = [
    # --- ended: the end is "processed" > "returned" > "stopped" > the unanswered supplement request ---
    # processed Fri 6, before Mon 9: early (on time for the dashboard)
    (Facts(S.DONE, DUE, finished=d(6)), LATER, Case.ENDED_BY_DUE, Verdict.EARLY, "on_time"),
    # processed on the due day itself: on time (end ≤ appointment date)
    (Facts(S.DONE, DUE, finished=d(9)), LATER, Case.ENDED_BY_DUE, Verdict.ON_TIME, "on_time"),
    # processed Tue 10, one day after: late
    (Facts(S.DONE, DUE, finished=d(10)), LATER, Case.ENDED_AFTER_DUE, Verdict.LATE, "late"),
    # early by date, but two supplement requests: "> 1 supplement request = late"
    (Facts(S.DONE, DUE, 2, finished=d(6)), LATER, Case.ENDED_TOO_MANY, Verdict.LATE, "late"),
    # one request is allowed: still early by date
    (Facts(S.DONE, DUE, 1, finished=d(6)), LATER, Case.ENDED_BY_DUE, Verdict.EARLY, "on_time"),
    # processed on the 9th, collected on the 16th: "processed" wins over "returned", on time
    (
        Facts(S.RETURNED, DUE, finished=d(9), returned=d(16)),
        LATER,
        Case.ENDED_BY_DUE,
        Verdict.ON_TIME,
        "on_time",
    ),
    # no "processed" moment recorded: the return (Tue 10) is the end, late
    (Facts(S.RETURNED, DUE, returned=d(10)), LATER, Case.ENDED_AFTER_DUE, Verdict.LATE, "late"),
    # stopped on the due day: the stop is the end, on time
    (Facts(S.STOPPED, DUE, stopped=d(9)), LATER, Case.ENDED_BY_DUE, Verdict.ON_TIME, "on_time"),
    # stopped Wed 11: after the due day, late
    (Facts(S.STOPPED, DUE, stopped=d(11)), LATER, Case.ENDED_AFTER_DUE, Verdict.LATE, "late"),
    # waiting for documents asked on the due day: the unanswered request is the end, on time
    (
        Facts(S.SUPPLEMENT_REQUESTED, DUE, 1, waiting_since=d(9)),
        LATER,
        Case.ENDED_BY_DUE,
        Verdict.ON_TIME,
        "on_time",
    ),
    # the only request came Tue 10, after the due day: it is the end, so late (the page said on time)
    (
        Facts(S.SUPPLEMENT_REQUESTED, DUE, 1, waiting_since=d(10)),
        LATER,
        Case.ENDED_AFTER_DUE,
        Verdict.LATE,
        "late",
    ),
    # the second request, asked early (Thu 5): late by the count, whatever the date
    (
        Facts(S.SUPPLEMENT_REQUESTED, DUE, 2, waiting_since=d(5)),
        LATER,
        Case.ENDED_TOO_MANY,
        Verdict.LATE,
        "late",
    ),
    # --- open: within, overdue, or already late by its requests ---
    # processing on the due day: within (overdue only once today > due)
    (Facts(S.PROCESSING, DUE), DUE, Case.OPEN_WITHIN, Verdict.WITHIN, "within"),
    # processing the day after: overdue
    (Facts(S.PROCESSING, DUE), d(10), Case.RUNNING_PAST_DUE, Verdict.OVERDUE, "overdue"),
    # received, not started, the day after: the clock runs from the receipt, overdue
    (Facts(S.RECEIVED, DUE), d(10), Case.RUNNING_PAST_DUE, Verdict.OVERDUE, "overdue"),
    # processing after two answered requests, before the due day: it can no longer be on time, so it is
    # already late; still open, so counted with the overdue ones (the dashboard judged it by date: within)
    (Facts(S.PROCESSING, DUE, 2), d(6), Case.OPEN_TOO_MANY, Verdict.ALREADY_LATE, "overdue"),
    # fee asked on the due day, still unpaid on the 20th: the clock stopped on the 9th, within
    (Facts(S.FEE_REQUESTED, DUE, fee_requested=d(9)), LATER, Case.OPEN_WITHIN, Verdict.WITHIN, "within"),
    # fee asked Tue 10: the clock had already run past the due day when it stopped, overdue (the page
    # said on time)
    (Facts(S.FEE_REQUESTED, DUE, fee_requested=d(10)), LATER, Case.FEE_AFTER_DUE, Verdict.OVERDUE, "overdue"),
    # fee asked early but after two supplement requests: already late
    (
        Facts(S.FEE_REQUESTED, DUE, 2, fee_requested=d(5)),
        LATER,
        Case.OPEN_TOO_MANY,
        Verdict.ALREADY_LATE,
        "overdue",
    ),
    # a stale open-request date on a dossier no longer in 5 is not an end: processing, judged by date
    (
        Facts(S.PROCESSING, DUE, 1, waiting_since=d(5)),
        d(10),
        Case.RUNNING_PAST_DUE,
        Verdict.OVERDUE,
        "overdue",
    ),
    # --- outside the population ---
    # withdrawn: taken back by the citizen, not judged (the page said on time)
    (Facts(S.WITHDRAWN, DUE), LATER, Case.OUTSIDE, None, None),
    # refused at intake Tue 3 (issue 11 item 6): §7.2 row 2.1 lists "stopped/refused" among the ends, so
    # it is in the population; it was refused before any appointment date existed, nothing promised was
    # missed: on time (a refusal is never "early": there is no due date to be ahead of)
    (Facts(S.REFUSED, None, refused=d(3)), LATER, Case.REFUSED_AT_INTAKE, Verdict.ON_TIME, "on_time"),
    # the same with a due date somehow stored, refused after it: still the refusal rule, on time
    (Facts(S.REFUSED, DUE, refused=d(12)), LATER, Case.REFUSED_AT_INTAKE, Verdict.ON_TIME, "on_time"),
    # refused, but no refusal moment recorded: cannot be placed in any range, not judged
    (Facts(S.REFUSED, None), LATER, Case.OUTSIDE, None, None),
    # a refusal moment on a dossier that is not refused is not read
    (Facts(S.SUBMITTED, None, refused=d(3)), LATER, Case.OUTSIDE, None, None),
    # online, not received yet: a provisional date only, not judged
    (Facts(S.SUBMITTED, None), LATER, Case.OUTSIDE, None, None),
    # no legal due date at all: nothing to compare with
    (Facts(S.PROCESSING, None), LATER, Case.OUTSIDE, None, None),
]


@pytest.mark.parametrize(("facts", "today", "case", "verdict", "bucket"), ROWS)
def test_the_rule_by_hand(facts, today, case, verdict, bucket):
    assert rule.case_of(facts, today) is case
    assert rule.judge(facts, today) == verdict
    assert rule.bucket(facts, today) == bucket


@pytest.mark.parametrize(
    ("facts", "end"),
    [
        (Facts(S.RETURNED, DUE, finished=d(9), returned=d(16)), d(9)),  # processed before returned
        (Facts(S.RETURNED, DUE, returned=d(16)), d(16)),
        (Facts(S.STOPPED, DUE, stopped=d(11), waiting_since=d(5)), d(11)),  # stop before the request
        (Facts(S.DONE, DUE, stopped=d(11)), None),  # a stop moment counts only while stopped
        (Facts(S.SUPPLEMENT_REQUESTED, DUE, waiting_since=d(5)), d(5)),
        (Facts(S.FEE_REQUESTED, DUE, fee_requested=d(5)), None),  # a fee wait is not an end
    ],
)
def test_end_day(facts, end):
    assert rule.end_day(facts) == end


@pytest.mark.parametrize(("count", "late"), [(0, False), (1, False), (2, True), (3, True)])
def test_more_than_one_supplement_request_is_too_many(count, late):
    assert rule.too_many_requests(count) is late


def test_negative_request_counts_are_refused():
    with pytest.raises(ValueError):
        rule.too_many_requests(-1)


def test_every_case_but_outside_has_a_dashboard_count():
    assert set(rule.CASE_BUCKET) == set(rule.CASES) - {Case.OUTSIDE}
    assert set(rule.CASE_BUCKET.values()) == {"on_time", "late", "within", "overdue"}
    # the numerator of 2.1 is on_time + within: no late verdict may land there
    late = {
        Case.ENDED_TOO_MANY,
        Case.ENDED_AFTER_DUE,
        Case.OPEN_TOO_MANY,
        Case.FEE_AFTER_DUE,
        Case.RUNNING_PAST_DUE,
    }
    assert all(rule.CASE_BUCKET[case] in ("late", "overdue") for case in late)
