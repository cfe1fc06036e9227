"""The transactional outbox: one row per job, written in the same transaction as the change it follows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import UTCDateTime
from portal.extensions import Model

PENDING, DONE, FAILED = "pending", "done", "failed"


class OutboxJob(Model):
    """A job to run after the commit. `key` is its idempotency key: the worker runs a key's job once.

    `payload` (JSON) holds what the job needs, rendered in the request (an e-mail's address, subject and
    body); it is emptied once the job is done or given up, so no personal data stays behind.
    """

    __tablename__ = "outbox_jobs"
    __table_args__ = (
        CheckConstraint(f"status IN ('{PENDING}', '{DONE}', '{FAILED}')", name="status"),
        # The sweep and the queue-depth metric read the pending rows only.
        Index("ix_outbox_jobs_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the next attempt is due (creation, then after each failure the back-off).
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # A worker that took the job holds it until then; after a crash the sweep hands it out again.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
