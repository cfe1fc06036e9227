"""Agency: a body that receives dossiers and answers feedback."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import Model
from portal.places.models import AdminUnit

KINDS = ("province", "department", "commune")


class Agency(Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Receiving-unit code under QCVN 102:2016 used as the dossier-code prefix (VIETNAM.md §3).
    # Configuration, not a constant: the province's real codes replace the seeded placeholders.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12), index=True)
    admin_unit_code: Mapped[str | None] = mapped_column(
        ForeignKey("admin_units.code"), unique=True, default=None
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    # The agency above this one, for complaints about the conduct of its officials (issue 14 item 4:
    # routed above the named unit). NULL: the province (portal.feedback.conduct.above).
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), default=None)

    admin_unit: Mapped[AdminUnit | None] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Agency {self.code} {self.name}>"
