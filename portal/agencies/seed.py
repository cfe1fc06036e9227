"""Seed the provincial agencies and one People's Committee per commune or ward.

The codes are placeholders in the QCVN 102:2016 shape: the province code H52 is inferred, not
confirmed, and the communes' codes were not published (VIETNAM.md §3). Admins replace them; a
dossier keeps the code it was issued with.
"""

from sqlalchemy import select

from portal.extensions import db
from portal.places.models import AdminUnit

from .models import Agency

PROVINCE_CODE = "H52"
PROVINCIAL = (
    # slug, name, English name, kind, level-2 number
    ("ubnd-tinh", "UBND tỉnh Sơn La", "Sơn La Provincial People's Committee", "province", 0),
    ("so-tai-chinh", "Sở Tài chính", "Department of Finance", "department", 1),
    ("so-noi-vu", "Sở Nội vụ", "Department of Home Affairs", "department", 2),
    ("so-tu-phap", "Sở Tư pháp", "Department of Justice", "department", 3),
    ("so-y-te", "Sở Y tế", "Department of Health", "department", 4),
    (
        "so-nong-nghiep-moi-truong",
        "Sở Nông nghiệp và Môi trường",
        "Department of Agriculture and Environment",
        "department",
        5,
    ),
    ("so-xay-dung", "Sở Xây dựng", "Department of Construction", "department", 6),
    (
        "so-giao-duc-dao-tao",
        "Sở Giáo dục và Đào tạo",
        "Department of Education and Training",
        "department",
        7,
    ),
    (
        "so-khoa-hoc-cong-nghe",
        "Sở Khoa học và Công nghệ",
        "Department of Science and Technology",
        "department",
        8,
    ),
    ("cong-an-tinh", "Công an tỉnh Sơn La", "Sơn La Provincial Police", "department", 9),
)
FIRST_COMMUNE_NUMBER = 21


def seed_agencies() -> int:
    """Insert missing agencies; never touch the code of an existing one. Returns rows added."""
    existing = set(db.session.scalars(select(Agency.slug)))
    added = 0
    for slug, name, name_en, kind, number in PROVINCIAL:
        if slug not in existing:
            db.session.add(
                Agency(
                    slug=slug,
                    name=name,
                    name_en=name_en,
                    kind=kind,
                    code=f"000.00.{number:02d}.{PROVINCE_CODE}",
                )
            )
            added += 1
    units = db.session.scalars(select(AdminUnit).order_by(AdminUnit.code)).all()
    for number, unit in enumerate(units, FIRST_COMMUNE_NUMBER):
        slug = f"ubnd-{unit.slug.replace('_', '-')}"
        if slug not in existing:
            db.session.add(
                Agency(
                    slug=slug,
                    name=f"UBND {unit.name}",
                    name_en=f"{unit.name} People's Committee",
                    kind="commune",
                    admin_unit_code=unit.code,
                    code=f"000.{number:02d}.00.{PROVINCE_CODE}",
                )
            )
            added += 1
    db.session.flush()
    return added
