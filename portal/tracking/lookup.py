"""The kinds of item /track can open. Each feature registers its own at app start (its wiring.py, called by
create_app), so tracking stays below the features: they import tracking, never the other way round."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

EXTENSION = "portal.tracking.kinds"


@dataclass(frozen=True)
class Kind:
    name: str  # "dossier", "feedback": also the key under which portal/tracking/access.py remembers items
    claims: Callable[[str], bool]  # whether an (upper-cased) code is of this kind
    find: Callable[[str], Any]  # the item with this code, or None; it has .id, .code and .phone
    endpoint: str  # the item's private status page, url_for(endpoint, code=item.code)


def register(app: Flask, kind: Kind) -> None:
    kinds = [k for k in app.extensions.get(EXTENSION, []) if k.name != kind.name]
    app.extensions[EXTENSION] = [*kinds, kind]


def kind_of(code: str) -> Kind | None:
    """The registered kind that claims this code (the kinds' claims never overlap), or None."""
    return next((kind for kind in current_app.extensions.get(EXTENSION, []) if kind.claims(code)), None)
