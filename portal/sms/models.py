"""What is kept of each text sent: its purpose, size and cost, never the number or the words (they were in
the job's payload, which the outbox clears once sent)."""

from datetime import datetime

from sqlalchemy import SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import Money, UTCDateTime, utcnow
from portal.extensions import Model


class SmsMessage(Model):
    __tablename__ = "sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The job's idempotency key: a retry after a sent-but-not-recorded attempt finds it and sends nothing.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    purpose: Mapped[str] = mapped_column(String(40), index=True)
    encoding: Mapped[str] = mapped_column(String(4))  # "gsm7" or "ucs2"
    segments: Mapped[int] = mapped_column(SmallInteger)
    cost_vnd: Mapped[int] = mapped_column(Money)  # segments × SMS_PRICE_VND at the time of sending
    provider_id: Mapped[str] = mapped_column(String(64), default="")  # the gateway's message id
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
