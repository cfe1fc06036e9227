"""ApiSubmission: which API key created which feedback item (the item itself is the web form's kind)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import UTCDateTime, utcnow
from portal.extensions import Model


class ApiSubmission(Model):
    __tablename__ = "api_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"), index=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback_items.id", ondelete="CASCADE"), unique=True)
    # The client's own id for the report (FixMyStreet sends attribute[fixmystreet_id]), when it gave one.
    client_reference: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
