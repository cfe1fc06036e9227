"""Consent notices and consents, privacy requests, export archives and contact corrections waiting for their
code. A subject is ("account", id) or ("feedback", id) (an anonymous reporter's item)."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import UTCDateTime, utcnow
from portal.extensions import Model

CHANNELS = ("web", "counter", "intermediary")
PURPOSES = ("notice", "publish_name", "precise_pin")
OPTIONAL_PURPOSES = ("publish_name", "precise_pin")


class ConsentNotice(Model):
    """One version of a notice as it was shown: its text is kept, so what a citizen agreed to can be shown
    later. The version is the date it was first shown and the start of the text's SHA-256."""

    __tablename__ = "privacy_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)  # 2026-12-06.1a2b3c4d5e6f
    text_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))
    locale: Mapped[str] = mapped_column(String(5))
    text: Mapped[str] = mapped_column(Text)
    first_shown_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Consent(Model):
    """One consent given (and perhaps withdrawn). Optional purposes are rows of their own."""

    __tablename__ = "privacy_consents"
    __table_args__ = (
        CheckConstraint("channel IN ('web', 'counter', 'intermediary')", name="channel_known"),
        CheckConstraint("purpose IN ('notice', 'publish_name', 'precise_pin')", name="purpose_known"),
        Index("ix_privacy_consents_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))  # "feedback", "dossier"
    subject_id: Mapped[int] = mapped_column()
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None, index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    notice_version: Mapped[str] = mapped_column(ForeignKey("privacy_notices.version"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    channel: Mapped[str] = mapped_column(String(12))
    ip_address: Mapped[str | None] = mapped_column(String(45), default=None)
    # Counter intake: the officer who took the consent given on paper.
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    @property
    def notice_date(self) -> date | None:
        """The day the notice's text was first shown: a version is "<ISO date>.<hash prefix>"
        (notices.version_of). The citizen sees this date; the export keeps the full version."""
        try:
            return date.fromisoformat(self.notice_version.partition(".")[0])
        except ValueError:
            return None


class PrivacyRequest(Model):
    """A data-subject request (export, correction, erasure, account deletion, withdrawal), its outcome and
    dates. `rule` names the retention rule when a dossier was restricted rather than erased."""

    __tablename__ = "privacy_requests"
    __table_args__ = (Index("ix_privacy_requests_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # export, correct, erase, delete_account, withdraw
    subject_type: Mapped[str] = mapped_column(String(20))  # account, feedback, dossier
    subject_id: Mapped[int] = mapped_column()
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    outcome: Mapped[str] = mapped_column(String(20), default="")  # done, anonymised, restricted, refused
    rule: Mapped[str] = mapped_column(String(40), default="")
    kept_until: Mapped[str] = mapped_column(String(10), default="")  # ISO date, "" permanently or n/a

    @property
    def kept_until_date(self) -> date | None:
        """`kept_until` as a date, for pages to write the way the portal writes dates (never the ISO text)."""
        return date.fromisoformat(self.kept_until) if self.kept_until else None


class ExportArchive(Model):
    """A ZIP of a subject's data. Reached by a bearer link whose token only the citizen's browser has (its
    SHA-256 is stored); the link and the file expire."""

    __tablename__ = "privacy_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending, ready
    stored_name: Mapped[str] = mapped_column(String(80), default="")
    size: Mapped[int] = mapped_column(default=0)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ContactChange(Model):
    """New contact data waiting for the one-time code sent to the citizen (only the code's SHA-256 kept)."""

    __tablename__ = "privacy_contact_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column()
    new_name: Mapped[str] = mapped_column(String(120), default="")
    new_email: Mapped[str] = mapped_column(String(254), default="")
    new_phone: Mapped[str] = mapped_column(String(16), default="")
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
