"""Announced swaps the holidays package does not know (VIETNAM.md §2.2). Review every year."""

from datetime import date

from portal.extensions import db

from .models import DAY_OFF, WORKDAY, CalendarDay

ANNOUNCED_DAYS = (
    (date(2025, 4, 26), WORKDAY, "Làm bù cho ngày nghỉ thứ Sáu 02/5/2025", "Hoán đổi ngày làm việc 2025"),
    (
        date(2026, 1, 2),
        DAY_OFF,
        "Nghỉ hoán đổi dịp Tết Dương lịch 2026",
        "Công văn 12729/VPCP-KGVX ngày 25/12/2025",
    ),
    (
        date(2026, 1, 10),
        WORKDAY,
        "Làm bù cho ngày nghỉ thứ Sáu 02/01/2026",
        "Công văn 12729/VPCP-KGVX ngày 25/12/2025",
    ),
    (date(2026, 8, 22), WORKDAY, "Làm bù cho ngày nghỉ thứ Hai 31/8/2026", "Hoán đổi dịp Quốc khánh 2026"),
)


def seed_announced_days() -> int:
    """Insert the known swaps that are missing; never overwrite an admin's edit. Returns rows added."""
    added = 0
    for day, kind, reason, reference in ANNOUNCED_DAYS:
        if db.session.get(CalendarDay, day) is None:
            db.session.add(CalendarDay(day=day, kind=kind, reason=reason, legal_reference=reference))
            added += 1
    db.session.flush()
    return added
