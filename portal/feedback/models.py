"""Feedback categories; the feedback issue adds the Feedback aggregate."""
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.agencies.models import Agency
from portal.extensions import db


class FeedbackCategory(db.Model):
    __tablename__ = "feedback_categories"
    __table_args__ = (
        CheckConstraint("response_days BETWEEN 1 AND 60", name="response_days_range"),
        CheckConstraint("subject IN ('rule', 'conduct')", name="subject_known"),
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
    default_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), default=None)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    default_agency: Mapped[Agency | None] = relationship()
