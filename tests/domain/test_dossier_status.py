"""Every (action, status, role) combination of the dossier state machine, allowed or forbidden.

The expectations below are written out by hand from VIETNAM.md §4 and issue 4, not copied from the
module's table: the transitions 1 → 2, 3, 7; 2 → 4, 7; 4 → 5, 6, 8, 9, 7; 5 → 4, 7; 6 → 4, 7; 9 → 10,
plus the actions that leave the status alone (assign, propose, apology, note).
"""

import itertools

import pytest

from portal.domain.dossier_status import (
    Context,
    InvalidTransition,
    NotPermitted,
    allowed_actions,
    clock_running,
    is_final,
    next_status,
    reporting_bucket,
)
from portal.domain.dossier_status import DossierAction as A
from portal.domain.dossier_status import DossierStatus as S

STAFF = ("receptionist", "processor", "leader", "agency_admin", "admin")
ROLES = ("citizen", *STAFF)

DESK = {"receptionist", "leader", "admin"}  # the one-stop desk (Bộ phận một cửa)
HANDLERS = {"processor", "leader", "admin"}  # officers who process the dossier
LEADERS = {"leader", "admin"}
IN_PROGRESS = (S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.FEE_REQUESTED)  # 2, 4, 5, 6

# (action, from status) -> to status.
EXPECTED = {
    (A.RECEIVE, S.SUBMITTED): S.RECEIVED,  # 1 -> 2
    (A.REFUSE, S.SUBMITTED): S.REFUSED,  # 1 -> 3 (form 03)
    (A.START, S.RECEIVED): S.PROCESSING,  # 2 -> 4
    (A.REQUEST_SUPPLEMENT, S.PROCESSING): S.SUPPLEMENT_REQUESTED,  # 4 -> 5 (form 02)
    (A.SUPPLEMENT, S.SUPPLEMENT_REQUESTED): S.PROCESSING,  # 5 -> 4 (documents complete)
    (A.REQUEST_FEE, S.PROCESSING): S.FEE_REQUESTED,  # 4 -> 6
    (A.CONFIRM_FEE, S.FEE_REQUESTED): S.PROCESSING,  # 6 -> 4 (paid)
    (A.FINISH, S.PROCESSING): S.DONE,  # 4 -> 9
    (A.APPROVE, S.PROCESSING): S.DONE,  # 4 -> 9 after the leader's approval
    (A.PROPOSE_RESULT, S.PROCESSING): S.PROCESSING,  # asks the leader; stays 4
    # 4 -> 8. Also from 5 and 6: a dossier whose applicant never supplies the documents or the fee
    # is stopped from there (a deliberate extension of the "typical" table of §4).
    (A.STOP, S.PROCESSING): S.STOPPED,
    (A.STOP, S.SUPPLEMENT_REQUESTED): S.STOPPED,
    (A.STOP, S.FEE_REQUESTED): S.STOPPED,
    (A.RETURN_RESULT, S.DONE): S.RETURNED,  # 9 -> 10
    # Withdrawal (7) from 1, 2, 4, 5 and 6; never once the result is ready or the dossier is closed.
    (A.WITHDRAW, S.SUBMITTED): S.WITHDRAWN,
    (A.WITHDRAW, S.RECEIVED): S.WITHDRAWN,
    (A.WITHDRAW, S.PROCESSING): S.WITHDRAWN,
    (A.WITHDRAW, S.SUPPLEMENT_REQUESTED): S.WITHDRAWN,
    (A.WITHDRAW, S.FEE_REQUESTED): S.WITHDRAWN,
    # Status unchanged: assignment and the apology letter (form 04) while the dossier is in progress.
    **{(A.ASSIGN, status): status for status in IN_PROGRESS},
    **{(A.APOLOGISE, status): status for status in IN_PROGRESS},
    # An internal note, in any status.
    **{(A.NOTE, status): status for status in S},
}
WHO = {
    A.RECEIVE: DESK,
    A.REFUSE: DESK,
    A.CONFIRM_FEE: DESK,
    A.RETURN_RESULT: DESK,
    A.START: HANDLERS,
    A.REQUEST_SUPPLEMENT: HANDLERS,
    A.REQUEST_FEE: HANDLERS,
    A.FINISH: HANDLERS,
    A.PROPOSE_RESULT: HANDLERS,
    A.APPROVE: LEADERS,
    A.STOP: LEADERS,
    A.ASSIGN: {"leader", "agency_admin", "admin"},
    # The citizen supplies documents online; the desk records documents brought to the counter.
    A.SUPPLEMENT: DESK | {"citizen"},
    A.WITHDRAW: DESK | {"citizen"},
    A.APOLOGISE: HANDLERS | {"receptionist"},
    A.NOTE: set(STAFF),
}


def context_for(action):
    """The context in which the action is possible at all (approval actions need the approval step)."""
    if action is A.PROPOSE_RESULT:
        return Context(needs_approval=True)
    if action is A.APPROVE:
        return Context(needs_approval=True, result_proposed=True)
    return Context()


def test_expectations_cover_every_action():
    assert set(WHO) == set(A)
    assert {action for action, _ in EXPECTED} == set(A)
    assert all(roles <= set(ROLES) for roles in WHO.values())


@pytest.mark.parametrize(
    ("action", "status", "role"),
    list(itertools.product(A, S, ROLES)),
    ids=lambda value: getattr(value, "name", value),
)
def test_transition(action, status, role):
    context = context_for(action)
    if role not in WHO[action]:
        with pytest.raises(NotPermitted) as refused:
            next_status(status, action, role, context)
        assert refused.value.role == role and refused.value.action is action
    elif (action, status) not in EXPECTED:
        with pytest.raises(InvalidTransition) as refused:
            next_status(status, action, role, context)
        assert refused.value.status is status and refused.value.action is action
    else:
        assert next_status(status, action, role, context) is EXPECTED[(action, status)]


@pytest.mark.parametrize(
    ("status", "role"), list(itertools.product(S, ROLES)), ids=lambda value: getattr(value, "name", value)
)
def test_allowed_actions_match_the_table(status, role):
    plain = {a for (a, s) in EXPECTED if s is status and role in WHO[a]} - {A.PROPOSE_RESULT, A.APPROVE}
    assert set(allowed_actions(status, role)) == plain
    approval = {a for (a, s) in EXPECTED if s is status and role in WHO[a]} - {A.FINISH, A.APPROVE}
    assert set(allowed_actions(status, role, Context(needs_approval=True))) == approval
    proposed = {a for (a, s) in EXPECTED if s is status and role in WHO[a]} - {A.FINISH, A.PROPOSE_RESULT}
    assert set(allowed_actions(status, role, Context(needs_approval=True, result_proposed=True))) == proposed


@pytest.mark.parametrize(
    ("action", "status"), list(itertools.product(A, S)), ids=lambda value: getattr(value, "name", value)
)
def test_the_portal_itself_only_confirms_fees(action, status):
    """Role "system": a settled bank transfer confirms the fee (6 -> 4); nothing else."""
    if action is not A.CONFIRM_FEE:
        with pytest.raises(NotPermitted):
            next_status(status, action, "system", context_for(action))
    elif status is S.FEE_REQUESTED:
        assert next_status(status, action, "system") is S.PROCESSING
    else:
        with pytest.raises(InvalidTransition):
            next_status(status, action, "system")


def test_nothing_leads_back_to_submitted():
    """Status 1 exists only for online submissions before receipt: no action returns a dossier to it."""
    for action, status, role in itertools.product(A, set(S) - {S.SUBMITTED}, ROLES):
        try:
            target = next_status(status, action, role, context_for(action))
        except (NotPermitted, InvalidTransition):
            continue
        assert target is not S.SUBMITTED, (action, status, role)


# --- the approval step -------------------------------------------------------------------------------


def test_finish_is_refused_when_the_procedure_needs_approval():
    with pytest.raises(InvalidTransition) as refused:
        next_status(S.PROCESSING, A.FINISH, "processor", Context(needs_approval=True))
    assert refused.value.why != "status"
    # The leader cannot skip the step with FINISH either.
    with pytest.raises(InvalidTransition):
        next_status(S.PROCESSING, A.FINISH, "leader", Context(needs_approval=True))


def test_propose_then_approve():
    context = Context(needs_approval=True)
    status = next_status(S.PROCESSING, A.PROPOSE_RESULT, "processor", context)
    assert status is S.PROCESSING
    proposed = Context(needs_approval=True, result_proposed=True)
    assert next_status(status, A.APPROVE, "leader", proposed) is S.DONE
    assert next_status(status, A.APPROVE, "admin", proposed) is S.DONE


def test_approve_without_a_proposal_is_refused():
    with pytest.raises(InvalidTransition):
        next_status(S.PROCESSING, A.APPROVE, "leader", Context(needs_approval=True, result_proposed=False))
    # Nor is there anything to approve for a procedure without the step.
    with pytest.raises(InvalidTransition):
        next_status(S.PROCESSING, A.APPROVE, "leader", Context())
    with pytest.raises(InvalidTransition):
        next_status(S.PROCESSING, A.APPROVE, "leader", Context(needs_approval=False, result_proposed=True))


def test_processor_cannot_approve():
    for context in (Context(needs_approval=True, result_proposed=True), Context(needs_approval=True)):
        with pytest.raises(NotPermitted):
            next_status(S.PROCESSING, A.APPROVE, "processor", context)
        with pytest.raises(NotPermitted):
            next_status(S.PROCESSING, A.APPROVE, "receptionist", context)


def test_propose_only_once_and_only_with_an_approval_step():
    with pytest.raises(InvalidTransition):
        next_status(
            S.PROCESSING, A.PROPOSE_RESULT, "processor", Context(needs_approval=True, result_proposed=True)
        )
    with pytest.raises(InvalidTransition):
        next_status(S.PROCESSING, A.PROPOSE_RESULT, "processor", Context())


def test_approval_context_does_not_open_other_statuses():
    proposed = Context(needs_approval=True, result_proposed=True)
    for status in set(S) - {S.PROCESSING}:
        with pytest.raises(InvalidTransition):
            next_status(status, A.APPROVE, "leader", proposed)


def test_processor_sees_propose_instead_of_finish():
    assert A.FINISH in allowed_actions(S.PROCESSING, "processor")
    assert A.PROPOSE_RESULT not in allowed_actions(S.PROCESSING, "processor")
    with_step = allowed_actions(S.PROCESSING, "processor", Context(needs_approval=True))
    assert A.PROPOSE_RESULT in with_step and A.FINISH not in with_step and A.APPROVE not in with_step
    leader = allowed_actions(S.PROCESSING, "leader", Context(needs_approval=True, result_proposed=True))
    assert A.APPROVE in leader and A.FINISH not in leader and A.PROPOSE_RESULT not in leader


# --- status properties ---------------------------------------------------------------------------------

FINAL = {S.REFUSED, S.WITHDRAWN, S.STOPPED, S.RETURNED}  # 3, 7, 8, 10
RUNNING = {S.RECEIVED, S.PROCESSING}  # 2, 4: the clock runs
BUCKETS = {
    S.DONE: "done",
    S.RETURNED: "done",
    S.WITHDRAWN: "done",  # "Đã xử lý" = 9 + 10 + withdrawn
    # "Tạm dừng" (paused) = 5 + 6 + 8
    S.SUPPLEMENT_REQUESTED: "paused",
    S.FEE_REQUESTED: "paused",
    S.STOPPED: "paused",
    S.REFUSED: "refused",
    S.SUBMITTED: "open",
    S.RECEIVED: "open",
    S.PROCESSING: "open",
}


@pytest.mark.parametrize("status", list(S), ids=lambda s: s.name)
def test_is_final(status):
    assert is_final(status) is (status in FINAL)


CONTEXTS = (Context(), Context(needs_approval=True), Context(needs_approval=True, result_proposed=True))


@pytest.mark.parametrize("status", list(S), ids=lambda s: s.name)
def test_only_open_statuses_move_on(status):
    """A final status allows nothing but an internal note; every other status has a way forward."""
    moves = set()
    for role in ROLES:
        for context in CONTEXTS:
            moves |= {
                a
                for a in allowed_actions(status, role, context)
                if next_status(status, a, role, context) is not status
            }
    if is_final(status):
        assert moves == set()
    else:
        assert moves


@pytest.mark.parametrize("status", list(S), ids=lambda s: s.name)
def test_clock_running(status):
    assert clock_running(status) is (status in RUNNING)


@pytest.mark.parametrize("status", list(S), ids=lambda s: s.name)
def test_reporting_bucket(status):
    assert reporting_bucket(status) == BUCKETS[status]


def test_status_codes_are_the_national_ones():
    assert [s.value for s in S] == list(range(1, 11))
    assert (
        S.SUBMITTED,
        S.RECEIVED,
        S.REFUSED,
        S.PROCESSING,
        S.SUPPLEMENT_REQUESTED,
        S.FEE_REQUESTED,
        S.WITHDRAWN,
        S.STOPPED,
        S.DONE,
        S.RETURNED,
    ) == tuple(S(n) for n in range(1, 11))
