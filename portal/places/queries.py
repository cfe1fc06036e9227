"""Reads of the communes and wards."""

from __future__ import annotations

from sqlalchemy import Row, select

from portal import fragments
from portal.domain.collation import sort_key
from portal.domain.text import search_terms
from portal.extensions import db

from .models import AdminUnit, FormerUnit


def choices() -> tuple[Row, ...]:
    """(code, name) of every commune and ward, by name: the public pages' commune lists. Kept per process
    as a reference list (portal/fragments.py: at most REFERENCE_SECONDS old after another process's change)."""
    return fragments.reference("places-choices", frozenset({"admin_units"}), _read_choices)


def _read_choices() -> tuple[Row, ...]:
    """In Vietnamese alphabetical order (portal.domain.collation): "Xã Bắc Yên" before "Xã Bình Thuận"."""
    rows = db.session.execute(select(AdminUnit.code, AdminUnit.name)).all()
    return tuple(sorted(rows, key=lambda row: sort_key(row.name)))


def find(query: str, limit: int = 8) -> list[tuple[str, str, str]]:
    """Current units whose name, or a former (pre-July-2025) name, holds every folded word of `query`:
    (code, current name, the former name that matched or ""). A few hundred short rows: one statement each."""
    terms = search_terms(query)
    if not terms:
        return []
    current = db.session.execute(
        select(AdminUnit.code, AdminUnit.name)
        .where(*(AdminUnit.search_key.contains(t) for t in terms))
        .limit(limit)
    ).all()
    found: dict[str, tuple[str, str, str]] = {row.code: (row.code, row.name, "") for row in current}
    former = db.session.execute(
        select(AdminUnit.code, AdminUnit.name, FormerUnit.name.label("former"), FormerUnit.district)
        .join(FormerUnit, FormerUnit.admin_unit_code == AdminUnit.code)
        .where(*(FormerUnit.search_key.contains(t) for t in terms))
        .limit(limit)
    ).all()
    for row in former:
        found.setdefault(row.code, (row.code, row.name, f"{row.former} ({row.district})"))
    return sorted(found.values(), key=lambda unit: sort_key(unit[1]))[:limit]


def hotline(code: str) -> str:
    return db.session.scalar(select(AdminUnit.hotline).where(AdminUnit.code == code)) or ""
