"""Closure the citizen can verify (issue 14 item 5): the "is it fixed?" question after an item is answered
as fixed, what each reply does, and how a reopened item counts in Decision 766's on-time share (5.2).
Pure: stdlib only.

A category chooses (`FixCheck`): no question; a question whose silence counts as "fixed" (ASK); or a
question that needs the citizen's confirmation (CONFIRM), where silence past the reply date counts as "not
fixed", as the issue asks ("'no', or no answer for N days where the category asks for confirmation,
reopens the item once"). The citizen has N working days (the portal's calendar, the same that counts the
answer deadline) after the day the question was asked; it closes the morning after the last one.

Reopening happens once per item: the first "not fixed" (or confirming silence) sends an answered or closed
item back to "being handled" with a new answer deadline; later ones are recorded on the timeline only.

On time (5.2): the answer that was reopened does not disappear. If it was late, the item stays late
whatever the later answer's date ("the later final answer decides" only when every earlier answer that was
reopened was itself on time), so a reopening can never turn a late item on time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from portal.domain.feedback_status import FeedbackAction, FeedbackStatus

A, S = FeedbackAction, FeedbackStatus


class FixCheck(StrEnum):
    OFF = "off"  # no question
    ASK = "ask"  # ask; no answer by the reply date counts as "fixed"
    CONFIRM = "confirm"  # ask; no answer by the reply date counts as "not fixed"


class Reply(StrEnum):
    YES = "yes"
    NO = "no"
    SILENT = "silent"  # no answer by the reply date (closed by the scheduled job)


# An item the citizen can send back to the queue: answered (waiting for a rating) or closed.
REOPENABLE = frozenset({S.ANSWERED, S.CLOSED})
DEFAULT_DAYS = 5  # working days to answer, when neither the category nor the setting says otherwise
MAX_DAYS = 30


class WorkingCalendar(Protocol):
    def add_working_days(self, start: date, days: int) -> date: ...


def reply_by(cal: WorkingCalendar, asked_on: date, days: int) -> date:
    """The last day the citizen may answer: `days` working days after the (local) day it was asked."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError("days must be between 1 and 30")
    return cal.add_working_days(asked_on, days)


def expired(last_day: date, today: date) -> bool:
    """The question is closed as unanswered the day after its last day."""
    return today > last_day


def outcome(reply: Reply, mode: FixCheck, status: FeedbackStatus, reopened_before: bool) -> FeedbackAction:
    """The timeline action a reply (or the silence) takes on the item."""
    if reply is Reply.YES:
        return A.FIX_CONFIRMED
    denies = reply is Reply.NO or mode is FixCheck.CONFIRM
    if not denies:
        return A.FIX_UNANSWERED  # silence where the category does not ask for confirmation: fixed
    reopen = not reopened_before and status in REOPENABLE
    if reply is Reply.NO:
        return A.FIX_DENIED if reopen else A.FIX_DENIED_FINAL
    return A.FIX_UNANSWERED_REOPEN if reopen else A.FIX_UNANSWERED_FINAL


def reopens(action: FeedbackAction) -> bool:
    return action in (A.FIX_DENIED, A.FIX_UNANSWERED_REOPEN)


@dataclass(frozen=True)
class Answer:
    """One answer given as fixed: its local day and the answer deadline it had then."""

    answered_on: date
    due_on: date | None


def late(answer: Answer) -> bool:
    return answer.due_on is not None and answer.answered_on > answer.due_on


def carried_late(reopened: Iterable[Answer]) -> bool:
    """Whether an earlier answer, reopened because the problem was not fixed, already made the item late."""
    return any(late(answer) for answer in reopened)


def answered_late(final: Answer, reopened: Iterable[Answer]) -> bool:
    """5.2 for an item answered again after a reopening: late if the final answer or any reopened one was."""
    return late(final) or carried_late(reopened)
