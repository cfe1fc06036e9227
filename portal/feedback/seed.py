"""Feedback categories suited to Sơn La (VIETNAM.md §6.1) and where their reports go (the routing table)."""

from sqlalchemy import select

from portal.agencies.models import Agency
from portal.extensions import db

from .models import FeedbackCategory

# A category with no department (None) goes to the People's Committee of the commune where the problem is:
# the commune is the first responder for village roads, waste, lighting and natural hazards (the "four on
# the spot" of disaster response). Urgent categories come first in every queue, with a mark, and alert the
# agency's leaders.
CATEGORIES = (
    # slug, Vietnamese, English, answer deadline (working days), urgent, subject, department (None: commune)
    ("sat-lo", "Sạt lở đất, đá", "Landslides & rockfalls", 1, True, "rule", None),
    ("lu-quet", "Lũ quét, lũ ống, ngập lụt", "Flash floods & flooding", 1, True, "rule", None),
    ("chay-rung", "Cháy rừng", "Forest fires", 1, True, "rule", None),
    ("moi-truong", "Môi trường & rác thải", "Environment & waste", 15, False, "rule", None),
    ("giao-thong", "Giao thông – đường, cầu", "Roads & bridges", 15, False, "rule", None),
    (
        "trat-tu-xay-dung",
        "Trật tự đô thị & xây dựng",
        "Urban order & construction",
        15,
        False,
        "rule",
        "so-xay-dung",
    ),
    ("dien-chieu-sang", "Điện – chiếu sáng", "Electricity & street lighting", 15, False, "rule", None),
    ("cap-thoat-nuoc", "Cấp, thoát nước", "Water supply & drainage", 15, False, "rule", "so-xay-dung"),
    ("dat-dai", "Đất đai", "Land", 15, False, "rule", "so-nong-nghiep-moi-truong"),
    ("y-te-attp", "Y tế & an toàn thực phẩm", "Health & food safety", 15, False, "rule", "so-y-te"),
    ("giao-duc", "Giáo dục", "Education", 15, False, "rule", "so-giao-duc-dao-tao"),
    ("an-ninh-trat-tu", "An ninh trật tự", "Security & public order", 5, False, "rule", "cong-an-tinh"),
    (
        "thien-tai",
        "Thiên tai khác – cảnh báo (dông lốc, mưa đá, rét hại)",
        "Other natural hazards & warnings (storms, hail, frost)",
        1,
        True,
        "rule",
        None,
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
        "Nông nghiệp – lâm nghiệp (dịch bệnh, quản lý rừng)",
        "Agriculture & forestry (disease, forest management)",
        5,
        False,
        "rule",
        "so-nong-nghiep-moi-truong",
    ),
    # Issue 14 item 4: about a named official, routed above the named unit (None: the commune of the place,
    # whose supervisor then handles it), the reporter's identity hidden (PROTECTS_REPORTER).
    (
        "hanh-vi-can-bo",
        "Hành vi, thái độ của cán bộ, công chức",
        "Conduct of an official",
        15,
        False,
        "conduct",
        None,
    ),
    ("khac", "Khác", "Other", 15, False, "rule", "ubnd-tinh"),
)
PROTECTS_REPORTER = frozenset({"hanh-vi-can-bo"})
# Closure the citizen can verify (issue 14 item 5): the place-based categories, where an officer can take a
# photo of the repaired spot, require one to answer as fixed and ask the reporter "is it fixed?". Where a
# wrong "fixed" leaves people at risk (a road, a slope, a flood channel, drinking water) the question asks
# for confirmation (no reply reopens); elsewhere no reply counts as fixed. Migration e41f6b2c9a85 copies it.
FIX_CHECKS = {
    "sat-lo": "confirm",
    "lu-quet": "confirm",
    "giao-thong": "confirm",
    "cap-thoat-nuoc": "confirm",
    "moi-truong": "ask",
    "trat-tu-xay-dung": "ask",
    "dien-chieu-sang": "ask",
}


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
                protects_reporter=slug in PROTECTS_REPORTER,
                after_photo_required=slug in FIX_CHECKS,
                fix_check=FIX_CHECKS.get(slug, "off"),
                default_agency_id=agencies.get(agency) if agency else None,
                position=position,
            )
        )
        added += 1
    db.session.flush()
    return added
