"""Load the 75 communes and wards from the CSV shipped with the package, and their pre-2025 names."""

import csv
import io
import re
from importlib.resources import files

from sqlalchemy import select

from portal.domain.text import fold
from portal.extensions import db

from .models import AdminUnit, FormerUnit

KINDS = {"xã": "xa", "phường": "phuong"}
# One entry of the legacy_sources column: "03646 Phường Chiềng Lề (Thành phố Sơn La)".
LEGACY = re.compile(r"^(\d{5}) (.+?) \((.+)\)$")


def seed_units() -> int:
    """Insert missing units and correct names of existing ones, then their former names. Returns units added."""
    text = files("portal.places").joinpath("data/son_la_units.csv").read_text(encoding="utf-8")
    added = 0
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        unit = db.session.get(AdminUnit, row["code"])
        if unit is None:
            unit = AdminUnit(code=row["code"])
            db.session.add(unit)
            added += 1
        unit.name, unit.kind, unit.slug = row["name"], KINDS[row["type"]], row["codename"]
        unit.province_code = row["province_code"]
        unit.search_key = fold(row["name"])
    db.session.flush()
    _seed_former_names(rows)
    return added


def former_names(rows: list[dict[str, str]]) -> list[tuple[str, str, str, str]]:
    """(former code, former name, former district, current unit code) from the units' legacy_sources. The
    column is incomplete (portal/places/data/SOURCE.md): an old unit it does not name is not guessed."""
    found = []
    for row in rows:
        for entry in filter(None, (part.strip() for part in row.get("legacy_sources", "").split(";"))):
            match = LEGACY.match(entry)
            if match:
                found.append((match.group(1), match.group(2), match.group(3), row["code"]))
    return found


def _seed_former_names(rows: list[dict[str, str]]) -> None:
    known = {(f.former_code, f.admin_unit_code) for f in db.session.scalars(select(FormerUnit))}
    for code, name, district, unit_code in former_names(rows):
        if (code, unit_code) not in known:
            db.session.add(
                FormerUnit(
                    former_code=code,
                    name=name,
                    district=district,
                    admin_unit_code=unit_code,
                    search_key=fold(name),
                )
            )
    db.session.flush()
