"""The communes and wards of Sơn La: the seed loads the 75 of them once, with unique codes and slugs."""

from sqlalchemy import func, select

from portal.extensions import db
from portal.places.models import AdminUnit
from portal.places.seed import seed_units


def units() -> list[AdminUnit]:
    return list(db.session.scalars(select(AdminUnit).order_by(AdminUnit.code)))


def test_the_seed_holds_the_75_communes_and_wards_of_son_la(app):
    seeded = units()
    assert len(seeded) == 75
    assert {unit.kind for unit in seeded} == {"xa", "phuong"}
    assert {unit.province_code for unit in seeded} == {"14"}


def test_codes_and_slugs_are_unique_five_digit_codes(app):
    seeded = units()
    codes = [unit.code for unit in seeded]
    assert len(set(codes)) == len(codes) and all(len(code) == 5 and code.isdigit() for code in codes)
    slugs = [unit.slug for unit in seeded]
    assert len(set(slugs)) == len(slugs)


def test_seeding_again_adds_nothing_and_restores_a_changed_name(app):
    unit = db.session.get(AdminUnit, "03670")
    original = unit.name
    unit.name = "Tên sai"
    assert seed_units() == 0
    assert db.session.scalar(select(func.count()).select_from(AdminUnit)) == 75
    assert unit.name == original
