"""Catalogue queries: search with folded keys, filters, facet values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from portal.agencies.models import Agency
from portal.extensions import db
from portal.search import every_term

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
    statement = select(Procedure).where(
        Procedure.is_active, *every_term(Procedure.search_key, criteria.query)
    )
    if criteria.area:
        statement = statement.where(Procedure.area == criteria.area)
    if criteria.level in LEVELS:
        levels = (criteria.level, "both") if criteria.level != "both" else ("both",)
        statement = statement.where(Procedure.level.in_(levels))
    if criteria.agency:
        statement = statement.join(Agency, Procedure.agency_id == Agency.id).where(
            Agency.slug == criteria.agency
        )
    return statement.order_by(Procedure.area, Procedure.name)


def search(criteria: CatalogFilter) -> list[Procedure]:
    return list(db.session.scalars(search_statement(criteria)))


def facets() -> dict[str, Sequence[Any]]:
    """Values for the filter menus: areas in use and agencies that decide procedures."""
    areas = db.session.execute(
        select(Procedure.area, Procedure.area_en)
        .where(Procedure.is_active)
        .distinct()
        .order_by(Procedure.area)
    ).all()
    agencies = db.session.scalars(
        select(Agency)
        .where(Agency.id.in_(select(Procedure.agency_id).where(Procedure.is_active)))
        .order_by(Agency.name)
    ).all()
    return {"areas": areas, "agencies": agencies}


def procedure_by_code(code: str) -> Procedure | None:
    return db.session.scalar(
        select(Procedure)
        .where(Procedure.code == code, Procedure.is_active)
        .options(selectinload(Procedure.documents))
    )
