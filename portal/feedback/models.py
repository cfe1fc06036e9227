"""Feedback (phản ánh, kiến nghị): categories, items, photos, pauses, response templates."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import Account
from portal.agencies.models import Agency
from portal.db_types import UTCDateTime, utcnow
from portal.domain.feedback_status import FeedbackStatus
from portal.extensions import Model
from portal.places.models import AdminUnit

# A partial index over the items in the staff queue only (queue_due is NULL once an item leaves it).
OPEN_ONLY: dict[str, Any] = {
    "postgresql_where": text("queue_due IS NOT NULL"),
    "sqlite_where": text("queue_due IS NOT NULL"),
}

# Partial indexes over the published items only: the public feed's pages and filters. The newest items are
# mostly unpublished (waiting for moderation), and a filter value with no published item (a status nobody
# published) would otherwise walk the whole table backwards by id looking for one (bench/notes/feed.md).
PUBLISHED_ONLY: dict[str, Any] = {
    "postgresql_where": text("is_published"),
    "sqlite_where": text("is_published = 1"),  # SQLAlchemy writes the condition so on SQLite
}


URGENT_RANK, NORMAL_RANK = 0, 1


def queue_rank(is_urgent: bool) -> int:
    return URGENT_RANK if is_urgent else NORMAL_RANK


class FeedbackCategory(Model):
    __tablename__ = "feedback_categories"
    __table_args__ = (
        CheckConstraint("response_days BETWEEN 1 AND 60", name="response_days_range"),
        CheckConstraint("subject IN ('rule', 'conduct')", name="subject_known"),
        CheckConstraint("fix_check IN ('off', 'ask', 'confirm')", name="fix_check_known"),
        CheckConstraint(
            "fix_check_days IS NULL OR fix_check_days BETWEEN 1 AND 30", name="fix_check_days_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    # Answer deadline in working days (Decision 766 uses 15; urgent categories are shorter).
    response_days: Mapped[int] = mapped_column(default=15)
    is_urgent: Mapped[bool] = mapped_column(default=False)
    # The national portal types feedback as about a rule or about official conduct (VIETNAM.md §6.1).
    subject: Mapped[str] = mapped_column(String(8), default="rule")
    # Where new reports go: this agency, or (NULL) the People's Committee of the commune where the problem is,
    # for the categories whose first responder is the commune (village roads, waste, lighting, hazards).
    default_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), default=None)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Complaints about an official's conduct (issue 14 item 4): routed to the agency above the unit the
    # report names, and the reporter's identity hidden from staff until an audited reveal (portal.steering).
    protects_reporter: Mapped[bool] = mapped_column(default=False)
    # Closure the citizen can verify (issue 14 item 5, portal/domain/fix_check.py): an "after" photo is
    # required to answer a report as fixed; the "is it fixed?" question ("off", "ask": silence counts as
    # fixed, "confirm": silence reopens) and the working days to reply (NULL: PORTAL_FIX_CHECK_DAYS).
    after_photo_required: Mapped[bool] = mapped_column(default=False)
    fix_check: Mapped[str] = mapped_column(String(8), default="off")
    fix_check_days: Mapped[int | None] = mapped_column(SmallInteger, default=None)

    default_agency: Mapped[Agency | None] = relationship()


class Feedback(Model):
    """One citizen report (phản ánh, kiến nghị)."""

    __tablename__ = "feedback_items"
    __table_args__ = (
        CheckConstraint(
            "status IN ('new', 'accepted', 'info_requested', 'answered', 'refused', 'closed')",
            name="status_known",
        ),
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"),
        Index("ix_feedback_queue", "agency_id", "status", "due_on"),
        # The unified staff queue reads open items in due order from these (see portal/staff/queue_keys.py).
        # Urgent items first: (queue_rank, queue_due, id) is the queue's order.
        Index("ix_feedback_queue_due", "agency_id", "queue_rank", "queue_due", "id", "assignee_id"),
        Index("ix_feedback_queue_due_all", "queue_rank", "queue_due", "id"),
        # The queue's filters, over open items only (a partial index: see portal/staff/queries.py).
        Index(
            "ix_feedback_queue_status", "agency_id", "status", "queue_rank", "queue_due", "id", **OPEN_ONLY
        ),
        Index("ix_feedback_queue_assignee", "assignee_id", "queue_rank", "queue_due", "id", **OPEN_ONLY),
        Index(
            "ix_feedback_queue_commune",
            "agency_id",
            "admin_unit_code",
            "queue_rank",
            "queue_due",
            "id",
            **OPEN_ONLY,
        ),
        Index(
            "ix_feedback_queue_category",
            "agency_id",
            "category_id",
            "queue_rank",
            "queue_due",
            "id",
            **OPEN_ONLY,
        ),
        Index("ix_feedback_public", "id", **PUBLISHED_ONLY),
        Index("ix_feedback_public_category", "category_id", "id", **PUBLISHED_ONLY),
        Index("ix_feedback_public_commune", "admin_unit_code", "id", **PUBLISHED_ONLY),
        Index("ix_feedback_public_status", "status", "id", **PUBLISHED_ONLY),
        # Open311's GET requests.json: published items of a window of at most 90 days, newest first.
        Index("ix_feedback_public_submitted", "submitted_at", "id", **PUBLISHED_ONLY),
        Index("ix_feedback_nearby", "admin_unit_code", "category_id", "submitted_at"),
        # Code recovery looks a citizen's reports up by the phone or e-mail they gave (routes_recovery.py).
        Index("ix_feedback_phone", "phone"),
        Index("ix_feedback_email", "email"),
        Index(
            "ix_feedback_search_trgm",
            "search_key",
            postgresql_using="gin",
            postgresql_ops={"search_key": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    # SHA-256 of the secret link's token: the token itself is shown once and mailed, never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # SHA-256 of the submission form's one-time nonce (portal/form_nonce.py): the same form sent twice
    # hits this unique index and creates nothing. NULL for items from before nonces existed.
    form_nonce: Mapped[str | None] = mapped_column(String(64), unique=True, index=True, default=None)
    category_id: Mapped[int] = mapped_column(ForeignKey("feedback_categories.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    admin_unit_code: Mapped[str] = mapped_column(ForeignKey("admin_units.code"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None] = mapped_column(default=None)
    longitude: Mapped[float | None] = mapped_column(default=None)
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(16))  # E.164
    email: Mapped[str] = mapped_column(String(254), default="")
    show_name: Mapped[bool] = mapped_column(default=False)
    # The reporter's "precise map pin" consent, current (withdrawing clears it): public views show the
    # position rounded to ~1 km without it (portal/domain/pin.py).
    precise_pin: Mapped[bool] = mapped_column(default=False)
    consent_version: Mapped[str] = mapped_column(String(40))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None, index=True)
    status: Mapped[str] = mapped_column(String(20), default="new")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None, index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_on: Mapped[date] = mapped_column(Date)  # day 0 of the working-day count
    due_on: Mapped[date | None] = mapped_column(Date, default=None)  # answer deadline; None while paused
    # The last forwarding to another agency: the answer clock restarts from it (VIETNAM.md §6.2).
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The citizen said the problem was not fixed (portal/feedback/closure.py): the answer clock restarts
    # from then, like a forwarding.
    restarted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Sort key of the staff queue: the due date (or far future while paused) while open, NULL once closed.
    queue_due: Mapped[date | None] = mapped_column(Date, default=None)
    # The queue's first sort key while open (NULL once closed, like queue_due, so an index range skips the
    # closed items): URGENT_RANK for an item of an urgent category, NORMAL_RANK otherwise. Set when it is
    # submitted, by the queue listener when it reopens, and when an administrator changes the urgency.
    queue_rank: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    is_published: Mapped[bool] = mapped_column(default=False)
    refusal_reason: Mapped[str] = mapped_column(String(20), default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_items.id"), default=None)
    # A conduct complaint (category.protects_reporter): the unit it names, which never handles it, and
    # whether the reporter's name and contact are hidden from staff (revealed only by an audited action).
    named_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), default=None)
    reporter_hidden: Mapped[bool] = mapped_column(default=False)
    info_request: Mapped[str] = mapped_column(Text, default="")
    reopen_count: Mapped[int] = mapped_column(default=0)
    # An answer given as fixed was late and the citizen's "not fixed" (or confirming silence) reopened it:
    # 5.2 counts the item late whatever its next answer (portal/domain/fix_check.py `carried_late`). Set by
    # portal/feedback/closure.py when it reopens, never cleared; the staff queue's 766 hint and its filter
    # "costs points this week" read it from the row (portal/steering).
    reopened_late: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The first request for information came after its 5 working days from day 0 (VIETNAM.md §6.2): 5.2
    # counts the item late whatever happens next (portal/domain/feedback_steps.py `first_request_late`, the
    # dashboard's rule). Set by portal/feedback/operations.py when it records the first request, never
    # cleared; read like reopened_late by the staff queue's 766 hint and its filter (portal/steering).
    info_request_late: Mapped[bool] = mapped_column(default=False, server_default=false())
    rating: Mapped[str] = mapped_column(String(12), default="")  # "", "satisfied", "unsatisfied"
    rating_comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # What the public sees instead of the title and description once staff redacted them (the staff
    # "redact" action, audited); NULL: the citizen's text, with personal details masked (portal/domain/pii.py).
    # The original stays in title and description, for the handling agency only.
    public_title: Mapped[str | None] = mapped_column(String(200), default=None)
    public_description: Mapped[str | None] = mapped_column(Text, default=None)
    search_key: Mapped[str] = mapped_column(Text, default="")  # staff: includes name and phone
    public_search_key: Mapped[str] = mapped_column(Text, default="")  # no personal data
    # Random, new in the same transaction as anything the citizen's status page shows (and on insert):
    # the key of that page's kept part (portal/tracking/versions.py; the rows are registered in wiring.py).
    # 0 only for rows inserted outside the ORM flush (bench/dataset.py, the rows from before the column);
    # the table's own default (the migration's) is not declared here, so an insert does not read it back.
    page_version: Mapped[int] = mapped_column(BigInteger, default=0)
    # "This is my problem too": how many people (one per phone or browser session) said so. A counter kept
    # with the rows of FeedbackSupport in one transaction, so the feed reads it without a join.
    support_count: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    category: Mapped[FeedbackCategory] = relationship(lazy="joined")
    agency: Mapped[Agency] = relationship(lazy="joined", foreign_keys=[agency_id])
    admin_unit: Mapped[AdminUnit] = relationship(lazy="joined")
    photos: Mapped[list["FeedbackPhoto"]] = relationship(
        back_populates="feedback", order_by="FeedbackPhoto.position", cascade="all, delete-orphan"
    )
    pauses: Mapped[list["FeedbackPause"]] = relationship(
        back_populates="feedback", order_by="FeedbackPause.started_at", cascade="all, delete-orphan"
    )
    fixes: Mapped[list["FeedbackFix"]] = relationship(
        back_populates="feedback", order_by="FeedbackFix.id", cascade="all, delete-orphan"
    )
    assignee: Mapped[Account | None] = relationship(foreign_keys=[assignee_id])
    duplicate_of: Mapped["Feedback | None"] = relationship(remote_side=[id])

    @property
    def status_enum(self) -> FeedbackStatus:
        return FeedbackStatus(self.status)

    @property
    def report_photos(self) -> list["FeedbackPhoto"]:
        """The photos sent with the report itself (not with a reply to a request for information)."""
        return [photo for photo in self.photos if photo.reply_event_id is None]

    def reply_photos(self, public: bool = False) -> dict[int, list["FeedbackPhoto"]]:
        """The photos sent with each reply, by the reply's timeline line (events.id); `public`: only those
        the public may see (staff did not hide them), as for the report's own photos."""
        found: dict[int, list[FeedbackPhoto]] = {}
        for photo in self.photos:
            if photo.reply_event_id is not None and not (public and photo.is_redacted):
                found.setdefault(photo.reply_event_id, []).append(photo)
        return found


class FeedbackPhoto(Model):
    __tablename__ = "feedback_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback_items.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    stored_name: Mapped[str] = mapped_column(String(80))
    thumbnail_name: Mapped[str] = mapped_column(String(80))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    # Hidden from the public by staff (the "redact" action: a face, a plate, a document in the picture);
    # the agency still sees it.
    is_redacted: Mapped[bool] = mapped_column(default=False)
    # A photo sent with the citizen's reply to a request for information (issue 18 item 5): the reply's
    # timeline line. NULL: a photo of the report itself.
    reply_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), default=None, index=True)

    feedback: Mapped[Feedback] = relationship(back_populates="photos")


class FeedbackFix(Model):
    """One answer given as fixed: its "after" photo and the citizen's "is it fixed?" question
    (portal/feedback/closure.py, portal/domain/fix_check.py)."""

    __tablename__ = "feedback_fixes"
    __table_args__ = (
        CheckConstraint("reply IN ('', 'yes', 'no', 'silent')", name="reply_known"),
        Index("ix_feedback_fixes_waiting", "reply", "reply_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback_items.id", ondelete="CASCADE"), index=True)
    fixed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fixed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)
    # The answer this fix came with: its local day and the answer deadline then (5.2 after a reopening).
    answered_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    # The "after" photo (portal/uploads: re-encoded, encrypted), or NULL when none was required or given.
    stored_name: Mapped[str | None] = mapped_column(String(80), default=None, unique=True)
    thumbnail_name: Mapped[str | None] = mapped_column(String(80), default=None, unique=True)
    width: Mapped[int | None] = mapped_column(default=None)
    height: Mapped[int | None] = mapped_column(default=None)
    # The question: SHA-256 of the one-tap link's token (NULL: not asked), the last day to reply.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    reply_by: Mapped[date | None] = mapped_column(Date, default=None)
    reply: Mapped[str] = mapped_column(String(8), default="")  # "" while waiting or not asked
    comment: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    reopened: Mapped[bool] = mapped_column(default=False)  # this reply reopened the item

    feedback: Mapped[Feedback] = relationship(back_populates="fixes")


class FeedbackPause(Model):
    """A request for information: the answer clock stops from `started_at` until `resumed_at`."""

    __tablename__ = "feedback_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback_items.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    feedback: Mapped[Feedback] = relationship(back_populates="pauses")


class ResponseTemplate(Model):
    """Reusable answer text for staff, per agency (NULL agency: everyone)."""

    __tablename__ = "response_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), default=None, index=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True)


class FeedbackSupport(Model):
    """One person's "this is my problem too" on a report. `supporter` is the SHA-256 of the phone number
    (E.164) or of a random per-session id: the unique index makes it one per phone or session, whichever
    process sees the two clicks."""

    __tablename__ = "feedback_supports"
    __table_args__ = (Index("uq_feedback_supports_once", "feedback_id", "supporter", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback_items.id", ondelete="CASCADE"))
    supporter: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
