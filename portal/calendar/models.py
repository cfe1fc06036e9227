"""CalendarDay: an announced day off or make-up working day that the holidays package lacks."""

from datetime import date

from sqlalchemy import CheckConstraint, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Model

DAY_OFF = "off"
WORKDAY = "workday"


class CalendarDay(Model):
    __tablename__ = "calendar_days"
    __table_args__ = (CheckConstraint("kind IN ('off', 'workday')", name="kind_known"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(200))
    legal_reference: Mapped[str] = mapped_column(String(200), default="")


class CalendarVersion(Model):
    """One row (id 1) whose token changes with every change of `calendar_days`, in the same transaction
    (portal/calendar/version.py): every process keeps its built calendar while the token it read is the one
    in the database. No row means the table was never changed through the portal since this table existed."""

    __tablename__ = "calendar_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
