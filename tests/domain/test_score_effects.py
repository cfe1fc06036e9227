"""portal.domain.score_effects: each item's Decision 766 effect, table-tested with hand-worked dates.

Today is Wed 2 December 2026; its week ends on Sun 6 December. The calendar has no holidays in that fortnight
(a plain Monday–Friday week), so Thu 3 = 1 working day left, Fri 4 = 2, Mon 7 = 3 (next week).
"""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain import timeliness as rule
from portal.domain.dossier_status import DossierStatus as S
from portal.domain.score_effects import (
    DossierItem,
    Effect,
    FeedbackItem,
    costs_this_week,
    dossier_hints,
    feedback_hints,
    week_end,
)
from portal.domain.working_days import Calendar

TODAY = date(2026, 12, 2)
CAL = Calendar(days_off=frozenset())
E = Effect


def d(day: int, month: int = 12) -> date:
    return date(2026, month, day)


def test_the_week_ends_on_sunday():
    assert week_end(TODAY) == d(6)
    assert week_end(d(6)) == d(6)
    assert week_end(d(7)) == d(13)


CASES = [
    # (why, item, expected effects, expected working days left of the first, costs this week)
    ("due Fri 4: 2 working days", DossierItem(rule.Facts(S.PROCESSING, d(4))), [E.DUE_SOON], 2, True),
    ("due today", DossierItem(rule.Facts(S.RECEIVED, d(2))), [E.DUE_SOON], 0, True),
    ("due Mon 7: next week, nothing", DossierItem(rule.Facts(S.PROCESSING, d(7))), [], None, False),
    (
        "due Tue 1, no letter: late without an apology letter",
        DossierItem(rule.Facts(S.PROCESSING, d(1)), appointment=d(1)),
        [E.LATE_WITHOUT_LETTER],
        None,
        True,
    ),
    (
        "due Tue 1, a letter promised Fri 11: still late for 2.1, but not without a letter",
        DossierItem(rule.Facts(S.PROCESSING, d(1)), appointment=d(11)),
        [E.LATE],
        None,
        True,
    ),
    (
        "one supplement request used, due in 2 weeks: a second one would be late",
        DossierItem(rule.Facts(S.PROCESSING, d(16), supplement_requests=1)),
        [E.SECOND_REQUEST_LATE],
        None,
        False,
    ),
    (
        "two supplement requests: late already (2.1), whatever the date",
        DossierItem(rule.Facts(S.PROCESSING, d(16), supplement_requests=2)),
        [E.TOO_MANY_REQUESTS],
        None,
        True,
    ),
    (
        "result ready (9) on time without a result file: fails 4.1",
        DossierItem(rule.Facts(S.DONE, d(4), finished=d(1))),
        [E.NO_E_RESULT],
        None,
        True,
    ),
    (
        "result ready (9) with the e-result: nothing",
        DossierItem(rule.Facts(S.DONE, d(4), finished=d(1)), result_file=True),
        [],
        None,
        False,
    ),
    (
        "fee-bearing procedure without online payment: fails 3.5",
        DossierItem(rule.Facts(S.PROCESSING, d(16)), fee_bearing=True, payable_online=False),
        [E.FEE_NOT_ONLINE],
        None,
        True,
    ),
    (
        "fee requested (6) on Mon 30 Nov, due Fri 11: not paid online yet (3.6)",
        DossierItem(rule.Facts(S.FEE_REQUESTED, d(11), fee_requested=d(30, 11)), fee_bearing=True),
        [E.FEE_NOT_PAID_ONLINE],
        None,
        False,
    ),
    (
        "fee requested after the due date: overdue (2.1), the clock is not running so no letter hint",
        DossierItem(rule.Facts(S.FEE_REQUESTED, d(30, 11), fee_requested=d(1)), fee_bearing=True),
        [E.LATE, E.FEE_NOT_PAID_ONLINE],
        None,
        True,
    ),
    (
        "waiting for documents (5): the clock is paused, the request ends it for 2.1: nothing",
        DossierItem(rule.Facts(S.SUPPLEMENT_REQUESTED, d(4), supplement_requests=1, waiting_since=d(1))),
        [],
        None,
        False,
    ),
    (
        "submitted online, not received (1): nothing",
        DossierItem(rule.Facts(S.SUBMITTED, None)),
        [],
        None,
        False,
    ),
]


@pytest.mark.parametrize(("why", "item", "effects", "days", "costs"), CASES, ids=[c[0] for c in CASES])
def test_dossier_effects(why, item, effects, days, costs):
    hints = dossier_hints(item, TODAY, CAL)
    assert [hint.effect for hint in hints] == effects
    if days is not None:
        assert hints[0].days == days
    assert costs_this_week(hints, TODAY) is costs


def test_a_holiday_is_not_a_working_day_left():
    # Fri 4 December off: due Mon 7 is next week (nothing); due Fri 4 from Wed 2 is 1 working day (Thu 3).
    cal = Calendar(days_off=frozenset({d(4)}))
    (hint,) = dossier_hints(DossierItem(rule.Facts(S.PROCESSING, d(4))), TODAY, cal)
    assert hint.effect is E.DUE_SOON and hint.days == 1


@pytest.mark.parametrize(
    ("item", "effects", "costs"),
    [
        (FeedbackItem(True, d(1)), [E.FEEDBACK_LATE], True),  # due yesterday: late (5.2)
        (FeedbackItem(True, d(2)), [E.FEEDBACK_DUE_SOON], True),  # due today: not late yet
        (FeedbackItem(True, d(6)), [E.FEEDBACK_DUE_SOON], True),
        (FeedbackItem(True, d(7)), [], False),
        (FeedbackItem(True, None), [], False),  # paused (information requested)
        (FeedbackItem(False, d(1)), [], False),  # answered
        # A late answer given as fixed that the citizen reopened: late already (5.2), whatever the new date
        (FeedbackItem(True, d(20), reopened_late=True), [E.FEEDBACK_REOPENED_LATE], True),
        (FeedbackItem(True, d(4), reopened_late=True), [E.FEEDBACK_REOPENED_LATE], True),  # not "due soon"
        (
            FeedbackItem(True, None, reopened_late=True),
            [E.FEEDBACK_REOPENED_LATE],
            True,
        ),  # paused: still late
        (FeedbackItem(True, d(1), reopened_late=True), [E.FEEDBACK_LATE], True),  # past due again: one hint
        (FeedbackItem(False, d(20), reopened_late=True), [], False),  # answered again: out of the queue
        # The first request for information came after its 5 working days: late already (5.2), whatever the
        # answer's date, paused (waiting for the citizen's reply) or not
        (FeedbackItem(True, d(20), info_request_late=True), [E.FEEDBACK_INFO_LATE], True),
        (FeedbackItem(True, d(4), info_request_late=True), [E.FEEDBACK_INFO_LATE], True),  # not "due soon"
        (FeedbackItem(True, None, info_request_late=True), [E.FEEDBACK_INFO_LATE], True),  # paused
        (FeedbackItem(True, d(1), info_request_late=True), [E.FEEDBACK_LATE], True),  # past due: one hint
        (FeedbackItem(True, d(20), True, True), [E.FEEDBACK_REOPENED_LATE], True),  # both: one hint
        (FeedbackItem(False, None, info_request_late=True), [], False),  # answered: out of the queue
    ],
)
def test_feedback_effects(item, effects, costs):
    hints = feedback_hints(item, TODAY, CAL)
    assert [hint.effect for hint in hints] == effects
    assert costs_this_week(hints, TODAY) is costs


def test_every_effect_names_its_indicator():
    from portal.domain.score_effects import INDICATOR

    assert set(INDICATOR) == set(Effect)
