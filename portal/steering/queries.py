"""The queue filter "items that will cost points this week", in SQL over the queue's tables.

The same statement as `portal.domain.score_effects.costs_this_week` over each row's hints (checked on random
data by tests/steering/test_queue_effects.py and test_feedback_effects.py): a dossier costs this week when
it is overdue now (the one definition, statistics.queries.overdue), when its clock runs and its legal due
date falls in this week (DUE_SOON), or when its result is ready without an electronic result file
(NO_E_RESULT, 4.1); a feedback item when its answer is due by the end of this week (or was due already), or
when a late answer given as fixed was reopened by the citizen (`reopened_late`) or its first request for
information was late (`info_request_late`): the dashboard counts it late already, whatever its due date,
paused or not. 3.5 never applies while the dashboard takes every
fee-bearing procedure as payable online (see portal.steering.effects.item_of).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    Integer,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)

from portal.db_types import UTCDateTime
from portal.domain import score_effects as rules
from portal.domain import timeliness as rule
from portal.dossiers.models import Dossier, DossierFile, DossierPause
from portal.feedback.models import Feedback
from portal.payments.models import SETTLED, Payment
from portal.statistics.queries.overdue import overdue_now


def result_file_exists():
    """An electronic result file is attached: the dashboard's `has_result_file` (4.1)."""
    return exists().where(DossierFile.dossier_id == Dossier.id, DossierFile.kind == "result")


def paid_online_exists():
    """Settled by bank transfer to the VietQR reference: the dashboard's `paid_online` (3.6)."""
    return exists().where(
        Payment.dossier_id == Dossier.id,
        Payment.method == "transfer",
        Payment.paid_at.is_not(None),
        Payment.status.in_(SETTLED),
    )


def queue_columns(model) -> list:
    """The columns the queue selects for each row's hints (portal.steering.effects.hints_for_rows), so a row's
    hints cost no query of their own. Lookups sit in CASE branches only the statuses that need them reach:
    every dossier row counts its supplement requests (2.1's threshold); a dossier waiting (5, 6) reads when
    its open request started; a ready one (9) whether it has a result file; one waiting for its fee (6)
    whether it was paid online. A feedback row needs none of them (NULLs, for the UNION), only its own
    `reopened_late` and `info_request_late` (False on a dossier row)."""
    if model is Feedback:
        return [
            Feedback.__table__.c.reopened_late.label("reopened_late"),
            Feedback.__table__.c.info_request_late.label("info_request_late"),
            literal(0, Integer).label("requests"),
            literal(None, UTCDateTime).label("paused_since"),
            literal(None, UTCDateTime).label("finished_at"),
            literal(False, Boolean).label("result_file"),
            literal(False, Boolean).label("fee_bearing"),
            literal(False, Boolean).label("paid_online"),
        ]
    d, p = Dossier.__table__.c, DossierPause.__table__.c
    requests = (
        select(func.count())
        .where(p.dossier_id == d.id, p.reason == "supplement")
        .correlate(Dossier.__table__)
        .scalar_subquery()
    )
    waiting = sorted(rule.WAITING_FOR_DOCUMENTS | rule.WAITING_FOR_FEE)
    reason = case((d.status.in_(sorted(rule.WAITING_FOR_DOCUMENTS)), "supplement"), else_="fee")
    paused_since = (
        select(func.max(p.started_at))
        .where(p.dossier_id == d.id, p.reason == reason, p.resumed_at.is_(None))
        .correlate(Dossier.__table__)
        .scalar_subquery()
    )
    return [
        literal(False, Boolean).label("reopened_late"),
        literal(False, Boolean).label("info_request_late"),
        requests.label("requests"),
        case((d.status.in_(waiting), paused_since)).label("paused_since"),
        d.finished_at.label("finished_at"),
        case((d.status.in_(sorted(rules.RESULT_READY)), result_file_exists()), else_=False).label(
            "result_file"
        ),
        (d.fee_vnd > 0).label("fee_bearing"),
        case((d.status.in_(sorted(rule.WAITING_FOR_FEE)), paid_online_exists()), else_=False).label(
            "paid_online"
        ),
    ]


def costs_this_week(model, today=None, week_end=None) -> ColumnElement[bool]:
    """The condition on `today` (local) and `week_end` (`score_effects.week_end(today)`): values, or by
    default the bound parameters "today" and "week_end"."""
    today = bindparam("today", type_=Date) if today is None else today
    week_end = bindparam("week_end", type_=Date) if week_end is None else week_end
    if model is Feedback:
        f = Feedback.__table__.c
        return or_(f.queue_due <= week_end, f.reopened_late, f.info_request_late)
    d = Dossier.__table__.c
    return or_(
        overdue_now(today),
        and_(
            d.status.in_(sorted(rule.CLOCK_RUNNING)),
            d.received_at.is_not(None),
            d.finished_at.is_(None),
            d.returned_at.is_(None),
            d.original_appointment_on <= week_end,
        ),
        and_(d.status.in_(sorted(rules.RESULT_READY)), ~result_file_exists()),
    )
