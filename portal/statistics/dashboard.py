"""Dashboard facts: our data counted per agency (or the whole province) over a date range.

The queries (`portal.statistics.queries`) fill the documented facts of `portal.domain.indicators` (read
each field's comment there first); everything after the counting (rates, points, rounding) is that pure
module's job, so the screen, the CSV export and the public statistics page all agree.

Ranges are local (Asia/Ho_Chi_Minh) calendar days: [first 00:00, last + 1 day 00:00) as UTC instants.
"At the end" is the end of the range (now, when the range ends today). Counts are aggregate SQL; only
what needs the working-day calendar is computed in Python over narrow rows of the range (processing
days of the dossiers finished in the range, and the feedback deadlines).

Where our data cannot support a definition exactly, the approximation is written where it is made,
marked "Approximation:". In short:
* every procedure's result is treated as a paper document (the catalogue has no result-type field),
  so `paper_results` = `results_ready` and an "electronic result" is an attached result file;
* online payment is enabled for every fee-bearing procedure (any fee request gets a VietQR
  reference, whatever the channel), so 3.5 is 100% wherever fees exist; "paid online" is a payment
  settled by bank transfer (cash and counter confirmations are not online);
* no dossier is linked to a feedback item, so `complained` counts the on-time dossiers rated "not
  satisfied" only; until the scope has a dossier rating in the range, 5.4 has no data and scores nothing;
* status changes without their own column (withdrawn 7, stopped 8) and feedback ratings are read
  from the event log; the legal due date is the stored `original_appointment_on` (the receipt's
  appointment pushed back by closed pauses, fee pauses included), which for past ranges may include
  pauses that closed after the range; a dossier waiting for its fee (6) has its clock stopped and
  is overdue only if it already was when the fee was requested;
* feedback: an answer is published with it, so the 2-day publishing step is always met; an item
  reopened and answered again keeps only its last answer time, except that an answer given as fixed
  which the citizen reopened ("not fixed") and which was late keeps the item late (its day and
  deadline are kept with the fix); "resubmitted with a complaint" is another report marked a
  duplicate of it;
* feedback and dossiers belong to the agency that holds them now (a forwarded item counts for the
  agency it was forwarded to); a commune's remit is the commune-level procedures, a department's
  the provincial ones naming it, as `receiving_agency` routes dossiers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text

from portal.domain.indicators import (
    CatalogFacts,
    DossierFacts,
    FeedbackFacts,
    Figures,
    Scorecard,
    figures,
    score,
)
from portal.extensions import db

from .queries.catalog import DAILY_CHART_DAYS, catalog_facts, received_series, remit
from .queries.dossiers import dossier_facts
from .queries.feedback import feedback_facts
from .queries.sql import Period, Scope, instant

__all__ = [
    "DAILY_CHART_DAYS",
    "CatalogFacts",
    "Dashboard",
    "DossierFacts",
    "FeedbackFacts",
    "Period",
    "Scope",
    "build",
    "catalog_facts",
    "dossier_facts",
    "feedback_facts",
    "instant",
    "received_series",
    "remit",
]


@dataclass(frozen=True)
class Dashboard:
    scope: Scope
    period: Period
    dossiers: DossierFacts
    feedback: FeedbackFacts
    catalog: CatalogFacts
    scorecard: Scorecard
    figures: Figures
    received_by: str  # "day" or "month"
    received_series: tuple[tuple[date, int], ...]


def build(scope: Scope, period: Period) -> Dashboard:
    if db.session.get_bind().dialect.name == "postgresql":
        # The per-dossier lookups make the planner's cost estimates large enough to switch on JIT
        # compilation, which then takes ~10 times longer than the queries themselves (measured with
        # 100,000 dossiers and feedback items: 1 s of JIT for 0.1 s of work). For this transaction only.
        db.session.execute(text("SET LOCAL jit = off"))
    dossiers, feedback = dossier_facts(scope, period), feedback_facts(scope, period)
    catalog = catalog_facts(scope, period)
    by, series = received_series(scope, period)
    return Dashboard(
        scope,
        period,
        dossiers,
        feedback,
        catalog,
        score(dossiers, feedback, catalog),
        figures(dossiers, feedback),
        by,
        series,
    )
