"""The items behind each dashboard figure (issue 16 item 12): the same definitions as the counts, listing
instead of counting, so a list's length is its figure (for a share: its numerator, shown "n of m").

Every set comes from the query modules' own conditions (`queries.dossiers.received_parts`, `dossier_ids`,
`queries.feedback.judged_feedback`, …), never from a second spelling of a rule. A set is a list of ids of one
kind: dossiers, feedback items, or feedback ratings (the rating events, since the satisfaction share counts
ratings, not items).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from portal.domain.indicators import ONLINE_SHARE
from portal.dossiers.models import Dossier, DossierRating
from portal.events.models import Event
from portal.extensions import db
from portal.feedback.models import Feedback

from .queries import dossiers as dq
from .queries import feedback as fq
from .queries.sql import Period, Scope

DOSSIER, FEEDBACK, RATING = "dossier", "feedback", "rating"


@dataclass(frozen=True)
class ItemSet:
    kind: str  # DOSSIER, FEEDBACK or RATING
    ids: list[int]  # newest first
    of: int | None = None  # for a share: the size of the population it is a share of


def _dossiers_received(part: str, scope: Scope, period: Period) -> list[int]:
    condition = dq.received_parts(period)[part]
    return list(db.session.scalars(select(Dossier.id).where(dq.received_in(scope, period), condition)))


def _buckets(*buckets: str) -> Callable[[Scope, Period], ItemSet]:
    def build(scope: Scope, period: Period) -> ItemSet:
        ids: set[int] = set()
        for bucket in buckets:
            ids |= dq.dossier_ids(bucket, scope, period)
        return ItemSet(DOSSIER, sorted(ids))

    return build


def _share(part: str, of: str) -> Callable[[Scope, Period], ItemSet]:
    def build(scope: Scope, period: Period) -> ItemSet:
        return ItemSet(
            DOSSIER, _dossiers_received(part, scope, period), len(_dossiers_received(of, scope, period))
        )

    return build


def _received(scope: Scope, period: Period) -> ItemSet:
    return ItemSet(DOSSIER, _dossiers_received("received", scope, period))


def _results_ready(scope: Scope, period: Period) -> ItemSet:
    return ItemSet(
        DOSSIER, list(db.session.scalars(select(Dossier.id).where(dq.results_ready_in(scope, period))))
    )


def _satisfied_dossiers(scope: Scope, period: Period) -> ItemSet:
    def rated(satisfied_only: bool) -> list[int]:
        return list(
            db.session.scalars(
                select(DossierRating.dossier_id)
                .join(Dossier, Dossier.id == DossierRating.dossier_id)
                .where(dq.rated_in(scope, period, satisfied_only))
            )
        )

    return ItemSet(DOSSIER, rated(True), len(rated(False)))


def _feedback_received(scope: Scope, period: Period) -> ItemSet:
    return ItemSet(
        FEEDBACK, list(db.session.scalars(select(Feedback.id).where(fq.received_in(scope, period))))
    )


def _feedback_on_time(scope: Scope, period: Period) -> ItemSet:
    judged = fq.judged_feedback(scope, period)
    return ItemSet(FEEDBACK, [i for i, bucket, _u in judged if bucket in ("on_time", "within")], len(judged))


def _feedback_satisfied(scope: Scope, period: Period) -> ItemSet:
    def ratings(actions: tuple[str, ...]) -> list[int]:
        return list(
            db.session.scalars(
                select(Event.id)
                .join(Feedback, Feedback.id == Event.subject_id)
                .where(fq.ratings_in(scope, period, actions))
            )
        )

    return ItemSet(RATING, ratings(fq.SATISFIED), len(ratings(fq.SATISFIED + fq.UNSATISFIED)))


# Figure key (view.FIGURES, portal.domain.indicators.Figures) -> the items behind it.
SETS: dict[str, Callable[[Scope, Period], ItemSet]] = {
    "received": _received,
    "handled": _buckets("on_time", "late", "within", "overdue"),
    "processed": _buckets("on_time", "late"),
    "on_time": _buckets("on_time"),
    "late": _buckets("late"),
    "open_within": _buckets("within"),
    "overdue_now": _buckets("overdue"),
    "online_submission_share": _share(*ONLINE_SHARE),
    "online_payment_share": _share("paid_online", "fee_bearing"),
    "digitised_share": _share("digitised", "received"),
    "average_processing_days": _results_ready,
    "feedback_received": _feedback_received,
    "feedback_on_time_share": _feedback_on_time,
    "dossier_satisfaction": _satisfied_dossiers,
    "feedback_satisfaction": _feedback_satisfied,
}


def items(key: str, scope: Scope, period: Period) -> ItemSet:
    found = SETS[key](scope, period)
    return ItemSet(found.kind, sorted(set(found.ids), reverse=True), found.of)
