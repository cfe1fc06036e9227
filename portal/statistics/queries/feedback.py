"""Feedback facts (`portal.domain.indicators.FeedbackFacts`) of a scope and range.

Counts are aggregate SQL; the deadlines need the working-day calendar, so 5.2's population is judged in
Python over one narrow query. Statuses and rating actions come from `portal.domain.feedback_status`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from portal.domain import fix_check
from portal.domain.feedback_status import OPEN, FeedbackAction, FeedbackStatus
from portal.domain.feedback_steps import REFUSE_DAYS, first_request_late
from portal.domain.indicators import FeedbackFacts
from portal.domain.working_days import Calendar
from portal.events.models import Event
from portal.extensions import db
from portal.feedback.models import Feedback, FeedbackFix, FeedbackPause

from .sql import Period, Scope, calendar_covering, in_scope, local_date

S, A = FeedbackStatus, FeedbackAction
OPEN_AT_END = sorted(OPEN)
ANSWERED = (S.ANSWERED, S.CLOSED)  # ended with an answer (published with it)
SATISFIED = (A.RATE_SATISFIED.value,)
UNSATISFIED = (A.RATE_UNSATISFIED.value, A.RATE_UNSATISFIED_FINAL.value)


def received_in(scope: Scope, period: Period):
    """The feedback items of `scope` first submitted in the range (FeedbackFacts.received)."""
    return and_(
        in_scope(Feedback.agency_id, scope),
        Feedback.submitted_at >= period.start,
        Feedback.submitted_at < period.end,
    )


def ratings_in(scope: Scope, period: Period, actions: tuple[str, ...]):
    """On Event joined to its feedback item: the ratings of `actions` given in the range."""
    return and_(
        Event.subject_type == "feedback",
        Event.action.in_(actions),
        Event.occurred_at >= period.start,
        Event.occurred_at < period.end,
        in_scope(Feedback.agency_id, scope),
    )


def feedback_facts(scope: Scope, period: Period) -> FeedbackFacts:
    F = Feedback  # noqa: N806
    received = db.session.scalar(select(func.count()).where(received_in(scope, period))) or 0
    ratings = dict(
        db.session.execute(
            select(Event.action, func.count())
            .join(F, F.id == Event.subject_id)
            .where(ratings_in(scope, period, SATISFIED + UNSATISFIED))
            .group_by(Event.action)
        ).all()
    )
    on_time, late, within, overdue, unsatisfactory = feedback_timeliness(scope, period)
    return FeedbackFacts(
        received=received,
        handled_on_time=on_time,
        handled_late=late,
        open_within_deadline=within,
        open_overdue=overdue,
        unsatisfactory=unsatisfactory,
        satisfied=sum(ratings.get(action, 0) for action in SATISFIED),
        unsatisfied=sum(ratings.get(action, 0) for action in UNSATISFIED),
    )


def feedback_timeliness(scope: Scope, period: Period) -> tuple[int, int, int, int, int]:
    """5.2's four counts (on time, late, open within, open overdue) and 5.3's unsatisfactory count."""
    counts = dict.fromkeys(BUCKETS, 0)
    unsatisfactory = 0
    for _id, bucket, unsatisfied in judged_feedback(scope, period):
        counts[bucket] += 1
        unsatisfactory += unsatisfied
    return (*(counts[bucket] for bucket in BUCKETS), unsatisfactory)  # type: ignore[return-value]


BUCKETS = ("on_time", "late", "within", "overdue")


class _MemoCalendar:
    """The working-day calendar's `add_working_days`, memoised: many items share their day 0."""

    def __init__(self, cal: Calendar) -> None:
        self.cal = cal
        self.memo: dict[tuple[date, int], date] = {}

    def add_working_days(self, day: date, working_days: int) -> date:
        key = (day, working_days)
        if key not in self.memo:
            self.memo[key] = self.cal.add_working_days(day, working_days)
        return self.memo[key]


def feedback_ids(bucket: str, scope: Scope, period: Period) -> set[int]:
    """The feedback items behind one of 5.2's counts: the same judgement, listing instead of counting."""
    return {item_id for item_id, judged, _unsatisfied in judged_feedback(scope, period) if judged == bucket}


def judged_feedback(scope: Scope, period: Period) -> list[tuple[int, str, bool]]:
    """5.2's population, each item with its bucket (BUCKETS) and whether 5.3 counts it unsatisfactory; in
    Python over one narrow query.

    The steps and their deadlines (VIETNAM.md §6.2): refuse within 2 working days of day 0 (the stored
    `received_on`), the first request for information within 5, the answer by the stored `due_on`
    (the category's working days from submission, forwarding or the citizen's "not fixed", pauses
    excluded). Publishing happens with the answer itself here, so the 2-day publishing step is always met.
    An item reopened because it was not fixed counts once, by its final answer, and late if an answer
    the citizen reopened was already late (portal/domain/fix_check.py).
    """
    start, end = period.start, period.end
    F = Feedback  # noqa: N806
    first_request = (
        select(func.min(FeedbackPause.started_at)).where(FeedbackPause.feedback_id == F.id).scalar_subquery()
    )
    disliked = exists().where(
        Event.subject_type == "feedback",
        Event.subject_id == F.id,
        Event.action.in_(UNSATISFIED),
        Event.occurred_at < end,
    )
    # Approximation of "resubmitted with a complaint": another report was marked a duplicate of this one.
    Other = aliased(Feedback)  # noqa: N806
    repeated = exists().where(Other.duplicate_of_id == F.id, Other.submitted_at < end)
    # An answer given as fixed that the citizen's "not fixed" (or confirming silence) reopened by the end
    # and that was late (`fix_check.late` in SQL: a NULL deadline is never late) keeps the item late
    # whatever its final answer (portal/domain/fix_check.py `answered_late`).
    carried = exists().where(
        FeedbackFix.feedback_id == F.id,
        FeedbackFix.reopened,
        FeedbackFix.replied_at < end,
        FeedbackFix.answered_on > FeedbackFix.due_on,
    )
    received_here = F.submitted_at >= start  # only these count for 5.3: look the rest up not at all
    # Local calendar days throughout: the range's bounds are local midnights, so "at or after the start"
    # is "on or after its first day".
    rows = db.session.execute(
        select(
            F.id,
            F.status,
            F.received_on,
            F.due_on,
            local_date(F.submitted_at),
            local_date(F.answered_at),
            local_date(F.closed_at),
            local_date(first_request),
            case((received_here, disliked), else_=false()),
            case((received_here, repeated), else_=false()),
            carried,
        ).where(
            in_scope(F.agency_id, scope),
            F.submitted_at < end,
            or_(
                F.status.in_(OPEN_AT_END),
                F.answered_at >= start,
                F.closed_at >= start,
                F.submitted_at >= start,
            ),
        )
    ).all()
    first, last = period.first, period.last
    cal = calendar_covering([row.received_on for row in rows] + [last])
    memo = _MemoCalendar(cal)

    judged: list[tuple[int, str, bool]] = []
    for (
        item_id,
        status,
        received_on,
        due_on,
        submitted,
        answered,
        closed,
        requested,
        dislike,
        repeat,
        late_before,
    ) in rows:
        # When it ended: the answer (published with it) or the refusal; later than the range → open then.
        if status in ANSWERED and answered is not None:
            ended = answered
        elif status == S.REFUSED and closed is not None:
            ended = closed
        else:
            ended = None
        if ended is not None and ended > last:
            ended = None
        if ended is not None and ended < first:
            continue  # ended before the range: not in 5.2's population nor received in it
        # The first request for information after its 5 working days (the rule the queue's
        # `info_request_late` keeps: portal/domain/feedback_steps.py), if it was made by the end.
        request_late = (
            requested is not None and requested <= last and first_request_late(memo, received_on, requested)
        )
        if ended is not None:
            if status == S.REFUSED:
                step_late = ended > memo.add_working_days(received_on, REFUSE_DAYS)
            else:
                step_late = fix_check.late(fix_check.Answer(ended, due_on)) or bool(late_before)
            is_late = step_late or request_late
            bucket = "late" if is_late else "on_time"
        else:
            # Open at the end: past the answer deadline (None while waiting for the citizen: the clock
            # is stopped), or a request for information that was already late.
            is_late = (due_on is not None and due_on < last) or request_late or bool(late_before)
            bucket = "overdue" if is_late else "within"
        judged.append((item_id, bucket, bool(first <= submitted and (is_late or dislike or repeat))))
    return judged
