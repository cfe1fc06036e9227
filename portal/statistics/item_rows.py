"""One page of a drill-down list as rows to show: code, what it is, its status, a date, a link to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import select

from portal.dossiers.labels import STATUS as DOSSIER_STATUS
from portal.dossiers.models import Dossier
from portal.events.models import Event
from portal.extensions import db
from portal.feedback.labels import STATUS as FEEDBACK_STATUS
from portal.feedback.models import Feedback

from .drilldown import DOSSIER, FEEDBACK


@dataclass(frozen=True)
class ItemRow:
    code: str
    title: str
    status: str
    at: datetime | None
    url: str


def _dossiers(ids: list[int]) -> dict[int, ItemRow]:
    return {
        d.id: ItemRow(
            d.code,
            d.procedure.name,
            str(DOSSIER_STATUS[d.status_enum]),
            d.received_at or d.submitted_at,
            url_for("dossiers_staff.item", code=d.code),
        )
        for d in db.session.scalars(select(Dossier).where(Dossier.id.in_(ids)))
    }


def _feedback(ids: list[int]) -> dict[int, ItemRow]:
    return {
        f.id: ItemRow(
            f.code,
            f.title,
            str(FEEDBACK_STATUS[f.status_enum]),
            f.submitted_at,
            url_for("feedback_staff.item", code=f.code),
        )
        for f in db.session.scalars(select(Feedback).where(Feedback.id.in_(ids)))
    }


def _ratings(ids: list[int]) -> dict[int, ItemRow]:
    """A rating event as its feedback item's row, dated when it was given."""
    events = db.session.execute(
        select(Event.id, Event.subject_id, Event.occurred_at).where(Event.id.in_(ids))
    ).all()
    items = _feedback([subject for _id, subject, _at in events])
    return {
        event_id: ItemRow(
            items[subject].code, items[subject].title, items[subject].status, at, items[subject].url
        )
        for event_id, subject, at in events
        if subject in items
    }


def item_rows(kind: str, ids: list[int]) -> list[ItemRow]:
    """The rows of `ids` (one page), in their order."""
    found = _dossiers(ids) if kind == DOSSIER else _feedback(ids) if kind == FEEDBACK else _ratings(ids)
    return [found[i] for i in ids if i in found]
