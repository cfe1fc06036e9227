"""An item's effect on the agency's Decision 766 score, in plain words with the fix beside it. Pure: stdlib.

Issue 14 item 2 (PEERS.md §3 idea 6): each queue row and item page says, before anyone acts, what the item
will cost: "due in 2 working days", "a second supplement request will count as late", "no electronic result:
fails 4.1", "fee not payable online: fails 3.5", "late without an apology letter".

No rule is restated here. Each effect is read off the definition the dashboard counts with:
* 2.1 (dossiers on time): `portal.domain.timeliness` (`judge`, `too_many_requests`,
  `SUPPLEMENT_REQUESTS_ALLOWED`, the status sets) and `working_days.late_without_letter`;
* 4.1 (electronic results): the dashboard's `paper_results`/`e_results` (statistics/queries/dossiers.py):
  a dossier that reached 9 or 10 without a result file is a paper result without an e-result;
* 3.5 / 3.6 (online payment): the caller says whether the procedure takes online payment and whether the
  dossier was paid online, with the dashboard's definitions (statistics/queries/catalog.py, dossiers.py);
* 5.2 (feedback on time): the item's answer due date, as the queue's "overdue" mark reads it, and whether
  an answer given as fixed that the citizen reopened was already late: the dashboard keeps such an item
  late whatever its next answer (statistics/queries/feedback.py `judged_feedback`, `fix_check.carried_late`),
  and whether its first request for information came after its 5 working days (`feedback_steps.
  first_request_late`, judged when the request is recorded): late already too.

An effect "costs" when it already counts against a figure or will at `by` unless fixed; `costs_this_week`
is the queue filter "items that will cost points this week" (the SQL of portal/steering/queries.py says the
same thing; tests/steering/test_queue_effects.py and test_feedback_effects.py check that on random data).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from portal.domain import timeliness as rule
from portal.domain.dossier_status import DossierStatus
from portal.domain.working_days import Calendar, apology_refusal, late_without_letter

S = DossierStatus
# Statuses whose result exists: 4.1 judges them by their result file (the dashboard's `ready` query).
RESULT_READY = frozenset({S.DONE, S.RETURNED})


class Effect(StrEnum):
    LATE_WITHOUT_LETTER = "late_without_letter"  # 2.1: open, past the legal due date, no form 04 sent
    LATE = "late"  # 2.1: open and overdue (a letter was sent: still late for 2.1)
    TOO_MANY_REQUESTS = "too_many_requests"  # 2.1: more than one supplement request already: late
    DUE_SOON = "due_soon"  # 2.1: clock running, due by the end of this week
    SECOND_REQUEST_LATE = "second_request_late"  # 2.1: one supplement request used; another = late
    NO_E_RESULT = "no_e_result"  # 4.1: result ready without an electronic result file
    FEE_NOT_ONLINE = "fee_not_online"  # 3.5: the procedure's fee cannot be paid online
    FEE_NOT_PAID_ONLINE = "fee_not_paid_online"  # 3.6: fee requested, not paid online yet
    FEEDBACK_LATE = "feedback_late"  # 5.2: answer past its due date
    FEEDBACK_REOPENED_LATE = "feedback_reopened_late"  # 5.2: a late answer the citizen reopened: late already
    FEEDBACK_INFO_LATE = "feedback_info_late"  # 5.2: the first request for information was late: late already
    FEEDBACK_DUE_SOON = "feedback_due_soon"  # 5.2: answer due by the end of this week


# Effect → the indicator it moves.
INDICATOR = {
    Effect.LATE_WITHOUT_LETTER: "2.1",
    Effect.LATE: "2.1",
    Effect.TOO_MANY_REQUESTS: "2.1",
    Effect.DUE_SOON: "2.1",
    Effect.SECOND_REQUEST_LATE: "2.1",
    Effect.NO_E_RESULT: "4.1",
    Effect.FEE_NOT_ONLINE: "3.5",
    Effect.FEE_NOT_PAID_ONLINE: "3.6",
    Effect.FEEDBACK_LATE: "5.2",
    Effect.FEEDBACK_REOPENED_LATE: "5.2",
    Effect.FEEDBACK_INFO_LATE: "5.2",
    Effect.FEEDBACK_DUE_SOON: "5.2",
}


@dataclass(frozen=True)
class Hint:
    effect: Effect
    costs: bool  # counts against the score now, or will at `by` unless fixed
    by: date | None = None  # when it costs (today for what costs already); None: only if someone acts
    days: int | None = None  # working days left (DUE_SOON, FEEDBACK_DUE_SOON)
    # A form 04 may still be sent today (working_days.apology_refusal, the rule the apology form and the
    # operation ask): only then does the fix offer one (DUE_SOON: not on the due day itself).
    letter: bool = False
    # The new date of a letter already sent, when no other may be (DUE_SOON on the legal due day, LATE): the
    # fix names it instead of offering a letter.
    promised: date | None = None

    @property
    def indicator(self) -> str:
        return INDICATOR[self.effect]


@dataclass(frozen=True)
class DossierItem:
    facts: rule.Facts  # what 2.1 reads (portal.dossiers.deadlines.facts_of, or the queue's columns)
    appointment: date | None = None  # the current appointment: later than the legal due date after a form 04
    result_file: bool = False  # an electronic result file is attached
    fee_bearing: bool = False  # a fee line above 0
    payable_online: bool = True  # the procedure takes online payment (3.5)
    paid_online: bool = False  # settled online (3.6)


@dataclass(frozen=True)
class FeedbackItem:
    open: bool  # in the queue (new, accepted, information requested)
    due: date | None  # the answer's due date; None while paused
    reopened_late: bool = False  # an answer given as fixed was late and the citizen reopened it
    info_request_late: bool = False  # the first request for information came after its 5 working days


def week_end(today: date) -> date:
    """The last day (Sunday) of `today`'s week: "this week" of the queue filter."""
    return today + timedelta(days=6 - today.weekday())


def dossier_hints(item: DossierItem, today: date, calendar: Calendar) -> tuple[Hint, ...]:
    """The dossier's effects on `today` (local), most pressing first."""
    facts, hints = item.facts, []
    letter = apology_refusal(item.appointment, today, legal_due=facts.due) is None
    # A letter already sent moved the appointment past the legal due date; named where no other can follow.
    sent = item.appointment is not None and facts.due is not None and item.appointment > facts.due
    promised = item.appointment if sent and not letter else None
    verdict = rule.judge(facts, today)
    open_ = verdict in (rule.Verdict.WITHIN, rule.Verdict.OVERDUE, rule.Verdict.ALREADY_LATE)
    if verdict is rule.Verdict.ALREADY_LATE:
        hints.append(Hint(Effect.TOO_MANY_REQUESTS, True, today))
    elif verdict is rule.Verdict.OVERDUE:
        running = facts.status in rule.CLOCK_RUNNING
        if running and late_without_letter(facts.due, item.appointment, today):
            hints.append(Hint(Effect.LATE_WITHOUT_LETTER, True, today))
        else:
            hints.append(Hint(Effect.LATE, True, today, promised=promised if running else None))
    elif verdict is rule.Verdict.WITHIN and facts.status in rule.CLOCK_RUNNING and facts.due is not None:
        if facts.due <= week_end(today):
            left = calendar.working_days_between(today, facts.due)
            hints.append(Hint(Effect.DUE_SOON, True, facts.due, left, letter, promised))
    if (
        open_
        and verdict is not rule.Verdict.ALREADY_LATE
        and facts.supplement_requests == rule.SUPPLEMENT_REQUESTS_ALLOWED
        and facts.status in rule.CLOCK_RUNNING
    ):
        hints.append(Hint(Effect.SECOND_REQUEST_LATE, False))
    if facts.status in RESULT_READY and not item.result_file:
        hints.append(Hint(Effect.NO_E_RESULT, True, today))
    if item.fee_bearing and not item.payable_online:
        hints.append(Hint(Effect.FEE_NOT_ONLINE, True, today))
    elif item.fee_bearing and facts.status in rule.WAITING_FOR_FEE and not item.paid_online:
        hints.append(Hint(Effect.FEE_NOT_PAID_ONLINE, False))
    return tuple(hints)


def feedback_hints(item: FeedbackItem, today: date, calendar: Calendar) -> tuple[Hint, ...]:
    """A feedback item's effects: late (5.2) the day after its due date, as the queue marks it overdue, or
    already, paused or not, when a late answer given as fixed was reopened or when its first request for
    information was late (the dashboard's "overdue"). One late hint: the most pressing."""
    if not item.open:
        return ()
    if item.due is not None and item.due < today:
        return (Hint(Effect.FEEDBACK_LATE, True, today),)
    if item.reopened_late:
        return (Hint(Effect.FEEDBACK_REOPENED_LATE, True, today),)
    if item.info_request_late:
        return (Hint(Effect.FEEDBACK_INFO_LATE, True, today),)
    if item.due is None:
        return ()
    if item.due <= week_end(today):
        return (
            Hint(Effect.FEEDBACK_DUE_SOON, True, item.due, calendar.working_days_between(today, item.due)),
        )
    return ()


def costs_this_week(hints: tuple[Hint, ...], today: date) -> bool:
    """The item will cost points by the end of this week unless someone acts (or costs already)."""
    end = week_end(today)
    return any(hint.costs and hint.by is not None and hint.by <= end for hint in hints)
