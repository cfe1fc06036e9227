"""Searching folded keys: each term must occur in the column, taken literally (LIKE wildcards escaped)."""

from sqlalchemy import ColumnElement

from portal.domain.text import search_terms


def escape_like(text: str) -> str:
    """`text` for a LIKE pattern with backslash as the escape character."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(column, text: str, ignore_case: bool = False) -> ColumnElement[bool]:
    """`column` contains `text` as it is: a % or _ typed by the user is not a wildcard."""
    operator = column.ilike if ignore_case else column.like
    return operator(f"%{escape_like(text)}%", escape="\\")


def every_term(column, query: str) -> list[ColumnElement[bool]]:
    """One condition per folded term of `query`: all of them must occur in the folded `column`."""
    return [contains(column, term) for term in search_terms(query)]
