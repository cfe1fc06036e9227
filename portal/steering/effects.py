"""The Decision 766 effects of queue rows and item pages: facts gathered, then portal.domain.score_effects.

A queue page reads its dossiers' extra facts (supplement requests, open fee request, result file, online
payment) in ONE statement for the whole page, keyed by id; a row then costs a dict look-up and the pure
rule. Feedback rows need their due date, `reopened_late` (a late answer given as fixed that the citizen
reopened) and `info_request_late` (a late first request for information), columns of the row the queue
already selects.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from portal.calendar.queries import LOCAL_TZ, calendar_around
from portal.domain import score_effects as rules
from portal.domain import timeliness as rule
from portal.domain.dossier_status import DossierStatus
from portal.domain.feedback_status import OPEN as FEEDBACK_OPEN
from portal.domain.timeliness import FAR_FUTURE
from portal.domain.working_days import Calendar
from portal.dossiers.models import Dossier, DossierPause
from portal.extensions import db

from . import texts
from .queries import paid_online_exists, result_file_exists


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(LOCAL_TZ).date() if moment is not None else None


def _open_pause_since(reason: str):
    return (
        select(func.max(DossierPause.started_at))
        .where(
            DossierPause.dossier_id == Dossier.id,
            DossierPause.reason == reason,
            DossierPause.resumed_at.is_(None),
        )
        .scalar_subquery()
    )


def dossier_items(ids: Iterable[int]) -> dict[int, rules.DossierItem]:
    """The rule's view of these dossiers, in one statement."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    requests = (
        select(func.count(DossierPause.id))
        .where(DossierPause.dossier_id == Dossier.id, DossierPause.reason == "supplement")
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            Dossier.id,
            Dossier.status,
            Dossier.original_appointment_on,
            Dossier.appointment_on,
            Dossier.finished_at,
            Dossier.returned_at,
            Dossier.fee_vnd,
            requests,
            _open_pause_since("supplement"),
            _open_pause_since("fee"),
            result_file_exists(),
            paid_online_exists(),
        ).where(Dossier.id.in_(ids))
    ).all()
    found = {}
    for row in rows:
        status = DossierStatus(row[1])
        facts = rule.Facts(
            status=status,
            due=row[2],
            supplement_requests=row[7] or 0,
            finished=_day(row[4]),
            returned=_day(row[5]),
            waiting_since=_day(row[8]) if status in rule.WAITING_FOR_DOCUMENTS else None,
            fee_requested=_day(row[9]) if status in rule.WAITING_FOR_FEE else None,
        )
        found[row[0]] = item_of(facts, row[3], bool(row[10]), (row[6] or 0) > 0, bool(row[11]))
    return found


def item_of(facts: rule.Facts, appointment, result_file: bool, fee_bearing: bool, paid_online: bool):
    # 3.5: the dashboard takes every fee-bearing procedure as payable online (VietQR; catalog.py's
    # approximation), so no dossier fails it until the catalogue records procedures without online payment.
    return rules.DossierItem(facts, appointment, result_file, fee_bearing, True, paid_online)


class _LazyCalendar:
    """The working-day calendar, read only when a hint counts working days (most pages need none)."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.calendar: Calendar | None = None

    def working_days_between(self, start: date, end: date) -> int:
        if self.calendar is None:
            self.calendar = calendar_around(self.today)
        return self.calendar.working_days_between(start, end)


def row_item(row: Any) -> rules.DossierItem:
    """The rule's view of a queue row (portal.steering.queries.queue_columns)."""
    status = DossierStatus(int(row.status))
    facts = rule.Facts(
        status=status,
        due=row.legal_due,
        supplement_requests=row.requests or 0,
        finished=_day(row.finished_at),
        waiting_since=_day(row.paused_since) if status in rule.WAITING_FOR_DOCUMENTS else None,
        fee_requested=_day(row.paused_since) if status in rule.WAITING_FOR_FEE else None,
    )
    return item_of(
        facts, _paused_is_none(row.due), bool(row.result_file), bool(row.fee_bearing), bool(row.paid_online)
    )


def hints_for_rows(rows: list[Any], today: date) -> dict[tuple[str, int], tuple[rules.Hint, ...]]:
    """Each queue row's hints, keyed by (kind, id), from the row's own columns: no query."""
    calendar: Any = _LazyCalendar(today)
    found: dict[tuple[str, int], tuple[rules.Hint, ...]] = {}
    for row in rows:
        if row.kind == "dossier":
            found["dossier", row.id] = rules.dossier_hints(row_item(row), today, calendar)
        else:
            feedback = rules.FeedbackItem(
                str(row.status) in FEEDBACK_OPEN,
                _paused_is_none(row.legal_due),
                bool(row.reopened_late),
                bool(row.info_request_late),
            )
            found["feedback", row.id] = rules.feedback_hints(feedback, today, calendar)
    return found


def _paused_is_none(due: date | None) -> date | None:
    return None if due == FAR_FUTURE else due


def rows_hints_html(rows: list[Any], today: date) -> dict[tuple[str, int], str]:
    """The queue's hint paragraph of each row (escaped HTML; "" for a row without effects)."""
    return {key: texts.html(hints) for key, hints in hints_for_rows(rows, today).items()}


def item_hints(kind: str, item: Any, today: date) -> list[tuple[str, str, bool]]:
    """An item page's hints as (effect, fix, costs), translated."""
    calendar = calendar_around(today)
    if kind == "dossier":
        hints = rules.dossier_hints(dossier_item(item), today, calendar)
    else:
        hints = rules.feedback_hints(
            rules.FeedbackItem(
                item.status in FEEDBACK_OPEN, item.due_on, item.reopened_late, item.info_request_late
            ),
            today,
            calendar,
        )
    return [(*texts.words(hint), hint.costs) for hint in hints]


def dossier_item(dossier: Dossier) -> rules.DossierItem:
    return dossier_items([dossier.id])[dossier.id]
