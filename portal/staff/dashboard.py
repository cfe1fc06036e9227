"""Dashboard facts: our data counted per agency (or the whole province) over a date range.

The queries fill the documented facts of `portal.domain.indicators` (read each field's comment there
first); everything after the counting (rates, points, rounding) is that pure module's job, so the
screen, the CSV export and the public statistics page all agree.

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
* no dossier is linked to a feedback item and citizens do not rate dossiers (yet): `complained`,
  `rated` and `satisfied` are 0, so 5.4 reduces to the on-time share and dossier satisfaction is N/A;
* status changes without their own column (withdrawn 7, stopped 8) and feedback ratings are read
  from the event log; the legal due date is the stored `original_appointment_on` (the receipt's
  appointment pushed back by closed pauses, fee pauses included), which for past ranges may include
  pauses that closed after the range; a dossier waiting for its fee (6) has its clock stopped and
  is overdue only if it already was when the fee was requested;
* feedback: an answer is published with it, so the 2-day publishing step is always met; an item
  reopened and answered again keeps only its last answer time; "resubmitted with a complaint" is
  another report marked a duplicate of it;
* feedback and dossiers belong to the agency that holds them now (a forwarded item counts for the
  agency it was forwarded to); a commune's remit is the commune-level procedures, a department's
  the provincial ones naming it, as `receiving_agency` routes dossiers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Date, and_, case, exists, false, func, literal, or_, select, text, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from portal.agencies.models import Agency
from portal.calendar.queries import LOCAL_TZ, calendar_for, office_hours
from portal.catalog.models import Procedure
from portal.db_types import utcnow
from portal.domain.indicators import (
    CatalogFacts,
    DossierFacts,
    FeedbackFacts,
    Figures,
    Scorecard,
    figures,
    score,
)
from portal.domain.working_days import Calendar, receipt_day
from portal.dossiers.models import Dossier, DossierFile, DossierPause
from portal.events.models import Event
from portal.extensions import db
from portal.feedback.deadlines import REFUSE_DAYS, REQUEST_INFO_DAYS
from portal.feedback.models import Feedback, FeedbackPause
from portal.payments.models import Payment

OPEN_DOSSIER = (2, 4, 5, 6)
OPEN_FEEDBACK = ("new", "accepted", "info_requested")
# Longer ranges are charted per month instead of per day.
DAILY_CHART_DAYS = 93


class local_date(FunctionElement):  # noqa: N801 - reads like the SQL function it stands for
    """The Asia/Ho_Chi_Minh calendar date of a stored UTC instant, on PostgreSQL and SQLite."""

    type = Date()
    name = "local_date"
    inherit_cache = True


@compiles(local_date)
def _local_date_sqlite(element, compiler, **kw):
    # SQLite has no zone database; Vietnam has kept UTC+07:00 all year since 1975 (no DST).
    return f"date({compiler.process(element.clauses, **kw)}, '+7 hours')"


@compiles(local_date, "postgresql")
def _local_date_postgresql(element, compiler, **kw):
    return f"(timezone('Asia/Ho_Chi_Minh', {compiler.process(element.clauses, **kw)}))::date"


def instant(day: date) -> datetime:
    """Local midnight at the start of `day`, as a UTC instant."""
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @property
    def start(self) -> datetime:
        return instant(self.first)

    @property
    def end(self) -> datetime:
        return instant(self.last + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Scope:
    """One agency, or the whole province (agency None)."""

    agency: Agency | None = None

    @property
    def agency_id(self) -> int | None:
        return self.agency.id if self.agency is not None else None


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


def _count(condition) -> ColumnElement[int]:
    """COUNT of rows where `condition` holds, portable (SQLite has FILTER only since 3.30)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _in_scope(column, scope: Scope):
    return column == scope.agency_id if scope.agency_id is not None else true()


def _dossier_event_at(action: str | tuple[str, ...], before: datetime):
    """The first time the dossier of the enclosing query had `action` logged, before `before`."""
    actions = (action,) if isinstance(action, str) else action
    return (
        select(func.min(Event.occurred_at))
        .where(
            Event.subject_type == "dossier",
            Event.subject_id == Dossier.id,
            Event.action.in_(actions),
            Event.occurred_at < before,
        )
        .scalar_subquery()
    )


def _waiting_since(reason: str, end: datetime):
    """When the pause of `reason` that was still open at `end` started (NULL when none was open)."""
    return (
        select(func.max(DossierPause.started_at))
        .where(
            DossierPause.dossier_id == Dossier.id,
            DossierPause.reason == reason,
            DossierPause.started_at < end,
            or_(DossierPause.resumed_at.is_(None), DossierPause.resumed_at >= end),
        )
        .scalar_subquery()
    )


def dossier_facts(scope: Scope, period: Period) -> DossierFacts:
    start, end = period.start, period.end
    D = Dossier  # noqa: N806
    in_scope = _in_scope(D.agency_id, scope)
    reached_result = and_(D.finished_at.is_not(None), D.finished_at < end)
    has_file = exists().where(DossierFile.dossier_id == D.id, DossierFile.uploaded_at < end)
    has_result_file = exists().where(
        DossierFile.dossier_id == D.id, DossierFile.kind == "result", DossierFile.uploaded_at < end
    )
    # Approximation: every result is a paper document, so a result without a result file is paper only.
    paper_only = and_(reached_result, ~has_result_file)
    # Settled online: a bank transfer to the VietQR reference (portal gateway, DuocThanhToanTrucTuyen 2);
    # "overpaid" after settling keeps paid_at, "cash"/"counter" are settled at the desk.
    paid_online = exists().where(
        Payment.dossier_id == D.id,
        Payment.method == "transfer",
        Payment.paid_at.is_not(None),
        Payment.paid_at < end,
        Payment.status.in_(("paid", "overpaid")),
    )
    fee_bearing = D.fee_vnd > 0  # the server's total of the procedure's fee lines
    received = db.session.execute(
        select(
            _count(true()),
            _count(D.channel == "online"),
            _count(and_(D.channel == "online", ~paper_only)),
            _count(fee_bearing),
            _count(and_(fee_bearing, paid_online)),
            _count(and_(has_file, ~paper_only)),
        ).where(in_scope, D.received_at >= start, D.received_at < end)
    ).one()

    ready = db.session.execute(
        select(_count(true()), _count(has_result_file)).where(
            in_scope, D.finished_at >= start, D.finished_at < end
        )
    ).one()
    withdrawn = (
        db.session.scalar(
            select(func.count(func.distinct(Event.subject_id)))
            .join(D, D.id == Event.subject_id)
            .where(
                Event.subject_type == "dossier",
                Event.action == "withdraw",
                Event.occurred_at >= start,
                Event.occurred_at < end,
                in_scope,
            )
        )
        or 0
    )

    timeliness = _dossier_timeliness(scope, period)
    return DossierFacts(
        received=received[0],
        online_submitted=received[1],
        online_qualifying=received[2],
        fee_bearing=received[3],
        paid_online=received[4],
        digitised=received[5],
        results_ready=ready[0],
        withdrawn=withdrawn,
        processing_days_total=_processing_days(scope, period),
        paper_results=ready[0],
        e_results=ready[1],
        finished_on_time=timeliness["on_time"],
        finished_late=timeliness["late"],
        open_within_deadline=timeliness["within"],
        open_overdue=timeliness["overdue"],
        # Approximation: no feedback item names a dossier and citizens do not rate dossiers yet.
        complained=0,
        rated=0,
        satisfied=0,
    )


def _dossier_timeliness(scope: Scope, period: Period) -> dict[str, int]:
    """The 2.1 population split into on_time / late (ended in the range) and within / overdue (open).

    One aggregate query. The per-dossier lookups (pauses, the event log) sit in CASE branches that
    only the dossiers needing them reach, so the open dossiers of a range ending today cost one row
    each; a range that ended in the past checks every candidate's pauses as they were at its end.
    """
    start, end = period.start, period.end
    D = Dossier  # noqa: N806
    current = end > utcnow()  # the state at the end is today's state
    waiting = _waiting_since("supplement", end)
    fee_wait = _waiting_since("fee", end)
    if current:  # only a dossier now in 5 (6) can be waiting for documents (its fee)
        waiting, fee_wait = case((D.status == 5, waiting)), case((D.status == 6, fee_wait))
    # The end: reaching 9 (10 passes through 9, so finished_at is set for both), else the return,
    # else the stop (8, from the event log); a dossier waiting in 5 at the end ended at that request.
    end_at = func.coalesce(
        case((D.finished_at < end, D.finished_at)),
        case((D.returned_at < end, D.returned_at)),
        case((D.status == 8, _dossier_event_at("stop", end))),
        waiting,
    )
    # Withdrawn (7) dossiers are not in the population when that happened by the end; refused ones (3)
    # never were received.
    withdrawn_by_end = exists().where(
        Event.subject_type == "dossier",
        Event.subject_id == D.id,
        Event.action == "withdraw",
        Event.occurred_at < end,
    )
    # Stopped or withdrawn since the start (the event log's time index), for the candidates below.
    closed_lately = select(Event.subject_id).where(
        Event.occurred_at >= start, Event.subject_type == "dossier", Event.action.in_(("stop", "withdraw"))
    )
    rows = (
        select(
            end_at.label("end_at"),
            D.original_appointment_on.label("due"),
            fee_wait.label("fee_wait"),
            D.id.label("id"),
        )
        .where(
            _in_scope(D.agency_id, scope),
            D.received_at < end,
            D.status != 3,
            # candidates: open now, finished lately, or stopped/withdrawn lately
            or_(
                D.status.in_(OPEN_DOSSIER),
                D.finished_at >= start,
                D.returned_at >= start,
                and_(D.status.in_((7, 8)), D.id.in_(closed_lately)),
            ),
            or_(D.status != 7, ~withdrawn_by_end),
        )
        .subquery()
    )
    ended = rows.c.end_at.is_not(None)
    # More than one supplement request makes an ended dossier late; counted only for the ended ones.
    many_requests = (
        select(func.count(DossierPause.id))
        .where(
            DossierPause.dossier_id == rows.c.id,
            DossierPause.reason == "supplement",
            DossierPause.started_at < end,
        )
        .scalar_subquery()
    ) > 1
    # On time: ended on or before the legal due date (the appointment pushed back by the citizen's
    # pauses), with at most one supplement request.
    in_time = local_date(rows.c.end_at) <= rows.c.due
    # Open: the appointment date has passed at the end. A dossier waiting for its fee (6) has its clock
    # stopped: it is overdue only if it already was when the fee was requested.
    check_day = func.coalesce(local_date(rows.c.fee_wait), literal(period.last, Date()))
    overdue = check_day > rows.c.due
    kind = case(
        (~ended, case((overdue, "overdue"), else_="within")),
        (or_(rows.c.due.is_(None), ~in_time), "late"),
        (many_requests, "late"),
        else_="on_time",
    ).label("kind")
    counts: dict[str, int] = dict(
        db.session.execute(
            select(kind, func.count())
            .select_from(rows)
            .where(or_(rows.c.end_at.is_(None), rows.c.end_at >= start))
            .group_by(kind)
        ).all()
    )
    return {key: counts.get(key, 0) for key in ("on_time", "late", "within", "overdue")}


def _calendar(days: list[date]) -> Calendar:
    years = [day.year for day in days] or [date.today().year]
    return calendar_for(range(min(years) - 1, max(years) + 2))


def _processing_days(scope: Scope, period: Period) -> int:
    """Indicator 2.2's sum, in Python over the dossiers finished in the range (two narrow queries)."""
    finished = select(Dossier.id).where(
        _in_scope(Dossier.agency_id, scope),
        Dossier.finished_at >= period.start,
        Dossier.finished_at < period.end,
        Dossier.received_at.is_not(None),
    )
    rows = db.session.execute(
        select(Dossier.id, Dossier.received_at, Dossier.finished_at).where(Dossier.id.in_(finished))
    ).all()
    if not rows:
        return 0
    pauses: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for dossier_id, started, resumed in db.session.execute(
        select(DossierPause.dossier_id, DossierPause.started_at, DossierPause.resumed_at).where(
            DossierPause.dossier_id.in_(finished),
            DossierPause.reason == "supplement",
            DossierPause.resumed_at.is_not(None),
        )
    ):
        pauses[dossier_id].append((started, resumed))
    local = [
        (dossier_id, received.astimezone(LOCAL_TZ), done.astimezone(LOCAL_TZ))
        for dossier_id, received, done in rows
    ]
    cal = _calendar([received.date() for _, received, _ in local] + [period.last])
    closing = office_hours().closing
    last = max(period.last, max(done.date() for _, _, done in local))
    between = _working_days_counter(cal, min(received.date() for _, received, _ in local), last)
    total = 0
    for dossier_id, received, done in local:
        # From day 0 of the count (the receipt day, or the next working day after hours) to the day
        # it reached 9, minus the working days the citizen took to complete the dossier.
        days = between(receipt_day(cal, received, closing), done.date())
        waited = sum(
            between(started.astimezone(LOCAL_TZ).date(), resumed.astimezone(LOCAL_TZ).date())
            for started, resumed in pauses[dossier_id]
            if resumed <= done
        )
        total += max(days - waited, 0)
    return total


def _working_days_counter(cal: Calendar, first: date, last: date):
    """`Calendar.working_days_between` in constant time for days in [first, last], from running totals."""
    running, count, day = {}, 0, first
    while day <= last:
        count += cal.is_working_day(day)
        running[day] = count
        day += timedelta(days=1)

    def between(start: date, end: date) -> int:
        if end <= start:
            return 0
        if start in running and end in running:
            return running[end] - running[start]
        return cal.working_days_between(start, end)

    return between


def feedback_facts(scope: Scope, period: Period) -> FeedbackFacts:
    start, end = period.start, period.end
    F = Feedback  # noqa: N806
    in_scope = _in_scope(F.agency_id, scope)
    received = (
        db.session.scalar(select(func.count()).where(in_scope, F.submitted_at >= start, F.submitted_at < end))
        or 0
    )
    ratings = dict(
        db.session.execute(
            select(Event.action, func.count())
            .join(F, F.id == Event.subject_id)
            .where(
                Event.subject_type == "feedback",
                Event.action.in_(("rate_satisfied", "rate_unsatisfied", "rate_unsatisfied_final")),
                Event.occurred_at >= start,
                Event.occurred_at < end,
                in_scope,
            )
            .group_by(Event.action)
        ).all()
    )
    on_time, late, within, overdue, unsatisfactory = _feedback_timeliness(scope, period)
    return FeedbackFacts(
        received=received,
        handled_on_time=on_time,
        handled_late=late,
        open_within_deadline=within,
        open_overdue=overdue,
        unsatisfactory=unsatisfactory,
        satisfied=ratings.get("rate_satisfied", 0),
        unsatisfied=ratings.get("rate_unsatisfied", 0) + ratings.get("rate_unsatisfied_final", 0),
    )


def _feedback_timeliness(scope: Scope, period: Period) -> tuple[int, int, int, int, int]:
    """5.2's population and 5.3's unsatisfactory count, in Python over one narrow query.

    The steps and their deadlines (VIETNAM.md §6.2): refuse within 2 working days of day 0 (the stored
    `received_on`), the first request for information within 5, the answer by the stored `due_on`
    (the category's working days from submission or forwarding, pauses excluded). Publishing happens
    with the answer itself here, so the 2-day publishing step is always met.
    """
    start, end = period.start, period.end
    F = Feedback  # noqa: N806
    first_request = (
        select(func.min(FeedbackPause.started_at)).where(FeedbackPause.feedback_id == F.id).scalar_subquery()
    )
    disliked = exists().where(
        Event.subject_type == "feedback",
        Event.subject_id == F.id,
        Event.action.in_(("rate_unsatisfied", "rate_unsatisfied_final")),
        Event.occurred_at < end,
    )
    # Approximation of "resubmitted with a complaint": another report was marked a duplicate of this one.
    Other = aliased(Feedback)  # noqa: N806
    repeated = exists().where(Other.duplicate_of_id == F.id, Other.submitted_at < end)
    received_here = F.submitted_at >= start  # only these count for 5.3: look the rest up not at all
    # Local calendar days throughout: the range's bounds are local midnights, so "at or after the start"
    # is "on or after its first day".
    rows = db.session.execute(
        select(
            F.status,
            F.received_on,
            F.due_on,
            local_date(F.submitted_at),
            local_date(F.answered_at),
            local_date(F.closed_at),
            local_date(first_request),
            case((received_here, disliked), else_=false()),
            case((received_here, repeated), else_=false()),
        ).where(
            _in_scope(F.agency_id, scope),
            F.submitted_at < end,
            or_(
                F.status.in_(OPEN_FEEDBACK),
                F.answered_at >= start,
                F.closed_at >= start,
                F.submitted_at >= start,
            ),
        )
    ).all()
    first, last = period.first, period.last
    cal = _calendar([row.received_on for row in rows] + [last])
    deadline_memo: dict[tuple[date, int], date] = {}

    def deadline(day: date, working_days: int) -> date:
        key = (day, working_days)
        if key not in deadline_memo:
            deadline_memo[key] = cal.add_working_days(day, working_days)
        return deadline_memo[key]

    on_time = late = within = overdue = unsatisfactory = 0
    for status, received_on, due_on, submitted, answered, closed, requested, dislike, repeat in rows:
        # When it ended: the answer (published with it) or the refusal; later than the range → open then.
        if status in ("answered", "closed") and answered is not None:
            ended = answered
        elif status == "refused" and closed is not None:
            ended = closed
        else:
            ended = None
        if ended is not None and ended > last:
            ended = None
        if ended is not None and ended < first:
            continue  # ended before the range: not in 5.2's population nor received in it
        request_late = (
            requested is not None
            and requested <= last
            and requested > deadline(received_on, REQUEST_INFO_DAYS)
        )
        if ended is not None:
            if status == "refused":
                step_late = ended > deadline(received_on, REFUSE_DAYS)
            else:
                step_late = due_on is not None and ended > due_on
            is_late = step_late or request_late
            on_time += not is_late
            late += is_late
        else:
            # Open at the end: past the answer deadline (None while waiting for the citizen: the clock
            # is stopped), or a request for information that was already late.
            is_late = (due_on is not None and due_on < last) or request_late
            overdue += is_late
            within += not is_late
        if first <= submitted and (is_late or dislike or repeat):
            unsatisfactory += 1
    return on_time, late, within, overdue, unsatisfactory


def remit(scope: Scope):
    """Procedures a scope receives, as `portal.dossiers.operations.receiving_agency` routes them."""
    agency = scope.agency
    if agency is None:
        return true()
    if agency.kind == "commune":
        return Procedure.level.in_(("commune", "both"))
    if agency.kind == "province":
        return and_(Procedure.level == "province", Procedure.agency_id.is_(None))
    return and_(Procedure.level == "province", Procedure.agency_id == agency.id)


def catalog_facts(scope: Scope, period: Period) -> CatalogFacts:
    P = Procedure  # noqa: N806
    fee = (func.coalesce(P.charge_vnd, 0) + func.coalesce(P.fee_vnd, 0)) > 0
    paid_here = exists().where(
        Dossier.procedure_id == P.id,
        _in_scope(Dossier.agency_id, scope),
        exists().where(
            Payment.dossier_id == Dossier.id,
            Payment.method == "transfer",
            Payment.paid_at >= period.start,
            Payment.paid_at < period.end,
            Payment.status.in_(("paid", "overpaid")),
        ),
    )
    row = db.session.execute(
        select(
            _count(true()),
            _count(P.online_level.in_(("full", "partial"))),
            _count(fee),
            # Approximation: every fee-bearing procedure takes VietQR payments (3.5).
            _count(fee),
            _count(and_(fee, paid_here)),
        ).where(P.is_active, remit(scope))
    ).one()
    return CatalogFacts(
        procedures=row[0],
        online_procedures=row[1],
        fee_procedures=row[2],
        online_payment_procedures=row[3],
        paid_online_procedures=row[4],
    )


def received_series(scope: Scope, period: Period) -> tuple[str, tuple[tuple[date, int], ...]]:
    """Dossiers received per local day (per month for long ranges), every bucket present, zeros included."""
    day = local_date(Dossier.received_at).label("day")
    counts: dict[date, int] = defaultdict(int)
    for value, count in db.session.execute(
        select(day, func.count())
        .where(
            _in_scope(Dossier.agency_id, scope),
            Dossier.received_at >= period.start,
            Dossier.received_at < period.end,
        )
        .group_by(day)
    ):
        value = value if isinstance(value, date) else date.fromisoformat(str(value))
        counts[value] += count
    if period.days <= DAILY_CHART_DAYS:
        days = [period.first + timedelta(days=offset) for offset in range(period.days)]
        return "day", tuple((d, counts.get(d, 0)) for d in days)
    months: dict[date, int] = {}
    cursor = period.first.replace(day=1)
    while cursor <= period.last:
        months[cursor] = 0
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    for value, count in counts.items():
        months[value.replace(day=1)] += count
    return "month", tuple(months.items())


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
