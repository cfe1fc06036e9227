"""Cells of the CSV files the portal writes, safe to open in a spreadsheet. Pure: stdlib only.

Every CSV (the dashboard's, the dossier export for staff and for the national system, the breach list)
writes its cells through csv_safe: one rule for the whole portal (SECURITY.md C11).
"""

from __future__ import annotations

from collections.abc import Iterable

# Spreadsheets run a cell starting with one of these as a formula (= + - @), or strip a leading tab or CR
# and then run it: CSV injection. NUL is never text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")


def csv_safe(cell: str) -> str:
    """The cell with an apostrophe in front if a spreadsheet would read it as a formula."""
    return f"'{cell}" if cell[:1] in FORMULA_STARTS else cell


def csv_cell(value: object) -> str:
    """Any value as a safe cell: None is empty, the rest their text (numbers too: -5 would be a formula)."""
    return "" if value is None else csv_safe(str(value))


def csv_row(values: Iterable[object]) -> list[str]:
    return [csv_cell(value) for value in values]
