"""Category icons (issue 13 item 6): static/icons/categories/<slug>.svg, inlined into the report form.

Inlined rather than linked: sixteen small images would be sixteen requests on a 2G link, and the form's
fields are rendered once per language anyway (portal/fragments.py). The file's own <svg> attributes give
way to the `cat-icon` class (static/css/portal.css), so each icon costs only its shapes.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from flask import Flask, current_app
from markupsafe import Markup

from . import queries

FALLBACK = "khac"  # a category an administrator added, with no drawing of its own
_SLUG = re.compile(r"^[a-z0-9-]+$")
_INNER = re.compile(r"<svg\b[^>]*>(.*)</svg>", re.S)


@cache
def _shapes(folder: str, slug: str) -> str:
    path = Path(folder) / "icons" / "categories" / f"{slug}.svg"
    if not _SLUG.match(slug) or not path.is_file():
        return _shapes(folder, FALLBACK) if slug != FALLBACK else ""
    found = _INNER.search(path.read_text(encoding="utf-8"))
    return found[1].strip() if found else ""


def category_icon(category_id: object) -> Markup:
    """The icon of the category with this id, as inline SVG (decorative: the category's name is beside it)."""
    slugs = {row.id: row.slug for row in queries.categories()}
    shapes = _shapes(str(current_app.static_folder), slugs.get(category_id, FALLBACK))
    svg = f'<svg class="cat-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">{shapes}</svg>'
    return Markup(svg)  # noqa: S704 - our own files, read from static/


def init_app(app: Flask) -> None:
    app.jinja_env.globals["category_icon"] = category_icon
