"""Decision 766 indicator 2.1, "handled early or on time", for one dossier. Pure: stdlib only.

VIETNAM.md §7.2 row 2.1: "(finished on time + still open within deadline) ÷ dossiers received or handled.
On time = end ≤ appointment date (NgayHenTra); end = 'processed' > 'result returned' > 'stopped/refused';
citizen supplement time subtracted; an unanswered supplement request counts as the end; > 1 supplement
request = late."

This module is the one statement of that rule. The dossier page (`portal.dossiers.deadlines.timeliness`)
applies `judge` to one dossier; the dashboard's SQL (`portal.statistics.queries.dossiers`) builds its CASE
from the same named sets, end order and threshold, case by case in the order of `CASES`, and
tests/statistics/test_timeliness_agreement.py checks on random dossiers of every status that the two
agree.

How our data maps onto the rule:
* the appointment date is the legal due date `original_appointment_on`: the receipt's date pushed back
  by the closed pauses (the citizen's supplement time, and the fee time, is subtracted there); a later
  date promised by an apology (form 04) does not excuse lateness;
* all days are local (Asia/Ho_Chi_Minh) calendar dates of the stored instants;
* fee requests (status 6): VIETNAM.md §4 marks the clock "paused" (reporting bucket "Tạm dừng" = 5 + 6 +
  8; "[verify]" against the rules of each fee). A paused clock is judged where it stopped: the dossier is
  open, within its deadline if the fee was requested by the due date, overdue if the request came after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from portal.domain.dossier_status import ON_THE_CLOCK, DossierStatus

# The due date of an open item that has none: it sorts after every real date (queue keys, 766 hints).
FAR_FUTURE = date(9999, 12, 31)

S = DossierStatus

# --- the population: "dossiers received or handled" --------------------------------------------------
# Never received (1 waits for the desk), or taken back by the citizen (7): not judged. Every other
# status with a legal due date is in it, and so are dossiers refused at intake (3): §7.2 row 2.1 names
# "stopped/refused" among the ends, so a refusal is handled, and it counts where it happened.
OUTSIDE_POPULATION = frozenset({S.SUBMITTED, S.WITHDRAWN})
# Refused at intake (form 03): ended by the refusal, before any appointment date existed. The refusal
# answers the request at the desk and nothing was promised that could be missed, so it ends by its due
# date: on time (Case.REFUSED_AT_INTAKE). Without a recorded refusal moment it cannot be placed in a
# range and is not judged.
REFUSED_AT_INTAKE = frozenset({S.REFUSED})

# --- the end: "processed" > "result returned" > "stopped" > an unanswered supplement request ---------
# Which moments end a dossier, in order of precedence (the first one present is the end).
END_ORDER = ("finished", "returned", "stopped", "refused", "waiting_for_documents")
# The stop moment ends a dossier only while it is stopped; an open supplement request only while it
# waits for the documents.
STOPPED = frozenset({S.STOPPED})
WAITING_FOR_DOCUMENTS = frozenset({S.SUPPLEMENT_REQUESTED})
# Open with the clock stopped for the fee: judged on the day the fee was requested.
WAITING_FOR_FEE = frozenset({S.FEE_REQUESTED})
# Open with the clock running: judged today. (ON_THE_CLOCK is 2 received and 4 processing.)
CLOCK_RUNNING = ON_THE_CLOCK

# --- the supplement threshold ----------------------------------------------------------------------
# How many supplement requests a dossier may have and still be on time; counted over the supplement
# pauses only (not fee pauses), answered or not.
SUPPLEMENT_REQUESTS_ALLOWED = 1


def too_many_requests(supplement_requests: int) -> bool:
    """More than the allowed supplement requests: late, whatever the dates."""
    if supplement_requests < 0:
        raise ValueError("supplement_requests must not be negative")
    return supplement_requests > SUPPLEMENT_REQUESTS_ALLOWED


class Verdict(StrEnum):
    """One dossier's place in indicator 2.1."""

    EARLY = "early"  # ended before the due date
    ON_TIME = "on_time"  # ended on the due date
    LATE = "late"  # ended after the due date, or ended with too many supplement requests
    ALREADY_LATE = "already_late"  # open, but too many supplement requests already make it late
    OVERDUE = "overdue"  # open, its due date passed while its clock ran
    WITHIN = "within"  # open, within its deadline


# The dashboard's four counts (DossierFacts): ended on time / late, open within / overdue.
BUCKET: dict[Verdict, str] = {
    Verdict.EARLY: "on_time",
    Verdict.ON_TIME: "on_time",
    Verdict.LATE: "late",
    Verdict.ALREADY_LATE: "overdue",  # still open: counted with the open ones, never within
    Verdict.OVERDUE: "overdue",
    Verdict.WITHIN: "within",
}


class Case(StrEnum):
    """The ordered cases of the rule: the first that applies decides (`judge`, and the SQL CASE)."""

    OUTSIDE = "outside"  # status in OUTSIDE_POPULATION, or no due date: not judged
    REFUSED_AT_INTAKE = "refused_at_intake"  # refused at intake, with its refusal day → ON_TIME
    ENDED_TOO_MANY = "ended_too_many"  # ended, more than the allowed requests → LATE
    ENDED_AFTER_DUE = "ended_after_due"  # ended, end day > due → LATE
    ENDED_BY_DUE = "ended_by_due"  # ended, end day ≤ due → EARLY (<) or ON_TIME (=)
    OPEN_TOO_MANY = "open_too_many"  # open, more than the allowed requests → ALREADY_LATE
    FEE_AFTER_DUE = "fee_after_due"  # waiting for the fee, requested after the due day → OVERDUE
    RUNNING_PAST_DUE = "running_past_due"  # clock running, today > due → OVERDUE
    OPEN_WITHIN = "open_within"  # any other open dossier → WITHIN


CASES = tuple(Case)


@dataclass(frozen=True)
class Facts:
    """What the rule reads of one dossier; days are local calendar dates, None when absent."""

    status: DossierStatus
    due: date | None  # the legal due date (original_appointment_on)
    supplement_requests: int = 0  # supplement pauses, answered or not
    finished: date | None = None  # reached 9 "processed"
    returned: date | None = None  # reached 10 "result returned"
    stopped: date | None = None  # reached 8 "stopped" (read only while status is 8)
    refused: date | None = None  # reached 3 "refused at intake" (read only while status is 3)
    waiting_since: date | None = None  # the open supplement request (read only while status is 5)
    fee_requested: date | None = None  # the open fee request (read only while status is 6)


def end_day(facts: Facts) -> date | None:
    """The end of the dossier by END_ORDER, or None while it is open."""
    moments = {
        "finished": facts.finished,
        "returned": facts.returned,
        "stopped": facts.stopped if facts.status in STOPPED else None,
        "refused": facts.refused if facts.status in REFUSED_AT_INTAKE else None,
        "waiting_for_documents": facts.waiting_since if facts.status in WAITING_FOR_DOCUMENTS else None,
    }
    return next((moments[name] for name in END_ORDER if moments[name] is not None), None)


def case_of(facts: Facts, today: date) -> Case:
    """The first case of CASES that applies to the dossier."""
    if facts.status in REFUSED_AT_INTAKE:
        return Case.OUTSIDE if facts.refused is None else Case.REFUSED_AT_INTAKE
    if facts.status in OUTSIDE_POPULATION or facts.due is None:
        return Case.OUTSIDE
    end = end_day(facts)
    too_many = too_many_requests(facts.supplement_requests)
    if end is not None:
        if too_many:
            return Case.ENDED_TOO_MANY
        return Case.ENDED_AFTER_DUE if end > facts.due else Case.ENDED_BY_DUE
    if too_many:
        return Case.OPEN_TOO_MANY
    if (
        facts.status in WAITING_FOR_FEE
        and facts.fee_requested is not None
        and facts.fee_requested > facts.due
    ):
        return Case.FEE_AFTER_DUE
    if facts.status in CLOCK_RUNNING and today > facts.due:
        return Case.RUNNING_PAST_DUE
    return Case.OPEN_WITHIN


_VERDICT: dict[Case, Verdict] = {
    Case.REFUSED_AT_INTAKE: Verdict.ON_TIME,
    Case.ENDED_TOO_MANY: Verdict.LATE,
    Case.ENDED_AFTER_DUE: Verdict.LATE,
    Case.OPEN_TOO_MANY: Verdict.ALREADY_LATE,
    Case.FEE_AFTER_DUE: Verdict.OVERDUE,
    Case.RUNNING_PAST_DUE: Verdict.OVERDUE,
    Case.OPEN_WITHIN: Verdict.WITHIN,
}


def verdict_of(case: Case, facts: Facts) -> Verdict | None:
    """The verdict a case gives (None outside the population)."""
    if case is Case.OUTSIDE:
        return None
    if case is Case.ENDED_BY_DUE:
        end = end_day(facts)
        return (
            Verdict.EARLY
            if end is not None and facts.due is not None and end < facts.due
            else Verdict.ON_TIME
        )
    return _VERDICT[case]


# The dashboard count of each case (ENDED_BY_DUE is on time whether early or not): the SQL CASE yields
# the case, this turns it into the count.
CASE_BUCKET: dict[Case, str] = {
    case: BUCKET[Verdict.ON_TIME if case is Case.ENDED_BY_DUE else _VERDICT[case]]
    for case in CASES
    if case is not Case.OUTSIDE
}


def judge(facts: Facts, today: date) -> Verdict | None:
    """Indicator 2.1's verdict on one dossier as of `today` (local), None when it is not in the population."""
    return verdict_of(case_of(facts, today), facts)


def bucket(facts: Facts, today: date) -> str | None:
    """The dashboard count the dossier falls in: "on_time", "late", "within", "overdue" (or None)."""
    verdict = judge(facts, today)
    return None if verdict is None else BUCKET[verdict]
