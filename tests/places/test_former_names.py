"""Pre-2025 commune names find today's unit (the legacy_sources column of the shipped units CSV)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.extensions import db
from portal.places import queries
from portal.places.models import FormerUnit
from portal.places.seed import former_names, seed_units


def test_former_names_are_seeded_once(app):
    count = db.session.scalar(select(func.count()).select_from(FormerUnit))
    assert count > 150  # 204 old units, 7 of them unmapped (portal/places/data/SOURCE.md), some in two
    seed_units()
    assert db.session.scalar(select(func.count()).select_from(FormerUnit)) == count


def test_an_old_name_finds_the_new_unit_with_or_without_diacritics(app):
    assert ("03646", "Phường Tô Hiệu", "Phường Chiềng Lề (Thành phố Sơn La)") in queries.find("Chiềng Lề")
    assert [code for code, _n, _f in queries.find("chieng le")] == ["03646"]


def test_a_current_name_is_found_as_itself(app):
    assert ("03646", "Phường Tô Hiệu", "") in queries.find("to hieu")


def test_parsing_the_legacy_column():
    rows = [
        {
            "code": "03646",
            "legacy_sources": "03646 Phường Chiềng Lề (Thành phố Sơn La); 03649 Phường Tô Hiệu (Thành phố Sơn La)",
        }
    ]
    assert former_names(rows) == [
        ("03646", "Phường Chiềng Lề", "Thành phố Sơn La", "03646"),
        ("03649", "Phường Tô Hiệu", "Thành phố Sơn La", "03646"),
    ]
