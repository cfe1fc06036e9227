"""Declared force-majeure events (landslide, flash flood, road cut, epidemic) and the items they paused.

Kept in the calendar package, below dossiers and feedback, because their deadline modules read the declared
days of an item's commune (`spans_for`) whenever they count; the feature that declares events, recomputes
the items and drafts the letters is portal/disasters (above them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_types import UTCDateTime, utcnow
from portal.domain.working_days import Suspension
from portal.extensions import Model, db

KINDS = ("landslide", "flash_flood", "road_cut", "epidemic")
# Which commune places an item: the applicant's (a dossier's applicant) or the item's place (a dossier's
# receiving commune office, a feedback item's location). Each declaring agency chooses per event.
LOCATE_BY = ("applicant", "place")


class DisasterEvent(Model):
    __tablename__ = "disaster_events"
    __table_args__ = (
        CheckConstraint("kind IN ('landslide', 'flash_flood', 'road_cut', 'epidemic')", name="kind_known"),
        CheckConstraint("locate_by IN ('applicant', 'place')", name="locate_by_known"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    # The declaring agency; None for the province-wide admin. Its items only, unless it is the province.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), default=None, index=True)
    locate_by: Mapped[str] = mapped_column(String(12), default="applicant")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)  # inclusive; moved earlier when the event ends early
    legal_basis: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)  # ended early (audited)

    communes: Mapped[list[DisasterCommune]] = relationship(
        cascade="all, delete-orphan", order_by="DisasterCommune.admin_unit_code"
    )

    @property
    def codes(self) -> list[str]:
        return [c.admin_unit_code for c in self.communes]

    def span(self) -> Suspension:
        return Suspension(self.starts_on, self.ends_on)


class DisasterCommune(Model):
    __tablename__ = "disaster_communes"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("disaster_events.id", ondelete="CASCADE"), primary_key=True
    )
    admin_unit_code: Mapped[str] = mapped_column(ForeignKey("admin_units.code"), primary_key=True, index=True)


class DisasterEffect(Model):
    """An item whose dates the event moved: on its timeline, shown to the citizen, flagged in the dashboard."""

    __tablename__ = "disaster_effects"
    __table_args__ = (
        UniqueConstraint("event_id", "subject_type", "subject_id", name="uq_disaster_effects_item"),
        Index("ix_disaster_effects_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("disaster_events.id", ondelete="CASCADE"))
    subject_type: Mapped[str] = mapped_column(String(12))  # "dossier" | "feedback"
    subject_id: Mapped[int] = mapped_column()
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    due_before: Mapped[date | None] = mapped_column(Date, default=None)  # without any event
    due_after: Mapped[date | None] = mapped_column(Date, default=None)  # with every event of its commune
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[DisasterEvent] = relationship()


class DisasterLetter(Model):
    """A form 04 apology letter drafted for a dossier the event makes late; issued by an officer in bulk."""

    __tablename__ = "disaster_letters"
    __table_args__ = (
        UniqueConstraint("event_id", "dossier_id", name="uq_disaster_letters_dossier"),
        CheckConstraint("state IN ('draft', 'issued', 'dropped')", name="state_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("disaster_events.id", ondelete="CASCADE"), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    previous_date: Mapped[date] = mapped_column(Date)  # the date the citizen was promised before the event
    new_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(8), default="draft")
    channel: Mapped[str] = mapped_column(String(12), default="")  # "email", "sms", "email+sms" or "print"
    apology_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_apologies.id"), default=None)
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


def events_covering(codes: Iterable[str], agency_id: int) -> list[DisasterEvent]:
    """The events declared for any of these communes that reach an item of `agency_id`: the agency's own,
    the province's (agency kind "province") and the admin's (no agency)."""
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return []
    from portal.agencies.models import Agency

    reach = select(Agency.id).where(Agency.kind == "province")
    stmt = (
        select(DisasterEvent)
        .join(DisasterCommune)
        .where(DisasterCommune.admin_unit_code.in_(wanted))
        .where(
            (DisasterEvent.agency_id == agency_id)
            | DisasterEvent.agency_id.is_(None)
            | DisasterEvent.agency_id.in_(reach)
        )
        .order_by(DisasterEvent.starts_on, DisasterEvent.id)
        .distinct()
    )
    return list(db.session.scalars(stmt))


def spans_for(applicant_code: str | None, place_code: str | None, agency_id: int) -> list[Suspension]:
    """The declared days that stop this item's clock: each event placing it by the commune it chose."""
    events = events_covering([applicant_code or "", place_code or ""], agency_id)
    chosen = []
    for event in events:
        code = applicant_code if event.locate_by == "applicant" else place_code
        if code in event.codes:
            chosen.append(event.span())
    return chosen


# What records, for an item dated while events of its commune were declared, the events that moved its date
# (their DisasterEffect rows and timeline lines): portal/disasters, above the features that date items,
# registers one listener per subject type at app start (portal/disasters/wiring.py).
_DATED: dict[str, Callable[[Any], None]] = {}


def on_dated(subject_type: str, listener: Callable[[Any], None]) -> None:
    _DATED[subject_type] = listener


def dated(subject_type: str, item: Any) -> None:
    """An item of `subject_type` ("feedback", "dossier"), written and with its id, was given its first dates
    with declared days of its commune (its spans were not empty): tell it as declaring the event told the
    items already open (DisasterEffect row, public timeline line), else a report sent or a dossier received
    during a landslide shows a later date with no reason and no flag on the dashboard."""
    listener = _DATED.get(subject_type)
    if listener is not None:
        listener(item)


def effects_of(subject_type: str, subject_id: int) -> list[DisasterEffect]:
    """What the citizen's page and the staff item show: the events that moved this item's dates."""
    return list(
        db.session.scalars(
            select(DisasterEffect)
            .where(DisasterEffect.subject_type == subject_type, DisasterEffect.subject_id == subject_id)
            .order_by(DisasterEffect.event_id)
        )
    )


def flagged(agency_id: int | None, first: date, last: date) -> list[tuple[DisasterEvent, int, int]]:
    """For the dashboard (the Decision 766 report's explanation): each event overlapping the period, with the
    dossiers and the feedback items of the scope (None: the province) whose dates it moved."""
    from sqlalchemy import func

    stmt = (
        select(DisasterEvent, DisasterEffect.subject_type, func.count(DisasterEffect.id))
        .join(DisasterEffect, DisasterEffect.event_id == DisasterEvent.id)
        .where(DisasterEvent.starts_on <= last, DisasterEvent.ends_on >= first)
        .group_by(DisasterEvent.id, DisasterEffect.subject_type)
        .order_by(DisasterEvent.starts_on, DisasterEvent.id)
    )
    if agency_id is not None:
        stmt = stmt.where(DisasterEffect.agency_id == agency_id)
    counts: dict[int, list] = {}
    for event, kind, count in db.session.execute(stmt):
        row = counts.setdefault(event.id, [event, 0, 0])
        row[1 if kind == "dossier" else 2] += count
    return [(event, dossiers, feedback) for event, dossiers, feedback in counts.values()]
