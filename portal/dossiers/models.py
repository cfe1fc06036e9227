"""Dossier, its files, supplement pauses, apology letters and the citizen's rating."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Account
from portal.agencies.models import Agency
from portal.catalog.models import Procedure, RequiredDocument
from portal.db_types import Money, UTCDateTime, utcnow
from portal.domain.dossier_status import DossierStatus
from portal.extensions import Model
from portal.payments.models import Payment
from portal.places.models import AdminUnit

CHANNELS = ("online", "counter", "post")  # KenhThucHien 2, 1, 3


# A partial index over the items in the staff queue only (queue_due is NULL once an item leaves it).
OPEN_ONLY: dict[str, Any] = {
    "postgresql_where": text("queue_due IS NOT NULL"),
    "sqlite_where": text("queue_due IS NOT NULL"),
}


class Dossier(Model):
    __tablename__ = "dossiers"
    __table_args__ = (
        CheckConstraint("status BETWEEN 1 AND 10", name="status_known"),
        CheckConstraint("channel IN ('online', 'counter', 'post')", name="channel_known"),
        CheckConstraint("fee_vnd >= 0", name="fee_positive"),
        UniqueConstraint("agency_id", "received_day", "sequence", name="uq_dossiers_agency_day_sequence"),
        Index("ix_dossiers_queue", "agency_id", "status", "appointment_on"),
        Index("ix_dossiers_queue_due", "agency_id", "queue_due", "id", "assignee_id"),
        Index("ix_dossiers_queue_due_all", "queue_due", "id"),
        # The queue's filters, over open items only (a partial index: see portal/staff/queries.py).
        Index("ix_dossiers_queue_status", "agency_id", "status", "queue_due", "id", **OPEN_ONLY),
        Index("ix_dossiers_queue_assignee", "assignee_id", "queue_due", "id", **OPEN_ONLY),
        Index("ix_dossiers_queue_commune", "agency_id", "admin_unit_code", "queue_due", "id", **OPEN_ONLY),
        Index("ix_dossiers_queue_procedure", "agency_id", "procedure_id", "queue_due", "id", **OPEN_ONLY),
        Index(
            "ix_dossiers_search_trgm",
            "search_key",
            postgresql_using="gin",
            postgresql_ops={"search_key": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Issued exactly once, stored as issued (VIETNAM.md §3): {agency code}-{YYMMDD}-{NNNN}.
    code: Mapped[str] = mapped_column(String(60), unique=True)
    received_day: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column()
    # The QR's secret link is HMAC(SECRET_KEY, code + salt): receipts can be reprinted with the same QR,
    # and a copy of the database alone does not reveal any link.
    link_salt: Mapped[str] = mapped_column(String(32))
    # SHA-256 of the online or counter form's one-time nonce (portal/form_nonce.py): the same form sent
    # twice hits this unique index and creates nothing. NULL for dossiers from before nonces existed.
    form_nonce: Mapped[str | None] = mapped_column(String(64), unique=True, index=True, default=None)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    status: Mapped[int] = mapped_column(default=DossierStatus.SUBMITTED.value)
    # Applicant (người nộp hồ sơ)
    applicant_name: Mapped[str] = mapped_column(String(120))
    id_number: Mapped[str] = mapped_column(String(12))  # CCCD, 12 digits
    birth_date: Mapped[date | None] = mapped_column(Date, default=None)
    phone: Mapped[str] = mapped_column(String(16))  # E.164
    email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(String(300))
    admin_unit_code: Mapped[str] = mapped_column(ForeignKey("admin_units.code"))
    consent_version: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None, index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id"), default=None
    )  # counter intake
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None, index=True)
    # Money: computed by the server from the procedure, never sent by the client.
    fee_vnd: Mapped[int] = mapped_column(Money, default=0)
    # The fee's legal basis: the catalogue's, or the officer's when the catalogue has no amount.
    fee_basis: Mapped[str] = mapped_column(Text, default="")
    # Clock (VIETNAM.md §7.2 "capture from day one")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    appointment_on: Mapped[date | None] = mapped_column(Date, default=None)  # ngày hẹn trả (current)
    original_appointment_on: Mapped[date | None] = mapped_column(Date, default=None)
    # Sort key of the staff queue (portal/staff/queue_keys.py): due date while open, NULL once closed.
    queue_due: Mapped[date | None] = mapped_column(Date, default=None)
    result_proposed: Mapped[bool] = mapped_column(default=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)  # "processed" (9)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    closed_reason: Mapped[str] = mapped_column(Text, default="")  # refusal / stop / withdrawal reason
    result_note: Mapped[str] = mapped_column(Text, default="")  # "ready at the counter" etc.
    search_key: Mapped[str] = mapped_column(Text, default="")
    # Random, new in the same transaction as anything the citizen's status page shows (and on insert):
    # the key of that page's kept part (portal/tracking/versions.py; the rows are registered in wiring.py).
    # 0 only for rows inserted outside the ORM flush (bench/dataset.py, the rows from before the column);
    # the table's own default (the migration's) is not declared here, so an insert does not read it back.
    page_version: Mapped[int] = mapped_column(BigInteger, default=0)
    # Set when the citizen asked for erasure but an archive duty keeps the dossier (portal/privacy): from
    # then on it exists only for an authorised officer's logged view (portal/privacy/routes_staff.py).
    restricted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # "Số thứ tự" of form 01: the desk's running number in its register book (one book a year per agency),
    # given when the desk receives the dossier; NULL until then (an online dossier not yet received).
    register_number: Mapped[int | None] = mapped_column(default=None)
    # The appointment form 01 printed when the desk received the dossier, kept as given: a reprint says what
    # the citizen was told then, not the current date (empty while paused). NULL until received, and for
    # dossiers received before the column (form 01 then prints original_appointment_on).
    receipt_appointment_on: Mapped[date | None] = mapped_column(Date, default=None)
    # Counter intake: when the officer ticked that the citizen signed the paper personal-data notice.
    paper_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    agency: Mapped[Agency] = relationship(lazy="joined")
    procedure: Mapped[Procedure] = relationship(lazy="joined")
    admin_unit: Mapped[AdminUnit] = relationship()
    assignee: Mapped[Account | None] = relationship(foreign_keys=[assignee_id])
    files: Mapped[list["DossierFile"]] = relationship(
        back_populates="dossier", order_by="DossierFile.id", cascade="all, delete-orphan"
    )
    pauses: Mapped[list["DossierPause"]] = relationship(
        back_populates="dossier", order_by="DossierPause.started_at", cascade="all, delete-orphan"
    )
    apologies: Mapped[list["DossierApology"]] = relationship(
        back_populates="dossier", order_by="DossierApology.issued_at", cascade="all, delete-orphan"
    )
    rating: Mapped["DossierRating | None"] = relationship(
        back_populates="dossier", cascade="all, delete-orphan"
    )
    received_documents: Mapped[list["ReceivedDocument"]] = relationship(
        back_populates="dossier", order_by="ReceivedDocument.position", cascade="all, delete-orphan"
    )

    @property
    def catalogue_fee_vnd(self) -> int | None:
        """What the catalogue says a dossier of its procedure owes through its channel (an online one may owe
        less: portal.domain.fees); None while the provincial People's Council sets the amount."""
        return self.procedure.fee_for(self.channel)

    # Read-only: payments are created and changed by portal.payments (Payment.dossier); this side lets the
    # citizen's status page load them with the dossier in one statement.
    payments: Mapped[list[Payment]] = relationship(order_by=Payment.id, viewonly=True)

    @property
    def status_enum(self) -> DossierStatus:
        return DossierStatus(self.status)


class DossierFile(Model):
    """A document of the dossier: submitted, supplemented or the result. Stored privately."""

    __tablename__ = "dossier_files"
    __table_args__ = (CheckConstraint("kind IN ('submitted', 'supplement', 'result')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    required_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("required_documents.id"), default=None
    )
    kind: Mapped[str] = mapped_column(String(12))
    stored_name: Mapped[str] = mapped_column(String(80))
    display_name: Mapped[str] = mapped_column(String(200))  # sanitised; never used as a path
    mimetype: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column()
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)

    dossier: Mapped[Dossier] = relationship(back_populates="files")
    required_document: Mapped[RequiredDocument | None] = relationship()


class DossierPause(Model):
    """A request for documents (form 02) or for fees: the clock stops from started to resumed."""

    __tablename__ = "dossier_pauses"
    __table_args__ = (
        CheckConstraint("reason IN ('supplement', 'fee')", name="reason_known"),
        # The queue's per-row look-ups (supplement requests, the open request's start, "overdue"): an
        # index-only probe per dossier, which PostgreSQL picks even while the table is small.
        Index("ix_dossier_pauses_lookup", "dossier_id", "reason", "resumed_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(12))
    request: Mapped[str] = mapped_column(Text, default="")  # what is missing, as the citizen reads it
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    dossier: Mapped[Dossier] = relationship(back_populates="pauses")


class DossierApology(Model):
    """Form 04: "Phiếu xin lỗi và hẹn lại ngày trả kết quả"."""

    __tablename__ = "dossier_apologies"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)
    reason: Mapped[str] = mapped_column(Text)
    previous_date: Mapped[date] = mapped_column(Date)
    new_date: Mapped[date] = mapped_column(Date)

    dossier: Mapped[Dossier] = relationship(back_populates="apologies")
    issued_by: Mapped[Account | None] = relationship()


class DossierRating(Model):
    """The applicant's rating of the service, once, after the result was returned (portal.domain.dossier_rating;
    indicator 5.4)."""

    __tablename__ = "dossier_ratings"
    __table_args__ = (
        CheckConstraint("overall IN ('very_satisfied', 'satisfied', 'unsatisfied')", name="overall_known"),
        CheckConstraint("length(scores) = 9", name="scores_nine"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), unique=True)
    overall: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")  # required when "unsatisfied"
    scores: Mapped[str] = mapped_column(String(9))  # one of "0", "1", "2", "-" per criterion
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)

    dossier: Mapped[Dossier] = relationship(back_populates="rating")


RECEIVED_FORMS = ("original", "copy", "electronic")


class ReceivedDocument(Model):
    """One document the desk ticked as handed in (Circular 01/2018 form 01, item 1: "Thành phần hồ sơ nộp
    gồm"): its name as the procedure listed it that day, and in what form it came."""

    __tablename__ = "dossier_received_documents"
    __table_args__ = (CheckConstraint("form IN ('original', 'copy', 'electronic')", name="form_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    required_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("required_documents.id", ondelete="SET NULL"), default=None
    )
    position: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(Text)  # kept as listed: the catalogue's list may change later
    form: Mapped[str] = mapped_column(String(12))
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="received_documents")


TEMPLATE_PURPOSES = ("supplement", "refusal", "result")


class DossierTemplate(Model):
    """Reusable text for a dossier's request for documents (form 02), refusal (form 03) or result note, per
    agency (NULL agency: every agency), as feedback's response templates."""

    __tablename__ = "dossier_templates"
    __table_args__ = (
        CheckConstraint("purpose IN ('supplement', 'refusal', 'result')", name="purpose_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), default=None, index=True)
    purpose: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True)
