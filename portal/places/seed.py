"""Load the 75 communes and wards from the CSV shipped with the package."""

import csv
import io
from importlib.resources import files

from portal.domain.text import fold
from portal.extensions import db

from .models import AdminUnit

KINDS = {"xã": "xa", "phường": "phuong"}


def seed_units() -> int:
    """Insert missing units and correct names of existing ones. Returns rows added."""
    text = files("portal.places").joinpath("data/son_la_units.csv").read_text(encoding="utf-8")
    added = 0
    for row in csv.DictReader(io.StringIO(text)):
        unit = db.session.get(AdminUnit, row["code"])
        if unit is None:
            unit = AdminUnit(code=row["code"])
            db.session.add(unit)
            added += 1
        unit.name, unit.kind, unit.slug = row["name"], KINDS[row["type"]], row["codename"]
        unit.province_code = row["province_code"]
        unit.search_key = fold(row["name"])
    db.session.flush()
    return added
