"""AdminUnit: the 75 commune-level units of Sơn La, with their official codes."""

from sqlalchemy import ForeignKey, String
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
    # The commune's own telephone line for emergencies (shown with 112-115 on urgent reports); "" unknown.
    hotline: Mapped[str] = mapped_column(String(20), default="", server_default="")

    def __repr__(self) -> str:
        return f"<AdminUnit {self.code} {self.name}>"


class FormerUnit(Model):
    """A commune-level unit from before the 1 July 2025 reorganisation and the current unit it became part
    of (the `legacy_sources` column of data/son_la_units.csv), so that people who still say "Chiềng Lề"
    find Phường Tô Hiệu. Searched by its folded name."""

    __tablename__ = "admin_unit_former_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    former_code: Mapped[str] = mapped_column(String(5))
    name: Mapped[str] = mapped_column(String(120))
    district: Mapped[str] = mapped_column(String(120), default="")
    admin_unit_code: Mapped[str] = mapped_column(
        ForeignKey("admin_units.code", ondelete="CASCADE"), index=True
    )
    search_key: Mapped[str] = mapped_column(String(240), index=True)
