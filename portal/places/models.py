"""AdminUnit: the 75 commune-level units of Sơn La, with their official codes."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Model


class AdminUnit(Model):
    __tablename__ = "admin_units"

    # Official 5-digit code (Decision 19/2025/QĐ-TTg); text, because leading zeros matter.
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))  # "xa" or "phuong"
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    province_code: Mapped[str] = mapped_column(String(2), default="14")
    search_key: Mapped[str] = mapped_column(String(240), index=True)

    def __repr__(self) -> str:
        return f"<AdminUnit {self.code} {self.name}>"
