"""The fee account citizens pay into through VietQR: the VietQRAccount row an administrator saved
(/staff/admin/bank), else the environment's VIETQR_* settings. bank_in_force() is the one place that decides.

One row at most (id 1).
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import UTCDateTime, utcnow
from portal.extensions import Model, db
from portal.settings import BankAccount

SINGLE_ROW_ID = 1


class VietQRAccount(Model):
    __tablename__ = "vietqr_accounts"
    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("length(bank_bin) = 6", name="bin_length"),
        CheckConstraint("length(account_number) BETWEEN 1 AND 19", name="number_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    bank_bin: Mapped[str] = mapped_column(String(6))  # NAPAS BIN of the bank, e.g. 970415
    account_number: Mapped[str] = mapped_column(String(19))
    account_name: Mapped[str] = mapped_column(String(50))  # ASCII capitals, as the bank prints it
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)

    def as_bank(self) -> BankAccount:
        return BankAccount(self.bank_bin, self.account_number, self.account_name)


def bank_in_force() -> tuple[BankAccount, str]:
    """The fee account in force and where it comes from: "database" (saved by an administrator) or
    "environment" (the VIETQR_* settings)."""
    row = db.session.get(VietQRAccount, SINGLE_ROW_ID)
    if row is not None:
        return row.as_bank(), "database"
    return current_app.config["PORTAL_SETTINGS"].bank, "environment"


def current_bank() -> BankAccount:
    """The fee account: the one an admin saved in the database (/staff/admin/bank), else the environment's."""
    return bank_in_force()[0]
