"""Reads of the communes and wards."""

from __future__ import annotations

from sqlalchemy import Row, select

from portal import fragments
from portal.domain.collation import sort_key
from portal.extensions import db

from .models import AdminUnit


def choices() -> tuple[Row, ...]:
    """(code, name) of every commune and ward, by name: the public pages' commune lists. Kept per process
    as a reference list (portal/fragments.py: at most REFERENCE_SECONDS old after another process's change)."""
    return fragments.reference("places-choices", frozenset({"admin_units"}), _read_choices)


def _read_choices() -> tuple[Row, ...]:
    """In Vietnamese alphabetical order (portal.domain.collation): "Xã Bắc Yên" before "Xã Bình Thuận"."""
    rows = db.session.execute(select(AdminUnit.code, AdminUnit.name)).all()
    return tuple(sorted(rows, key=lambda row: sort_key(row.name)))
