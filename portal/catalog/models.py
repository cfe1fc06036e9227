"""Procedure, its required documents and its blank forms."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.db_types import Money, UTCDateTime, utcnow
from portal.domain import fees
from portal.extensions import Model

LEVELS = ("commune", "province", "both")
ONLINE_LEVELS = ("full", "partial", "none")


class Procedure(Model):
    __tablename__ = "procedures"
    __table_args__ = (
        CheckConstraint("level IN ('commune', 'province', 'both')", name="level_known"),
        CheckConstraint("online_level IN ('full', 'partial', 'none')", name="online_level_known"),
        CheckConstraint("processing_days >= 0", name="processing_days_positive"),
        CheckConstraint("charge_vnd IS NULL OR charge_vnd >= 0", name="charge_positive"),
        CheckConstraint("fee_vnd IS NULL OR fee_vnd >= 0", name="fee_positive"),
        CheckConstraint("online_charge_vnd IS NULL OR online_charge_vnd >= 0", name="online_charge_positive"),
        # Trigram index for the catalogue's substring search (pg_trgm); a plain index on SQLite.
        Index(
            "ix_procedures_search_key_trgm",
            "search_key",
            postgresql_using="gin",
            postgresql_ops={"search_key": "gin_trgm_ops"},
        ),
        Index("ix_procedures_listing", "is_active", "area", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # URL code: the national procedure code (e.g. 1.001193) or a local one (SL-025) until confirmed.
    code: Mapped[str] = mapped_column(String(20), unique=True)
    national_code: Mapped[str | None] = mapped_column(String(20), default=None)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    area: Mapped[str] = mapped_column(String(120))
    area_en: Mapped[str] = mapped_column(String(200), default="")
    level: Mapped[str] = mapped_column(String(10), index=True)
    deciding_body: Mapped[str] = mapped_column(String(300))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), default=None, index=True)
    processing_days: Mapped[int] = mapped_column(default=0)  # working days; 0 = same day
    same_day: Mapped[bool] = mapped_column(default=False)
    # Filed at/after 15:00, counted from the next working day whatever the duration (Decree 63/2024's
    # linked procedures, VIETNAM.md §2.3 item 4). Same-day procedures always have it (Decree 23/2015).
    afternoon_cutoff: Mapped[bool] = mapped_column(default=False)
    time_note: Mapped[str] = mapped_column(Text, default="")
    charge_vnd: Mapped[int | None] = mapped_column(Money, default=None)  # lệ phí, whole dong
    fee_vnd: Mapped[int | None] = mapped_column(Money, default=None)  # phí, whole dong
    # The lệ phí of a dossier submitted online, where the law sets a lower one (Circular 75/2022/TT-BTC);
    # None: the same as at the counter. portal.domain.fees.amount_for chooses.
    online_charge_vnd: Mapped[int | None] = mapped_column(Money, default=None)
    fee_note: Mapped[str] = mapped_column(Text, default="")
    fee_source: Mapped[str] = mapped_column(String(200), default="")
    online_level: Mapped[str] = mapped_column(String(8), default="none")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[str] = mapped_column(String(30), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    search_key: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    # A leader signs off before the result is ready (set by agency admins per procedure).
    needs_approval: Mapped[bool] = mapped_column(default=False)

    agency: Mapped[Agency | None] = relationship()
    documents: Mapped[list["RequiredDocument"]] = relationship(
        back_populates="procedure", order_by="RequiredDocument.position", cascade="all, delete-orphan"
    )
    blank_forms: Mapped[list["BlankForm"]] = relationship(
        back_populates="procedure", order_by="BlankForm.position", cascade="all, delete-orphan"
    )

    def fee_for(self, channel: str) -> int | None:
        """What a dossier of this channel owes (portal.domain.fees.amount_for), or None when the amount is
        the provincial council's to set."""
        return fees.amount_for(channel, self.charge_vnd, self.fee_vnd, self.online_charge_vnd)

    @property
    def total_fee_vnd(self) -> int | None:
        """Charge plus fee at the counter, or None when both are unknown (set by the provincial council)."""
        return self.fee_for(fees.COUNTER)

    @property
    def online_fee_vnd(self) -> int | None:
        """Charge plus fee of a dossier submitted online."""
        return self.fee_for(fees.ONLINE)

    @property
    def has_cutoff(self) -> bool:
        """A filing at/after 15:00 counts from the next working day (OfficeHours.cutoff)."""
        return self.same_day or self.afternoon_cutoff or self.processing_days == 0

    @property
    def fee_set_by_council(self) -> bool:
        """The amount is the provincial People's Council's to set (its resolution, "NQ HĐND tỉnh"), as the
        catalogue's source of the fee says."""
        return "HĐND" in self.fee_source

    @property
    def is_online(self) -> bool:
        return self.online_level in ("full", "partial")


class RequiredDocument(Model):
    __tablename__ = "required_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(Text)

    procedure: Mapped[Procedure] = relationship(back_populates="documents")


class Synonym(Model):
    """An everyday expression ("sổ đỏ", "làm giấy khai sinh") and the catalogue words it stands for: the
    search replaces the expression's folded form with `search_terms`. Administrators edit them (audited)."""

    __tablename__ = "catalog_synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    phrase: Mapped[str] = mapped_column(String(120))
    # fold(phrase): the search looks every run of the query's words up in this unique index.
    phrase_key: Mapped[str] = mapped_column(String(120), unique=True)
    search_terms: Mapped[str] = mapped_column(String(300))


class BlankForm(Model):
    """A blank form (tờ khai) of a procedure that citizens download and fill in: a checked file in the
    private store (portal.uploads.storage), never changed in place (a new upload is a new row and key)."""

    __tablename__ = "procedure_blank_forms"
    __table_args__ = (CheckConstraint("size_bytes >= 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column()
    stored_name: Mapped[str] = mapped_column(String(120), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    procedure: Mapped[Procedure] = relationship(back_populates="blank_forms")
