"""Lifecycle of a feedback item (phản ánh, kiến nghị): states, actions, who may take them. Pure: stdlib only.

The national portal shows feedback as waiting, processing, processed, published; we keep the finer
states staff need, and map them for reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from portal.domain import roles


class FeedbackStatus(StrEnum):
    NEW = "new"  # Chờ tiếp nhận
    ACCEPTED = "accepted"  # Đang xử lý
    INFO_REQUESTED = "info_requested"  # Chờ người dân bổ sung thông tin (clock paused)
    ANSWERED = "answered"  # Đã trả lời, công khai
    REFUSED = "refused"  # Không tiếp nhận (spam, trùng, ngoài thẩm quyền)
    CLOSED = "closed"  # Đã đóng


class FeedbackAction(StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"
    MARK_DUPLICATE = "mark_duplicate"
    REQUEST_INFO = "request_info"
    SUPPLY_INFO = "supply_info"  # the citizen answers a request for information
    FORWARD = "forward"
    ASSIGN = "assign"
    ANSWER = "answer"
    NOTE = "note"
    CLOSE = "close"
    REOPEN = "reopen"  # staff
    RATE_SATISFIED = "rate_satisfied"
    RATE_UNSATISFIED = "rate_unsatisfied"  # reopens the item (once)
    RATE_UNSATISFIED_FINAL = "rate_unsatisfied_final"  # already reopened once: closes with the rating
    # The "is it fixed?" question after an answer given as fixed (portal/domain/fix_check.py)
    FIX_CONFIRMED = "fix_confirmed"  # the citizen says it is fixed (recorded)
    FIX_DENIED = "fix_denied"  # not fixed: reopens the item (once)
    FIX_DENIED_FINAL = "fix_denied_final"  # not fixed, already reopened once: recorded only
    FIX_UNANSWERED = "fix_unanswered"  # no answer in time: counted as fixed (recorded)
    FIX_UNANSWERED_REOPEN = "fix_unanswered_reopen"  # no answer where confirmation is required: reopens
    FIX_UNANSWERED_FINAL = "fix_unanswered_final"  # the same, already reopened once: recorded only


S, A = FeedbackStatus, FeedbackAction
CITIZEN = "citizen"
SYSTEM = "system"  # the scheduled jobs (the "is it fixed?" question closing unanswered)
ALL_STAFF = roles.QUEUE_ROLES
HANDLERS = roles.HANDLERS
SUPERVISORS = roles.SUPERVISORS
# Still in a queue: not yet answered, refused or closed.
OPEN = frozenset({S.NEW, S.ACCEPTED, S.INFO_REQUESTED})
# The agency's answer clock runs: not paused waiting for the citizen's information.
ON_THE_CLOCK = frozenset({S.NEW, S.ACCEPTED})


@dataclass(frozen=True)
class Rule:
    sources: frozenset[FeedbackStatus]
    target: FeedbackStatus | None  # None: the status does not change
    roles: frozenset[str]


RULES: dict[FeedbackAction, Rule] = {
    A.ACCEPT: Rule(frozenset({S.NEW}), S.ACCEPTED, ALL_STAFF),
    A.REFUSE: Rule(frozenset({S.NEW, S.ACCEPTED}), S.REFUSED, ALL_STAFF),
    A.MARK_DUPLICATE: Rule(frozenset({S.NEW, S.ACCEPTED}), S.REFUSED, ALL_STAFF),
    A.REQUEST_INFO: Rule(frozenset({S.NEW, S.ACCEPTED}), S.INFO_REQUESTED, ALL_STAFF),
    A.SUPPLY_INFO: Rule(frozenset({S.INFO_REQUESTED}), S.ACCEPTED, frozenset({CITIZEN})),
    A.FORWARD: Rule(frozenset({S.NEW, S.ACCEPTED}), S.NEW, ALL_STAFF),
    A.ASSIGN: Rule(OPEN, None, SUPERVISORS),
    A.ANSWER: Rule(frozenset({S.ACCEPTED}), S.ANSWERED, HANDLERS),
    A.NOTE: Rule(frozenset(S), None, ALL_STAFF),
    A.CLOSE: Rule(frozenset({S.ANSWERED}), S.CLOSED, HANDLERS),
    A.REOPEN: Rule(frozenset({S.ANSWERED, S.CLOSED, S.REFUSED}), S.ACCEPTED, roles.LEADERS),
    A.RATE_SATISFIED: Rule(frozenset({S.ANSWERED}), S.CLOSED, frozenset({CITIZEN})),
    A.RATE_UNSATISFIED: Rule(frozenset({S.ANSWERED}), S.ACCEPTED, frozenset({CITIZEN})),
    A.RATE_UNSATISFIED_FINAL: Rule(frozenset({S.ANSWERED}), S.CLOSED, frozenset({CITIZEN})),
    A.FIX_CONFIRMED: Rule(frozenset(S), None, frozenset({CITIZEN})),
    A.FIX_DENIED: Rule(frozenset({S.ANSWERED, S.CLOSED}), S.ACCEPTED, frozenset({CITIZEN})),
    A.FIX_DENIED_FINAL: Rule(frozenset(S), None, frozenset({CITIZEN})),
    A.FIX_UNANSWERED: Rule(frozenset(S), None, frozenset({SYSTEM})),
    A.FIX_UNANSWERED_REOPEN: Rule(frozenset({S.ANSWERED, S.CLOSED}), S.ACCEPTED, frozenset({SYSTEM})),
    A.FIX_UNANSWERED_FINAL: Rule(frozenset(S), None, frozenset({SYSTEM})),
}


class InvalidTransition(Exception):
    """The action is not possible in the item's current status."""

    def __init__(self, action: FeedbackAction, status: FeedbackStatus) -> None:
        super().__init__(f"feedback cannot {action.value} while {status.value}")
        self.action, self.status = action, status


class NotPermitted(Exception):
    """The role may not take this action."""

    def __init__(self, action: FeedbackAction, role: str) -> None:
        super().__init__(f"role {role} may not {action.value} feedback")
        self.action, self.role = action, role


def next_status(status: FeedbackStatus, action: FeedbackAction, role: str) -> FeedbackStatus:
    """The status after `role` takes `action`; raises NotPermitted or InvalidTransition."""
    rule = RULES[action]
    if role not in rule.roles:
        raise NotPermitted(action, role)
    if status not in rule.sources:
        raise InvalidTransition(action, status)
    return rule.target or status


def allowed_actions(status: FeedbackStatus, role: str) -> list[FeedbackAction]:
    """The actions `role` may take now, in declaration order (for showing only valid buttons)."""
    return [action for action, rule in RULES.items() if role in rule.roles and status in rule.sources]


def is_open(status: FeedbackStatus) -> bool:
    return status in OPEN


def clock_paused(status: FeedbackStatus) -> bool:
    """While the citizen owes information the answer deadline does not run."""
    return status is S.INFO_REQUESTED


def national_bucket(status: FeedbackStatus) -> str:
    """The four states the national portal reports: waiting, processing, processed, published."""
    return {
        S.NEW: "waiting",
        S.ACCEPTED: "processing",
        S.INFO_REQUESTED: "processing",
        S.ANSWERED: "published",
        S.REFUSED: "processed",
        S.CLOSED: "published",
    }[status]


RATING_WINDOW_DAYS = 7


def may_rate(answered_on_days_ago: int, already_rated: bool) -> bool:
    """A citizen rates an answer once, within 7 days of it."""
    return not already_rated and 0 <= answered_on_days_ago <= RATING_WINDOW_DAYS


def unsatisfied_action(reopen_count: int) -> FeedbackAction:
    """'Not satisfied' sends the item back to the queue once; after that it closes with the rating."""
    return A.RATE_UNSATISFIED if reopen_count == 0 else A.RATE_UNSATISFIED_FINAL


# The steps that move an item on (not a note, an assignment or a reopening): "take next" and "claim" offer
# a role only the items where it has one of these to do (issue 16 item 6).
NEXT_STEPS = frozenset({A.ACCEPT, A.REFUSE, A.MARK_DUPLICATE, A.REQUEST_INFO, A.FORWARD, A.ANSWER})


def waiting_on(role: str) -> frozenset[FeedbackStatus]:
    """The open statuses in which `role` has a next step to take (RULES' roles and sources)."""
    return frozenset(
        status
        for action in NEXT_STEPS
        if role in RULES[action].roles
        for status in RULES[action].sources
        if status in OPEN
    )
