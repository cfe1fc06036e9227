"""The citizen's rating of a dossier's handling (issue 11 item 7; VIETNAM.md §5 and §7.2 row 5.4). Pure.

VIETNAM.md §5, "Per-dossier satisfaction rating" (a provincial one-stop system, unofficial secondary
source): 9 criteria × 2 points, with an overall Không hài lòng / Hài lòng / Rất hài lòng. Here the overall
answer is required and the criteria are optional (a citizen on a cheap phone may answer only the one
question); "not satisfied" needs a reason, which the office reads. A dossier is rated once, by its
applicant, after the result was handed over (status 10). Indicator 5.4 counts a "not satisfied" as a
dislike; "satisfied" and "very satisfied" are both satisfied.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from portal.domain.dossier_status import DossierStatus

# The 9 criteria in the source's order (keys; the UI translates them).
CRITERIA = (
    "total_time",  # total time compared with the legal limit
    "time_per_agency",  # time taken at each agency
    "contacts",  # how many times the applicant had to come or call
    "agencies",  # how many agencies the applicant had to deal with
    "one_stop",  # handled through the one-stop desk
    "publicity",  # the procedure was publicly posted
    "attitude",  # staff attitude
    "complaints",  # how complaints were handled
    "online",  # progress and quality of the online service
)
POINTS_PER_CRITERION = 2  # each criterion scores 0, 1 or 2
UNANSWERED = "-"  # a criterion left out, in the stored string of scores
REASON_MAX = 1000


class Overall(StrEnum):
    VERY_SATISFIED = "very_satisfied"  # Rất hài lòng
    SATISFIED = "satisfied"  # Hài lòng
    UNSATISFIED = "unsatisfied"  # Không hài lòng


SATISFIED = frozenset({Overall.VERY_SATISFIED, Overall.SATISFIED})
RATEABLE = frozenset({DossierStatus.RETURNED})  # after the result was returned


def may_rate(status: DossierStatus, already_rated: bool) -> bool:
    """Once, after the result was handed over."""
    return status in RATEABLE and not already_rated


def problem(overall: Overall, reason: str) -> str | None:
    """Why the answer cannot be kept ("reason_required"), or None."""
    if overall is Overall.UNSATISFIED and not reason.strip():
        return "reason_required"
    return None


def encode(scores: Mapping[str, int | None]) -> str:
    """The criteria's scores as one character each, in CRITERIA order ("2", "1", "0" or "-")."""
    unknown = set(scores) - set(CRITERIA)
    if unknown:
        raise ValueError(f"unknown criteria: {', '.join(sorted(unknown))}")
    out = []
    for key in CRITERIA:
        value = scores.get(key)
        if value is None:
            out.append(UNANSWERED)
        elif 0 <= value <= POINTS_PER_CRITERION:
            out.append(str(value))
        else:
            raise ValueError(f"{key} must be 0..{POINTS_PER_CRITERION}")
    return "".join(out)


def decode(stored: str) -> dict[str, int | None]:
    return {
        key: None if char == UNANSWERED else int(char) for key, char in zip(CRITERIA, stored, strict=True)
    }


def total(stored: str) -> tuple[int, int]:
    """(points, maximum) over the answered criteria."""
    answered = [value for value in decode(stored).values() if value is not None]
    return sum(answered), POINTS_PER_CRITERION * len(answered)
