"""portal/domain/fix_check.py: the "is it fixed?" question's reply date, what each reply does, and how an
answer the citizen reopened counts in 5.2 (hand-worked tables)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.domain.feedback_status import FeedbackAction as A
from portal.domain.feedback_status import FeedbackStatus as S
from portal.domain.fix_check import (
    Answer,
    FixCheck,
    Reply,
    answered_late,
    carried_late,
    expired,
    outcome,
    reopens,
    reply_by,
)
from portal.domain.working_days import Calendar

# 30 April and 1 May 2026 (Thursday, Friday) are public holidays; 2-3 May a weekend.
CAL = Calendar(days_off=frozenset({date(2026, 4, 30), date(2026, 5, 1)}))


@pytest.mark.parametrize(
    ("asked", "days", "last"),
    [
        (date(2026, 4, 27), 1, date(2026, 4, 28)),  # Monday → Tuesday
        (date(2026, 4, 29), 1, date(2026, 5, 4)),  # Wednesday → over the holidays and weekend: Monday
        (date(2026, 4, 29), 5, date(2026, 5, 8)),  # 4, 5, 6, 7, 8 May
        (date(2026, 5, 2), 5, date(2026, 5, 8)),  # asked on a Saturday: counted from Monday
        (date(2026, 5, 8), 3, date(2026, 5, 13)),  # Friday → Mon 11, Tue 12, Wed 13
    ],
)
def test_reply_by_counts_working_days(asked, days, last):
    assert reply_by(CAL, asked, days) == last


@pytest.mark.parametrize("days", [0, 31, -1])
def test_reply_days_are_bounded(days):
    with pytest.raises(ValueError):
        reply_by(CAL, date(2026, 4, 27), days)


@pytest.mark.parametrize(
    ("last", "today", "closed"),
    [
        (date(2026, 5, 8), date(2026, 5, 8), False),  # the last day itself is still open
        (date(2026, 5, 8), date(2026, 5, 9), True),
        (date(2026, 5, 8), date(2026, 5, 7), False),
    ],
)
def test_expired_the_day_after_the_last_day(last, today, closed):
    assert expired(last, today) is closed


# (reply, category's mode, status, reopened before) → action
OUTCOMES = [
    (Reply.YES, FixCheck.ASK, S.ANSWERED, False, A.FIX_CONFIRMED),
    (Reply.YES, FixCheck.CONFIRM, S.CLOSED, True, A.FIX_CONFIRMED),
    (Reply.NO, FixCheck.ASK, S.ANSWERED, False, A.FIX_DENIED),
    (Reply.NO, FixCheck.CONFIRM, S.CLOSED, False, A.FIX_DENIED),
    (Reply.NO, FixCheck.ASK, S.ANSWERED, True, A.FIX_DENIED_FINAL),  # once only
    (Reply.NO, FixCheck.ASK, S.ACCEPTED, False, A.FIX_DENIED_FINAL),  # already back in the queue
    (Reply.NO, FixCheck.OFF, S.ANSWERED, False, A.FIX_DENIED),  # asked before the category stopped asking
    (Reply.SILENT, FixCheck.ASK, S.ANSWERED, False, A.FIX_UNANSWERED),  # silence counts as fixed
    (Reply.SILENT, FixCheck.OFF, S.CLOSED, False, A.FIX_UNANSWERED),
    (Reply.SILENT, FixCheck.CONFIRM, S.ANSWERED, False, A.FIX_UNANSWERED_REOPEN),
    (Reply.SILENT, FixCheck.CONFIRM, S.CLOSED, False, A.FIX_UNANSWERED_REOPEN),
    (Reply.SILENT, FixCheck.CONFIRM, S.ANSWERED, True, A.FIX_UNANSWERED_FINAL),
    (Reply.SILENT, FixCheck.CONFIRM, S.INFO_REQUESTED, False, A.FIX_UNANSWERED_FINAL),
]


@pytest.mark.parametrize(("reply", "mode", "status", "before", "action"), OUTCOMES)
def test_outcome(reply, mode, status, before, action):
    assert outcome(reply, mode, status, before) is action


def test_only_two_outcomes_reopen():
    assert {a for a in A if reopens(a)} == {A.FIX_DENIED, A.FIX_UNANSWERED_REOPEN}


# 5.2 after a reopening: (final answer day, its deadline, reopened answers [(day, deadline)]) → late?
LATENESS = [
    # First answer on its due day (on time), reopened; answered again within the new deadline: on time.
    (date(2026, 5, 20), date(2026, 5, 25), [(date(2026, 4, 29), date(2026, 4, 29))], False),
    # The same, but the new answer comes a day after the new deadline: late.
    (date(2026, 5, 26), date(2026, 5, 25), [(date(2026, 4, 29), date(2026, 4, 29))], True),
    # First answer a day late, reopened; the final answer is early: still late (carried).
    (date(2026, 5, 11), date(2026, 5, 25), [(date(2026, 5, 4), date(2026, 4, 29))], True),
    # Two reopened answers, one of them late: late.
    (
        date(2026, 6, 1),
        date(2026, 6, 5),
        [(date(2026, 4, 20), date(2026, 4, 22)), (date(2026, 5, 15), date(2026, 5, 14))],
        True,
    ),
    # No reopening: the final answer alone decides.
    (date(2026, 4, 29), date(2026, 4, 29), [], False),
    (date(2026, 4, 29), None, [], False),  # no deadline (paused): never late by date
]


@pytest.mark.parametrize(("final", "due", "earlier", "is_late"), LATENESS)
def test_answered_late(final, due, earlier, is_late):
    reopened = [Answer(day, deadline) for day, deadline in earlier]
    assert answered_late(Answer(final, due), reopened) is is_late


def test_carried_late_alone():
    assert carried_late([]) is False
    assert carried_late([Answer(date(2026, 5, 4), date(2026, 4, 29))]) is True
    assert carried_late([Answer(date(2026, 5, 4), None)]) is False
