"""Agencies: the seed gives the province's departments and one People's Committee per commune or ward."""

from sqlalchemy import func, select

from portal.agencies.models import Agency
from portal.agencies.seed import PROVINCIAL, seed_agencies
from portal.extensions import db
from portal.places.models import AdminUnit


def agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.id)))


def test_every_commune_has_one_peoples_committee(app):
    communes = [agency for agency in agencies() if agency.kind == "commune"]
    unit_codes = set(db.session.scalars(select(AdminUnit.code)))
    assert sorted(agency.admin_unit_code for agency in communes) == sorted(unit_codes)
    assert all(agency.slug.startswith("ubnd-") and agency.name.startswith("UBND ") for agency in communes)


def test_the_provincial_agencies_are_there_and_codes_are_unique(app):
    slugs = {agency.slug for agency in agencies()}
    assert {slug for slug, *_ in PROVINCIAL} <= slugs
    codes = [agency.code for agency in agencies()]
    assert len(set(codes)) == len(codes)
    assert all(code.endswith(".H52") for code in codes if code.startswith("000."))


def test_seeding_again_adds_nothing_and_keeps_the_codes(app):
    before = {agency.slug: agency.code for agency in agencies()}
    count = db.session.scalar(select(func.count()).select_from(Agency))
    assert seed_agencies() == 0
    assert db.session.scalar(select(func.count()).select_from(Agency)) == count
    assert {agency.slug: agency.code for agency in agencies()} == before


def test_a_created_agency_is_a_fresh_one(create_agency):
    first, second = create_agency(), create_agency("commune")
    assert first.id != second.id and first.slug != second.slug and first.code != second.code
    assert second.kind == "commune" and second.is_active
