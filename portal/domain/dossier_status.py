"""Dossier lifecycle over the 10 national status codes (VIETNAM.md §4), with who may act. Pure: stdlib only."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

from portal.domain import roles


class DossierStatus(IntEnum):
    SUBMITTED = 1  # Mới đăng ký (online, not yet received)
    RECEIVED = 2  # Được tiếp nhận
    REFUSED = 3  # Không được tiếp nhận (form 03)
    PROCESSING = 4  # Đang xử lý
    SUPPLEMENT_REQUESTED = 5  # Yêu cầu bổ sung giấy tờ (form 02) — clock paused
    FEE_REQUESTED = 6  # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7  # Công dân yêu cầu rút hồ sơ
    STOPPED = 8  # Dừng xử lý
    DONE = 9  # Đã xử lý xong (result at the desk)
    RETURNED = 10  # Đã trả kết quả


class DossierAction(StrEnum):
    RECEIVE = "receive"
    REFUSE = "refuse"
    START = "start"
    ASSIGN = "assign"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT = "supplement"  # documents completed (online by the citizen, or at the counter)
    REQUEST_FEE = "request_fee"
    CONFIRM_FEE = "confirm_fee"
    PROPOSE_RESULT = "propose_result"  # processor asks the leader to approve
    APPROVE = "approve"  # leader approves: result ready
    FINISH = "finish"  # result ready, for procedures without an approval step
    STOP = "stop"
    RETURN_RESULT = "return_result"
    WITHDRAW = "withdraw"
    APOLOGISE = "apologise"  # form 04: apology and new appointment date
    NOTE = "note"


S, A = DossierStatus, DossierAction
CITIZEN = "citizen"
SYSTEM = "system"  # the portal itself, e.g. when a bank transfer settles the fee
DESK = roles.DESK
HANDLERS = roles.HANDLERS
LEADERS = roles.LEADERS
ALL_STAFF = roles.QUEUE_ROLES
# Received and not finished: the office's processing time has started and the case can still move.
RUNNING = frozenset({S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.FEE_REQUESTED})
# In the office's hands with its clock running: not paused waiting for the citizen's documents or fee.
ON_THE_CLOCK = frozenset({S.RECEIVED, S.PROCESSING})
# Still in a queue: waiting to be received, running, or done with the result waiting at the desk.
OPEN = frozenset({S.SUBMITTED, *RUNNING, S.DONE})
# Ended without a result: the citizen withdrew it or the office stopped it.
ENDED_WITHOUT_RESULT = frozenset({S.WITHDRAWN, S.STOPPED})


@dataclass(frozen=True)
class Rule:
    sources: frozenset[DossierStatus]
    target: DossierStatus | None  # None: status unchanged
    roles: frozenset[str]


RULES: dict[DossierAction, Rule] = {
    A.RECEIVE: Rule(frozenset({S.SUBMITTED}), S.RECEIVED, DESK),
    A.REFUSE: Rule(frozenset({S.SUBMITTED}), S.REFUSED, DESK),
    A.START: Rule(frozenset({S.RECEIVED}), S.PROCESSING, HANDLERS),
    A.ASSIGN: Rule(RUNNING, None, roles.SUPERVISORS),
    A.REQUEST_SUPPLEMENT: Rule(frozenset({S.PROCESSING}), S.SUPPLEMENT_REQUESTED, HANDLERS),
    A.SUPPLEMENT: Rule(frozenset({S.SUPPLEMENT_REQUESTED}), S.PROCESSING, DESK | {CITIZEN}),
    A.REQUEST_FEE: Rule(frozenset({S.PROCESSING}), S.FEE_REQUESTED, HANDLERS),
    A.CONFIRM_FEE: Rule(frozenset({S.FEE_REQUESTED}), S.PROCESSING, DESK | {SYSTEM}),
    A.PROPOSE_RESULT: Rule(frozenset({S.PROCESSING}), None, HANDLERS),
    A.APPROVE: Rule(frozenset({S.PROCESSING}), S.DONE, LEADERS),
    A.FINISH: Rule(frozenset({S.PROCESSING}), S.DONE, HANDLERS),
    A.STOP: Rule(frozenset({S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.FEE_REQUESTED}), S.STOPPED, LEADERS),
    A.RETURN_RESULT: Rule(frozenset({S.DONE}), S.RETURNED, DESK),
    A.WITHDRAW: Rule(frozenset({S.SUBMITTED}) | RUNNING, S.WITHDRAWN, DESK | {CITIZEN}),
    A.APOLOGISE: Rule(RUNNING, None, HANDLERS | {roles.Role.RECEPTIONIST.value}),
    A.NOTE: Rule(frozenset(S), None, ALL_STAFF),
}


class InvalidTransition(Exception):
    def __init__(self, action: DossierAction, status: DossierStatus, why: str = "status") -> None:
        super().__init__(f"dossier cannot {action.value} while {status.name} ({why})")
        self.action, self.status, self.why = action, status, why


class NotPermitted(Exception):
    def __init__(self, action: DossierAction, role: str) -> None:
        super().__init__(f"role {role} may not {action.value} a dossier")
        self.action, self.role = action, role


@dataclass(frozen=True)
class Context:
    """Facts about the dossier that some actions depend on."""

    needs_approval: bool = False  # the procedure has a leader approval step
    result_proposed: bool = False  # a processor has proposed the result for approval
    # The fee was asked for and not called off (a payment pending or settled). A dossier owes its
    # procedure's fee once, and the catalogue knows no second amount: no second request unless the first
    # was cancelled.
    fee_taken: bool = False


def _context_allows(action: DossierAction, context: Context) -> str | None:
    if action is A.FINISH and context.needs_approval:
        return "approval required"
    if action is A.PROPOSE_RESULT and (not context.needs_approval or context.result_proposed):
        return "no approval step" if not context.needs_approval else "already proposed"
    if action is A.APPROVE and not (context.needs_approval and context.result_proposed):
        return "nothing to approve"
    if action is A.REQUEST_FEE and context.fee_taken:
        return "fee_taken"
    return None


def next_status(
    status: DossierStatus, action: DossierAction, role: str, context: Context = Context()
) -> DossierStatus:
    """The status after `role` takes `action`; raises NotPermitted or InvalidTransition."""
    rule = RULES[action]
    if role not in rule.roles:
        raise NotPermitted(action, role)
    if status not in rule.sources:
        raise InvalidTransition(action, status)
    why = _context_allows(action, context)
    if why:
        raise InvalidTransition(action, status, why)
    return rule.target or status


def allowed_actions(status: DossierStatus, role: str, context: Context = Context()) -> list[DossierAction]:
    return [
        a
        for a, rule in RULES.items()
        if role in rule.roles and status in rule.sources and _context_allows(a, context) is None
    ]


def is_final(status: DossierStatus) -> bool:
    return status in (S.REFUSED, S.WITHDRAWN, S.STOPPED, S.RETURNED)


def clock_running(status: DossierStatus) -> bool:
    """The processing clock runs while received or processing; it pauses for supplements and fees."""
    return status in (S.RECEIVED, S.PROCESSING)


def reporting_bucket(status: DossierStatus) -> str:
    """Provincial reports: done = 9, 10 and withdrawn; paused = 5, 6, 8 (VIETNAM.md §4)."""
    if status in (S.DONE, S.RETURNED, S.WITHDRAWN):
        return "done"
    if status in (S.SUPPLEMENT_REQUESTED, S.FEE_REQUESTED, S.STOPPED):
        return "paused"
    if status is S.REFUSED:
        return "refused"
    return "open"


# The steps that move a case on (not a note, an assignment, a letter or an exit): "take next" and "claim"
# offer a role only the dossiers where it has one of these to do (issue 16 item 6).
NEXT_STEPS = frozenset(
    {
        A.RECEIVE,
        A.REFUSE,
        A.START,
        A.REQUEST_SUPPLEMENT,
        A.SUPPLEMENT,
        A.REQUEST_FEE,
        A.CONFIRM_FEE,
        A.PROPOSE_RESULT,
        A.APPROVE,
        A.FINISH,
        A.RETURN_RESULT,
    }
)


def waiting_on(role: str) -> frozenset[DossierStatus]:
    """The statuses in which `role` has a next step to take (RULES' roles and sources, nothing else)."""
    return frozenset(
        status for action in NEXT_STEPS if role in RULES[action].roles for status in RULES[action].sources
    )
