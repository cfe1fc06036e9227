"""A case filed by an intermediary on behalf of a villager, and how the villager consented."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Account
from portal.db_types import UTCDateTime, utcnow
from portal.extensions import Model

PAPER, WITNESSED = "paper", "witnessed"  # a photo of the signed or thumb-printed paper; a witnessed tick


class IntermediaryFiling(Model):
    __tablename__ = "intermediary_filings"
    __table_args__ = (
        CheckConstraint("subject_type IN ('feedback', 'dossier')", name="subject_known"),
        CheckConstraint("consent_method IN ('paper', 'witnessed')", name="consent_method_known"),
        # A paper consent has its photo; a witnessed one has none.
        CheckConstraint(
            "(consent_method = 'paper') = (consent_photo IS NOT NULL)", name="consent_photo_with_paper"
        ),
        UniqueConstraint("subject_type", "subject_id", name="uq_intermediary_filings_subject"),
        Index("ix_intermediary_filings_intermediary", "intermediary_id", "filed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    intermediary_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    subject_type: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column()
    villager_name: Mapped[str] = mapped_column(String(120))
    consent_method: Mapped[str] = mapped_column(String(10))
    # The re-encoded photo of the consent paper in the upload store (portal.uploads), for a paper consent.
    consent_photo: Mapped[str | None] = mapped_column(String(80), default=None)
    notice_version: Mapped[str] = mapped_column(String(40))  # the notice read aloud
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    intermediary: Mapped[Account] = relationship()
