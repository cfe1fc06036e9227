"""Catalogue queries: search with folded keys, filters, facet values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlalchemy.orm import selectinload

from portal import fragments
from portal.agencies.models import Agency
from portal.domain.collation import sort_key
from portal.domain.fees import COUNTER, ONLINE, amount_for
from portal.extensions import db
from portal.search import every_term

from . import synonyms
from .models import LEVELS, Procedure


@dataclass(frozen=True)
class CatalogFilter:
    query: str = ""
    area: str = ""
    level: str = ""
    agency: str = ""  # agency slug

    @property
    def active(self) -> bool:
        return bool(self.query or self.area or self.level or self.agency)


def search_statement(criteria: CatalogFilter) -> Select:
    """Every folded search term must occur in the procedure's folded key (diacritics ignored)."""
    statement = select(Procedure).where(Procedure.is_active, _matching(criteria.query))
    if criteria.area:
        statement = statement.where(Procedure.area == criteria.area)
    if criteria.level in LEVELS:
        levels = (criteria.level, "both") if criteria.level != "both" else ("both",)
        statement = statement.where(Procedure.level.in_(levels))
    if criteria.agency:
        statement = statement.join(Agency, Procedure.agency_id == Agency.id).where(
            Agency.slug == criteria.agency
        )
    return statement


def _matching(query: str) -> ColumnElement[bool]:
    """Every folded term of the query, or of one of its everyday-expression alternatives (synonyms.py)."""
    choices = [and_(true(), *every_term(Procedure.search_key, alt)) for alt in synonyms.alternatives(query)]
    return or_(*choices) if len(choices) > 1 else choices[0]


def _by_area_and_name(procedure: Any) -> tuple:
    """Field, then name, each in Vietnamese alphabetical order (portal.domain.collation); the catalogue has
    some 34 procedures, so they are sorted here rather than by the database's collation."""
    return sort_key(procedure.area), sort_key(procedure.name)


def search(criteria: CatalogFilter) -> list[Procedure]:
    return sorted(db.session.scalars(search_statement(criteria)), key=_by_area_and_name)


class ProcedureLine(NamedTuple):
    """What the catalogue's list shows of a procedure."""

    code: str
    name: str
    name_en: str
    online_level: str
    processing_days: int
    level: str
    charge_vnd: int | None
    fee_vnd: int | None
    online_charge_vnd: int | None

    def fee_for(self, channel: str) -> int | None:
        """The same rule as Procedure.fee_for, read from these fields."""
        return amount_for(channel, self.charge_vnd, self.fee_vnd, self.online_charge_vnd)

    @property
    def total_fee_vnd(self) -> int | None:
        return self.fee_for(COUNTER)

    @property
    def online_fee_vnd(self) -> int | None:
        return self.fee_for(ONLINE)


def search_lines(criteria: CatalogFilter) -> tuple[ProcedureLine, ...]:
    """The search's procedures as plain values (the key of the page's cached fragment)."""
    statement = search_statement(criteria).with_only_columns(
        *(getattr(Procedure, name) for name in ProcedureLine._fields), Procedure.area
    )
    rows = sorted(db.session.execute(statement), key=_by_area_and_name)
    return tuple(ProcedureLine(*row[:-1]) for row in rows)


def facets() -> dict[str, Sequence[Any]]:
    """Values for the filter menus: areas in use and agencies that decide procedures. Kept per process as
    a reference list (portal/fragments.py: dropped when a transaction here changes a procedure or an
    agency; at most REFERENCE_SECONDS old after another process's change)."""
    return fragments.reference("catalog-facets", frozenset({"procedures", "agencies"}), _read_facets)


def _read_facets() -> dict[str, Sequence[Any]]:
    areas = db.session.execute(
        select(Procedure.area, Procedure.area_en).where(Procedure.is_active).distinct()
    ).all()
    agencies = db.session.execute(
        select(Agency.id, Agency.slug, Agency.name, Agency.name_en).where(
            Agency.id.in_(select(Procedure.agency_id).where(Procedure.is_active))
        )
    ).all()
    return {
        "areas": tuple(sorted(areas, key=lambda row: sort_key(row.area))),
        "agencies": tuple(sorted(agencies, key=lambda row: sort_key(row.name))),
    }


def facets_in(language: str) -> dict[str, Sequence[Any]]:
    """The filter menus in the alphabetical order of the names the page shows (English ones in English)."""
    found = facets()
    if language != "en":
        return found
    return {
        "areas": sorted(found["areas"], key=lambda row: sort_key(row.area_en or row.area)),
        "agencies": sorted(found["agencies"], key=lambda row: sort_key(row.name_en or row.name)),
    }


def procedure_by_code(code: str) -> Procedure | None:
    return db.session.scalar(
        select(Procedure)
        .where(Procedure.code == code, Procedure.is_active)
        .options(selectinload(Procedure.documents), selectinload(Procedure.blank_forms))
    )
