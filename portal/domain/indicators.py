"""Dashboard figures and Decision 766/QĐ-TTg service-quality points (VIETNAM.md §7). Pure: stdlib only.

The app counts plain facts for one agency (or the province) over a date range and passes them in;
everything here is arithmetic on those counts. Statuses are the national codes of §4; "at the end" means
at the end of the range (now, when the range ends today). Rates and points are exact `Fraction`s;
round only for display, with `percent`/`decimal` (half-up), so the screen and the CSV agree.

Formulas follow VIETNAM.md §7.2 (unofficial secondary sources; confirm against VPCP's guidance).
Scoring rule: rate at or above the threshold → full points; below → rate × max / threshold; an
indicator without a threshold scores rate × max.

Not applicable: a rate whose denominator is 0 is None. Its points are None too: full points are NOT
awarded; the indicator is reported as not applicable and left out of the group and overall totals
and of their maxima (our choice; §7 is silent). "No data" (`NO_DATA`) is the same for an indicator whose
source does not exist yet for the scope (5.4 before its first dossier rating, 5.3 before its first rating
of an answered report): it scores nothing.

The dashboard's counts (`Figures`) come from one definition each, the 2.1 population's four buckets of
`portal.domain.timeliness`, so they cannot contradict each other: processed = on time + late, handled =
processed + open within + overdue now, 2.1's rate = (on time + open within) ÷ handled. "Overdue" is one
definition too (`is_overdue`): the staff queue's mark and the dashboard's "overdue now" are both it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

from portal.domain import timeliness


def _check(facts: object, parts: tuple[tuple[str, str], ...]) -> None:
    for f in fields(facts):  # type: ignore[arg-type]
        if getattr(facts, f.name) < 0:
            raise ValueError(f"{f.name} must not be negative")
    for part, whole in parts:
        if getattr(facts, part) > sum(getattr(facts, w) for w in whole.split("+")):
            raise ValueError(f"{part} must not exceed {whole}")


@dataclass(frozen=True)
class DossierFacts:
    """Dossier counts for one scope and range. Each dossier is counted at most once per field."""

    received: int = 0  # reached status 2 (received) in the range, any channel, any status now
    online_qualifying: int = 0  # of `received`: channel 2 (KenhThucHien = online), all but those whose
    #                                  procedure has a paper result and that reached 9/10 with no
    #                                  electronic result file (3.3; `ONLINE_SHARE`)
    fee_bearing: int = 0  # of `received`: at least one fee line above 0 (3.6 denominator)
    paid_online: int = 0  # of `fee_bearing`: fee settled online (portal/VietQR; national
    #                                  DuocThanhToanTrucTuyen 1 or 2), not cash at the counter
    digitised: int = 0  # of `received`: at least one attached file (uploaded or scanned)
    #                                  and, if it reached 9/10 and its result is paper, an e-result (4.2)
    results_ready: int = 0  # reached status 9 (processed) in the range, whenever received
    withdrawn: int = 0  # reached status 7 (withdrawn) in the range
    processing_days_total: int = 0  # sum over `results_ready` of working days from the receipt day to
    #                                  the day it reached 9 (Calendar.working_days_between), minus
    #                                  working days spent waiting in status 5 for the citizen (2.2)
    paper_results: int = 0  # of `results_ready`: the procedure's result is a paper document
    e_results: int = 0  # of `paper_results`: an electronic result file is attached (4.1)
    # 2.1 population: dossiers that ended in the range plus dossiers received by its end and still
    # open at the end, each in exactly one of the next four fields, by `portal.domain.timeliness`
    # (the one statement of the rule; `CASE_BUCKET` gives the field of each case). The end is when it
    # reached 9; if never, 10; if never, 8 (stopped); a dossier waiting in 5 at the end ended at that
    # request; a dossier refused at intake (3) ended at its refusal, on time. Withdrawn (7) dossiers are
    # not in it. Status 6 counts as open.
    finished_on_time: int = 0  # ended on or before the appointment date (NgayHenTra) pushed back by
    #                                  the citizen's supplement time, with at most one supplement request
    finished_late: int = 0  # ended after that date, or ended with more than one supplement request
    open_within_deadline: int = 0  # open (2, 4, 6) at the end, appointment date not passed (6: not
    #                                  passed when the fee was requested)
    open_overdue: int = 0  # open (2, 4, 6) at the end, appointment date passed ("overdue now"; 6: passed
    #                                  when the fee was requested), or already more than one supplement request
    complained: int = 0  # of `finished_on_time` + `open_within_deadline`: the subject of a
    #                                  feedback item or rated unsatisfied by the end (5.4; late ones are
    #                                  not recounted)
    rated: int = 0  # dossiers the citizen rated in the range (once each, after the result was returned)
    satisfied: int = 0  # of `rated`: rated "satisfied" or "very satisfied"

    def __post_init__(self) -> None:
        _check(
            self,
            (
                ("online_qualifying", "received"),
                ("fee_bearing", "received"),
                ("paid_online", "fee_bearing"),
                ("digitised", "received"),
                ("paper_results", "results_ready"),
                ("e_results", "paper_results"),
                ("complained", "finished_on_time+open_within_deadline"),
                ("satisfied", "rated"),
            ),
        )

    @property
    def ended(self) -> int:
        """Of the 2.1 population, ended in the range: result ready or returned, stopped, refused at intake,
        or waiting for the citizen's documents at the end (the dashboard's "processed")."""
        return self.finished_on_time + self.finished_late

    @property
    def open(self) -> int:
        """Of the 2.1 population, open at the end (2, 4, 6)."""
        return self.open_within_deadline + self.open_overdue

    @property
    def handled(self) -> int:
        """The 2.1 population."""
        return self.ended + self.open


@dataclass(frozen=True)
class FeedbackFacts:
    """Feedback (PAKN) counts for one scope and range; deadlines per category, VIETNAM.md §6.2."""

    received: int = 0  # first submitted in the range (a reopening is not a new item)
    # 5.2 population: items that ended (answered and published, or refused) in the range plus items
    # open at the end, each in exactly one of the next four fields.
    handled_on_time: int = 0  # every step met its deadline: refuse ≤ 2 WD, first request for
    #                                  information ≤ 5 WD, answer ≤ 15 WD (from submission or
    #                                  forwarding), publish ≤ 2 WD
    handled_late: int = 0  # ended, with at least one step past its deadline
    open_within_deadline: int = 0  # open (new, accepted, info_requested) at the end, within its deadline
    open_overdue: int = 0  # open at the end, past its deadline
    unsatisfactory: int = 0  # of `received`: late, or rated unsatisfied, or reopened/resubmitted
    #                                  with a complaint — counted once however many apply (5.3)
    satisfied: int = 0  # ratings "satisfied" given in the range
    unsatisfied: int = 0  # ratings "unsatisfied" given in the range (final or reopening)

    @property
    def rated(self) -> int:
        """Ratings given in the range, either way (the dashboard's feedback satisfaction counts these)."""
        return self.satisfied + self.unsatisfied

    def __post_init__(self) -> None:
        _check(self, (("unsatisfactory", "received"),))


@dataclass(frozen=True)
class CatalogFacts:
    """The scope's procedures at the end of the range (each procedure once, also for the province)."""

    procedures: int = 0  # active procedures in the scope's remit
    online_procedures: int = 0  # of `procedures`: offered online, fully or partly (3.1)
    fee_procedures: int = 0  # of `procedures`: a fee or charge above 0
    online_payment_procedures: int = 0  # of `fee_procedures`: online payment enabled (3.5)
    paid_online_procedures: int = 0  # of `online_payment_procedures`: ≥ 1 dossier paid online in
    #                                      the range (3.5b)

    def __post_init__(self) -> None:
        _check(
            self,
            (
                ("online_procedures", "procedures"),
                ("fee_procedures", "procedures"),
                ("online_payment_procedures", "fee_procedures"),
                ("paid_online_procedures", "online_payment_procedures"),
            ),
        )


def rate(numerator: int, denominator: int) -> Fraction | None:
    """numerator ÷ denominator, or None (not applicable) when the denominator is 0."""
    return Fraction(numerator, denominator) if denominator else None


def points(value: Fraction | None, max_points: int | Fraction, threshold: Fraction | None) -> Fraction | None:
    """§7.2: full points at or above the threshold, else value × max / threshold; None when N/A."""
    if value is None:
        return None
    if threshold is None:
        return value * max_points
    return Fraction(max_points) if value >= threshold else value * max_points / threshold


# The one rule of the online share (Decision 766 indicator 3.3, VIETNAM.md §7.2): dossiers received
# online (KenhThucHien = 2), with an electronic result when the result is a paper document, out of every
# dossier received, any channel. Its "× sync rate" factor is 1: the portal is the system of record for its
# own dossiers. The fields of `DossierFacts` (numerator, denominator): the dashboard's "Submitted online"
# figure, indicator 3.3 and the list of the dossiers behind the figure all read these two.
ONLINE_SHARE: tuple[str, str] = ("online_qualifying", "received")


def online_dossiers(d: DossierFacts) -> tuple[int, int]:
    """`ONLINE_SHARE`'s (numerator, denominator) for these facts."""
    numerator, denominator = ONLINE_SHARE
    return getattr(d, numerator), getattr(d, denominator)


Counts = Callable[[DossierFacts, FeedbackFacts, CatalogFacts], tuple[int, int]]

# Indicator id → (label key for the UI's translations, (numerator, denominator)).
FORMULAS: Mapping[str, tuple[str, Counts]] = MappingProxyType(
    {
        "2.1": ("on_time_dossiers", lambda d, f, c: (d.finished_on_time + d.open_within_deadline, d.handled)),
        "3.1": ("online_procedures", lambda d, f, c: (c.online_procedures, c.procedures)),
        "3.3": ("online_dossiers", lambda d, f, c: online_dossiers(d)),
        "3.5": ("online_payment_procedures", lambda d, f, c: (c.online_payment_procedures, c.fee_procedures)),
        "3.5b": (
            "procedures_paid_online",
            lambda d, f, c: (c.paid_online_procedures, c.online_payment_procedures),
        ),
        "3.6": ("dossiers_paid_online", lambda d, f, c: (d.paid_online, d.fee_bearing)),
        "4.1": ("electronic_results", lambda d, f, c: (d.e_results, d.paper_results)),
        "4.2": ("digitised_dossiers", lambda d, f, c: (d.digitised, d.received)),
        "5.2": (
            "feedback_on_time",
            lambda d, f, c: (
                f.handled_on_time + f.open_within_deadline,
                f.handled_on_time + f.handled_late + f.open_within_deadline + f.open_overdue,
            ),
        ),
        "5.3": ("feedback_satisfaction", lambda d, f, c: (f.received - f.unsatisfactory, f.received)),
        # 100% − (late share + share with feedback or a dislike); `complained` excludes the late ones.
        # No data (NO_DATA) until the scope has a dossier rating in the range.
        "5.4": (
            "dossier_satisfaction",
            lambda d, f, c: (d.finished_on_time + d.open_within_deadline - d.complained, d.handled),
        ),
    }
)

# Indicator id → when its source data does not exist for the scope and range: the line shows "no data"
# and scores nothing (as not applicable). 5.4 before any rating would be 2.1's on-time share again, and 5.3
# before any rating 5.2's, with full points for satisfaction nobody expressed (the dashboard showed "5.3
# 100 %, 6/6" beside its own "feedback satisfaction: no data" for a week without a rating).
NO_DATA: Mapping[str, Callable[[DossierFacts, FeedbackFacts, CatalogFacts], bool]] = MappingProxyType(
    {"5.3": lambda d, f, c: f.rated == 0, "5.4": lambda d, f, c: d.rated == 0}
)

P80, P50, P90 = Fraction(4, 5), Fraction(1, 2), Fraction(9, 10)

# Indicator id → (max points, threshold or None). Groups are the id's prefix (3 = online services,
# 4 = digitisation). Choices for §7.2's conflicts: group 5 = 5.2, 5.3, 5.4 at 6 each (5.1 tracked only);
# the 12 shared online-service points go 6 to 3.1 and 6 to 3.3 (the full-online share has no formula).
# Group 1 and 4.3–4.5 need data the portal does not hold and are left out. Change with
# `{**DEFAULT_TABLE, "3.1": (12, P80)}` and pass as `table=`.
DEFAULT_TABLE: Mapping[str, tuple[int | Fraction, Fraction | None]] = MappingProxyType(
    {
        "2.1": (20, None),
        "3.1": (6, P80),
        "3.3": (6, P50),
        "3.5": (2, P80),
        "3.5b": (2, None),
        "3.6": (6, None),
        "4.1": (6, None),
        "4.2": (4, P80),
        "5.2": (6, None),
        "5.3": (6, None),
        "5.4": (6, P90),
    }
)


@dataclass(frozen=True)
class Line:
    id: str
    label: str  # label key, e.g. "on_time_dossiers"
    rate: Fraction | None  # None: not applicable
    points: Fraction | None  # None: not applicable (not counted in totals or maxima)
    max_points: Fraction  # the table's maximum, shown even when not applicable
    no_data: bool = False  # NO_DATA: the source does not exist yet (rate and points None)


@dataclass(frozen=True)
class Total:
    group: str
    points: Fraction  # sum over applicable lines
    max_points: Fraction  # sum of their maxima


@dataclass(frozen=True)
class Scorecard:
    lines: tuple[Line, ...]
    groups: tuple[Total, ...]  # in the table's order of first appearance
    points: Fraction
    max_points: Fraction


def score(
    dossiers: DossierFacts,
    feedback: FeedbackFacts,
    catalog: CatalogFacts,
    table: Mapping[str, tuple[int | Fraction, Fraction | None]] = DEFAULT_TABLE,
) -> Scorecard:
    """Per-indicator rates and points (VIETNAM.md §7.2) with group and overall totals."""
    unknown = sorted(set(table) - set(FORMULAS))
    if unknown:
        raise ValueError(f"no formula for indicator(s) {', '.join(unknown)}")
    lines = []
    for key, (max_points, threshold) in table.items():
        label, counts = FORMULAS[key]
        missing = key in NO_DATA and NO_DATA[key](dossiers, feedback, catalog)
        value = None if missing else rate(*counts(dossiers, feedback, catalog))
        lines.append(
            Line(key, label, value, points(value, max_points, threshold), Fraction(max_points), missing)
        )
    groups: dict[str, list[Fraction]] = {}
    for line in lines:
        total = groups.setdefault(line.id.split(".")[0], [Fraction(0), Fraction(0)])
        if line.points is not None:
            total[0] += line.points
            total[1] += line.max_points
    totals = tuple(Total(g, p, m) for g, (p, m) in groups.items())
    return Scorecard(
        tuple(lines),
        totals,
        sum((t.points for t in totals), Fraction(0)),
        sum((t.max_points for t in totals), Fraction(0)),
    )


@dataclass(frozen=True)
class Figures:
    """The dashboard's plain figures (issue 6 item 5); shares are None when not applicable."""

    received: int  # reached 2 (received) in the range
    handled: int  # the 2.1 population: processed + open_within + overdue_now
    processed: int  # ended in the range (DossierFacts.ended) = on_time + late
    on_time: int  # ended on time (2.1's rule)
    late: int  # ended late
    open_within: int  # open at the end, within the deadline
    overdue_now: int  # open at the end and overdue (`is_overdue`)
    online_submission_share: Fraction | None  # indicator 3.3's rate (`ONLINE_SHARE`)
    online_payment_share: Fraction | None
    digitised_share: Fraction | None
    average_processing_days: Fraction | None  # indicator 2.2, display only: working days
    feedback_received: int
    feedback_on_time_share: Fraction | None  # indicator 5.2's rate
    dossier_satisfaction: Fraction | None  # satisfied ÷ rated dossiers
    feedback_satisfaction: Fraction | None  # satisfied ÷ (satisfied + unsatisfied) ratings


def figures(d: DossierFacts, f: FeedbackFacts) -> Figures:
    """Dashboard figures from the same facts as `score`, so the two never disagree."""
    return Figures(
        d.received,
        d.handled,
        d.ended,
        d.finished_on_time,
        d.finished_late,
        d.open_within_deadline,
        d.open_overdue,
        rate(*online_dossiers(d)),
        rate(d.paid_online, d.fee_bearing),
        rate(d.digitised, d.received),
        rate(d.processing_days_total, d.results_ready),
        f.received,
        rate(*FORMULAS["5.2"][1](d, f, CatalogFacts())),
        rate(d.satisfied, d.rated),
        rate(f.satisfied, f.rated),
    )


OVERDUE = "overdue"  # the bucket of `portal.domain.timeliness` that "overdue" names


def is_overdue(facts: timeliness.Facts, today: date) -> bool:
    """The one definition of "overdue" (Quá hạn) for a dossier on `today` (local): in 2.1's population,
    not ended, and late already: its clock ran past the legal due date (2, 4), its fee was asked for after
    that date (6), or it has had more than one supplement request. A dossier whose result is ready (9) or
    returned (10), stopped, refused, withdrawn or waiting for the citizen's documents is never overdue,
    whatever today is. The dashboard's "overdue now" counts these; the staff queue marks these.
    """
    return timeliness.bucket(facts, today) == OVERDUE


def decimal(value: Fraction | None, places: int = 2) -> Decimal | None:
    """`value` rounded half-up (away from zero) to `places` decimals, for display and CSV; None stays None."""
    if value is None:
        return None
    units = math.floor(abs(value) * 10**places + Fraction(1, 2))  # exact: no float, no context precision
    return Decimal(units if value >= 0 else -units).scaleb(-places)


def percent(value: Fraction | None, places: int = 1) -> Decimal | None:
    """A rate as a percentage rounded half-up, e.g. Fraction(2, 3) → Decimal("66.7")."""
    return None if value is None else decimal(value * 100, places)
