"""The applicant rates the service once, after the result was returned (portal.domain.dossier_rating).

Flushes, never commits. The rating is a row of its own (DossierRating), registered in wiring.py as a part
of the status page, so saving it gives the dossier a new page version; it is audited in the event log.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from portal.db_types import utcnow
from portal.domain import dossier_rating as rule
from portal.domain.text import clean_lines
from portal.events.operations import record
from portal.extensions import db

from .errors import DossierError
from .models import Dossier, DossierRating

EVENT = "rate"  # the audit log's action (labels.EVENT)


def rate(
    dossier: Dossier,
    overall: rule.Overall,
    reason: str,
    scores: Mapping[str, int | None],
    now: datetime | None = None,
) -> DossierRating:
    """Keep the applicant's rating; DossierError("rating_closed") when it is not (or no longer) possible,
    DossierError("reason_required") for "not satisfied" without a reason."""
    if not rule.may_rate(dossier.status_enum, dossier.rating is not None):
        raise DossierError("rating_closed")
    reason = clean_lines(reason)[: rule.REASON_MAX]
    problem = rule.problem(overall, reason)
    if problem:
        raise DossierError(problem)
    rating = DossierRating(
        overall=overall.value,
        reason=reason,
        scores=rule.encode(scores),
        rated_at=now or utcnow(),
        account_id=dossier.account_id,
    )
    dossier.rating = rating
    record(
        "dossier", dossier.id, EVENT, actor_id=dossier.account_id, note=f"{overall.value}: {reason}".strip()
    )
    db.session.flush()
    return rating
