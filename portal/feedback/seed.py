"""Feedback categories suited to Sơn La (VIETNAM.md §6.1)."""

from sqlalchemy import select

from portal.agencies.models import Agency
from portal.extensions import db

from .models import FeedbackCategory

CATEGORIES = (
    # slug, Vietnamese, English, answer deadline (working days), urgent, subject, default agency
    (
        "moi-truong",
        "Môi trường & rác thải",
        "Environment & waste",
        15,
        False,
        "rule",
        "so-nong-nghiep-moi-truong",
    ),
    (
        "giao-thong",
        "Giao thông – đường, cầu, sạt lở",
        "Roads, bridges, landslides",
        15,
        False,
        "rule",
        "so-xay-dung",
    ),
    (
        "trat-tu-xay-dung",
        "Trật tự đô thị & xây dựng",
        "Urban order & construction",
        15,
        False,
        "rule",
        "so-xay-dung",
    ),
    (
        "dien-chieu-sang",
        "Điện – chiếu sáng",
        "Electricity & street lighting",
        15,
        False,
        "rule",
        "so-xay-dung",
    ),
    ("cap-thoat-nuoc", "Cấp, thoát nước", "Water supply & drainage", 15, False, "rule", "so-xay-dung"),
    ("dat-dai", "Đất đai", "Land", 15, False, "rule", "so-nong-nghiep-moi-truong"),
    ("y-te-attp", "Y tế & an toàn thực phẩm", "Health & food safety", 15, False, "rule", "so-y-te"),
    ("giao-duc", "Giáo dục", "Education", 15, False, "rule", "so-giao-duc-dao-tao"),
    ("an-ninh-trat-tu", "An ninh trật tự", "Security & public order", 5, False, "rule", "cong-an-tinh"),
    (
        "thien-tai",
        "Thiên tai – cảnh báo (lũ quét, sạt lở)",
        "Natural hazards & warnings (flash floods, landslides)",
        1,
        True,
        "rule",
        "ubnd-tinh",
    ),
    (
        "thu-tuc-can-bo",
        "Thủ tục hành chính / thái độ cán bộ",
        "Administrative procedures / staff conduct",
        15,
        False,
        "conduct",
        "so-noi-vu",
    ),
    (
        "nong-lam-nghiep",
        "Nông nghiệp – lâm nghiệp (cháy rừng, dịch bệnh)",
        "Agriculture & forestry (forest fires, disease)",
        5,
        True,
        "rule",
        "so-nong-nghiep-moi-truong",
    ),
    ("khac", "Khác", "Other", 15, False, "rule", "ubnd-tinh"),
)


def seed_categories() -> int:
    """Insert missing categories; admins' later edits are kept. Returns rows added."""
    agencies = dict(db.session.execute(select(Agency.slug, Agency.id)).all())
    existing = set(db.session.scalars(select(FeedbackCategory.slug)))
    added = 0
    for position, (slug, name, name_en, days, urgent, subject, agency) in enumerate(CATEGORIES, 1):
        if slug in existing:
            continue
        db.session.add(
            FeedbackCategory(
                slug=slug,
                name=name,
                name_en=name_en,
                response_days=days,
                is_urgent=urgent,
                subject=subject,
                default_agency_id=agencies.get(agency),
                position=position,
            )
        )
        added += 1
    db.session.flush()
    return added
