"""Reference data every installation needs, plus demo accounts for a newcomer to try."""

from __future__ import annotations

from dataclasses import dataclass

from portal.accounts.operations import create_account, find_by_email
from portal.agencies.seed import seed_agencies
from portal.calendar.seed import seed_announced_days
from portal.catalog.seed import seed_demo_blank_forms, seed_procedures
from portal.catalog.synonyms import seed_synonyms
from portal.dossiers.demo import seed_demo_dossiers, seed_demo_payments
from portal.feedback.demo import seed_demo_feedback
from portal.feedback.seed import seed_categories
from portal.places.seed import seed_units


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: str
    full_name: str
    agency: str | None


# Published in the README; for demonstration databases only.
DEMO_PASSWORD = "SonLa-demo-2026"  # noqa: S105 (public by design: the README prints it)
DEMO_ACCOUNTS = (
    DemoAccount("admin@demo.sonla.vn", DEMO_PASSWORD, "admin", "Quản trị hệ thống", None),
    DemoAccount("ketoan@demo.sonla.vn", DEMO_PASSWORD, "finance", "Lò Thị Thu", None),
    DemoAccount("tiepnhan@demo.sonla.vn", DEMO_PASSWORD, "receptionist", "Lò Thị Mai", "ubnd-phuong-to-hieu"),
    DemoAccount("xuly@demo.sonla.vn", DEMO_PASSWORD, "processor", "Cầm Văn Hùng", "ubnd-phuong-to-hieu"),
    DemoAccount("lanhdao@demo.sonla.vn", DEMO_PASSWORD, "leader", "Quàng Văn Thanh", "ubnd-phuong-to-hieu"),
    DemoAccount("lanhdao.tinh@demo.sonla.vn", DEMO_PASSWORD, "leader", "Lò Văn Bình", "ubnd-tinh"),
    DemoAccount(
        "quantri.xa@demo.sonla.vn", DEMO_PASSWORD, "agency_admin", "Tòng Thị Hoa", "ubnd-phuong-to-hieu"
    ),
    DemoAccount("congdan@demo.sonla.vn", DEMO_PASSWORD, "citizen", "Hoàng Văn Páo", None),
)


def seed_reference_data() -> dict[str, int]:
    """Idempotent: units, agencies, feedback categories, calendar swaps and the procedure catalogue."""
    counts = {
        "units": seed_units(),
        "agencies": seed_agencies(),
        "categories": seed_categories(),
        "calendar_days": seed_announced_days(),
    }
    report = seed_procedures()
    counts["procedures"] = report.created
    counts["synonyms"] = seed_synonyms()
    return counts


def seed_demo() -> dict[str, int]:
    counts = seed_reference_data()
    added = 0
    for demo in DEMO_ACCOUNTS:
        if find_by_email(demo.email) is None:
            create_account(
                email=demo.email,
                password=demo.password,
                full_name=demo.full_name,
                role=demo.role,
                agency_slug=demo.agency,
            )
            added += 1
    counts["accounts"] = added
    counts["feedback"] = seed_demo_feedback()
    counts["dossiers"] = seed_demo_dossiers()
    counts["payments"] = seed_demo_payments()
    counts["blank_forms"] = seed_demo_blank_forms()
    return counts
