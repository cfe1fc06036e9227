"""VietQRAccount: the fee account citizens pay into, kept in the database by an admin.

One row at most (id 1). While it is absent the environment's VIETQR_* settings apply
(portal.payments.operations.current_bank).
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_types import UTCDateTime, utcnow
from portal.extensions import Model
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
