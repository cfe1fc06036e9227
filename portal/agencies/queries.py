"""Agencies as other pages show them: the name in the page's language, and the choices of a select."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select

from portal.domain.collation import sort_key
from portal.extensions import db
from portal.i18n import locale_code

from .models import Agency


def display_name(agency: Agency | None) -> str:
    if agency is None:
        return ""
    return agency.name_en if locale_code() == "en" and agency.name_en else agency.name


def names_by_id(ids: Iterable[int | None]) -> dict[int, str]:
    """{agency id: name in the page's language} of the given ids (None ignored)."""
    name = Agency.name_en if locale_code() == "en" else Agency.name
    return dict(db.session.execute(select(Agency.id, name).where(Agency.id.in_(set(ids) - {None}))).all())


def choices(current: int | None = None) -> list[tuple[str, str]]:
    """Active agencies (and the current one even if inactive), for a select."""
    rows = db.session.scalars(select(Agency).where(or_(Agency.is_active, Agency.id == current))).all()
    return [(str(agency.id), display_name(agency)) for agency in in_order(rows)]


def in_order(agencies: Iterable[Agency], kinds_descending: bool = False) -> list[Agency]:
    """By kind (communes, departments, the province: `kinds_descending` reverses), then by the name the
    page shows, in Vietnamese alphabetical order (portal.domain.collation)."""
    by_name = sorted(agencies, key=lambda agency: sort_key(display_name(agency)))
    return sorted(by_name, key=lambda agency: agency.kind, reverse=kinds_descending)


def single_choice(agency_id: int | None, agency: Agency | None) -> list[tuple[str, str]]:
    """The one choice an agency administrator has: their own agency."""
    return [(str(agency_id), display_name(agency))]
