"""Every (action, status, role) combination of the feedback state machine, allowed or forbidden."""

import itertools

import pytest

from portal.domain.feedback_status import (
    FeedbackAction as A,
)
from portal.domain.feedback_status import (
    FeedbackStatus as S,
)
from portal.domain.feedback_status import (
    InvalidTransition,
    NotPermitted,
    allowed_actions,
    clock_paused,
    is_open,
    may_rate,
    national_bucket,
    next_status,
    unsatisfied_action,
)

STAFF = ("receptionist", "processor", "leader", "agency_admin", "admin")
ROLES = ("citizen", *STAFF)
ANY_STAFF = set(STAFF)

# Written out by hand from the issue, independently of the module's table:
# (action, from status) -> to status; roles allowed for the action.
EXPECTED = {
    (A.ACCEPT, S.NEW): S.ACCEPTED,
    (A.REFUSE, S.NEW): S.REFUSED,
    (A.REFUSE, S.ACCEPTED): S.REFUSED,
    (A.MARK_DUPLICATE, S.NEW): S.REFUSED,
    (A.MARK_DUPLICATE, S.ACCEPTED): S.REFUSED,
    (A.REQUEST_INFO, S.NEW): S.INFO_REQUESTED,
    (A.REQUEST_INFO, S.ACCEPTED): S.INFO_REQUESTED,
    (A.SUPPLY_INFO, S.INFO_REQUESTED): S.ACCEPTED,
    (A.FORWARD, S.NEW): S.NEW,
    (A.FORWARD, S.ACCEPTED): S.NEW,
    (A.ASSIGN, S.NEW): S.NEW,
    (A.ASSIGN, S.ACCEPTED): S.ACCEPTED,
    (A.ASSIGN, S.INFO_REQUESTED): S.INFO_REQUESTED,
    (A.ANSWER, S.ACCEPTED): S.ANSWERED,
    **{(A.NOTE, status): status for status in S},
    (A.CLOSE, S.ANSWERED): S.CLOSED,
    (A.REOPEN, S.ANSWERED): S.ACCEPTED,
    (A.REOPEN, S.CLOSED): S.ACCEPTED,
    (A.REOPEN, S.REFUSED): S.ACCEPTED,
    (A.RATE_SATISFIED, S.ANSWERED): S.CLOSED,
    (A.RATE_UNSATISFIED, S.ANSWERED): S.ACCEPTED,
    (A.RATE_UNSATISFIED_FINAL, S.ANSWERED): S.CLOSED,
    # The "is it fixed?" question: a reply is recorded in any status; a "not fixed" reopens an answered
    # or closed item.
    **{(A.FIX_CONFIRMED, status): status for status in S},
    **{(A.FIX_DENIED_FINAL, status): status for status in S},
    **{(A.FIX_UNANSWERED, status): status for status in S},
    **{(A.FIX_UNANSWERED_FINAL, status): status for status in S},
    (A.FIX_DENIED, S.ANSWERED): S.ACCEPTED,
    (A.FIX_DENIED, S.CLOSED): S.ACCEPTED,
    (A.FIX_UNANSWERED_REOPEN, S.ANSWERED): S.ACCEPTED,
    (A.FIX_UNANSWERED_REOPEN, S.CLOSED): S.ACCEPTED,
}
WHO = {
    A.ACCEPT: ANY_STAFF,
    A.REFUSE: ANY_STAFF,
    A.MARK_DUPLICATE: ANY_STAFF,
    A.REQUEST_INFO: ANY_STAFF,
    A.FORWARD: ANY_STAFF,
    A.NOTE: ANY_STAFF,
    A.ASSIGN: {"leader", "agency_admin", "admin"},
    A.ANSWER: {"processor", "leader", "admin"},
    A.CLOSE: {"processor", "leader", "admin"},
    A.REOPEN: {"leader", "admin"},
    A.SUPPLY_INFO: {"citizen"},
    A.RATE_SATISFIED: {"citizen"},
    A.RATE_UNSATISFIED: {"citizen"},
    A.RATE_UNSATISFIED_FINAL: {"citizen"},
    A.FIX_CONFIRMED: {"citizen"},
    A.FIX_DENIED: {"citizen"},
    A.FIX_DENIED_FINAL: {"citizen"},
    A.FIX_UNANSWERED: {"system"},
    A.FIX_UNANSWERED_REOPEN: {"system"},
    A.FIX_UNANSWERED_FINAL: {"system"},
}


def test_every_action_has_expectations():
    assert set(WHO) == set(A)


@pytest.mark.parametrize(("action", "status", "role"), list(itertools.product(A, S, ROLES)))
def test_transition(action, status, role):
    if role not in WHO[action]:
        with pytest.raises(NotPermitted):
            next_status(status, action, role)
    elif (action, status) in EXPECTED:
        assert next_status(status, action, role) is EXPECTED[(action, status)]
    else:
        with pytest.raises(InvalidTransition):
            next_status(status, action, role)


@pytest.mark.parametrize(("status", "role"), list(itertools.product(S, ROLES)))
def test_allowed_actions_match_the_table(status, role):
    expected = {action for (action, source) in EXPECTED if source is status and role in WHO[action]}
    assert set(allowed_actions(status, role)) == expected


def test_open_and_paused_states():
    assert {s for s in S if is_open(s)} == {S.NEW, S.ACCEPTED, S.INFO_REQUESTED}
    assert [s for s in S if clock_paused(s)] == [S.INFO_REQUESTED]


def test_national_buckets():
    assert national_bucket(S.NEW) == "waiting"
    assert national_bucket(S.INFO_REQUESTED) == "processing"
    assert national_bucket(S.ANSWERED) == "published"


@pytest.mark.parametrize(
    ("days", "rated", "expected"),
    [
        (0, False, True),
        (7, False, True),
        (8, False, False),
        (3, True, False),
        (-1, False, False),
    ],
)
def test_rating_window(days, rated, expected):
    assert may_rate(days, rated) is expected


def test_unsatisfied_reopens_only_once():
    assert unsatisfied_action(0) is A.RATE_UNSATISFIED
    assert unsatisfied_action(1) is A.RATE_UNSATISFIED_FINAL
