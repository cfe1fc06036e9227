"""Event: one line of a timeline and of the audit log. Rows are never updated or deleted, with one
exception: the IP address may be forgotten (set to NULL) when the person's data goes (Law 91/2025).

The migrations add database triggers that refuse DELETE and every UPDATE but that one on this table, so
the rule holds even for code that bypasses the ORM (portal/events/operations.py forgets addresses).
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import UTCDateTime, utcnow
from portal.extensions import Model


class Event(Model):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_subject", "subject_type", "subject_id", "occurred_at"),
        Index("ix_events_actor", "actor_id", "occurred_at"),
        # The retention schedule's "addresses older than N months" reads only lines that still hold one.
        Index(
            "ix_events_addresses",
            "occurred_at",
            sqlite_where=text("ip_address IS NOT NULL"),
            postgresql_where=text("ip_address IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)
    # What the event is about: ("dossier", 42), ("feedback", 7), ("procedure", 3), ("account", 5) …
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(30), default=None)
    to_status: Mapped[str | None] = mapped_column(String(30), default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    is_public: Mapped[bool] = mapped_column(default=False)
    ip_address: Mapped[str | None] = mapped_column(String(45), default=None)


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(Event, "before_update")
def _refuse_update(mapper, connection, target):
    raise AppendOnlyError("events are append-only")


@event.listens_for(Event, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AppendOnlyError("events are append-only")
