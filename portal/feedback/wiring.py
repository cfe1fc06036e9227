"""What the feedback feature plugs into the lower layers it uses, at app start (create_app calls init_app).

- tracking: /track opens a feedback item by its code (PA-...) and the phone's last four digits;
- uploads: `flask check-files` reconciles the photos and thumbnails with the upload store;
- fragments: the public pages' reference lists (categories, communes, the catalogue's filters) are
  dropped when a transaction changes their tables (portal/fragments.py; once per process).

Registered explicitly rather than by importing a module, so feedback depends on tracking and uploads and
never the other way round.
"""

from __future__ import annotations

from flask import Flask

from portal import fragments
from portal.domain.codes import looks_like_feedback_code
from portal.tracking import lookup
from portal.uploads import reconcile

from . import queries
from .models import Feedback


def _find(code: str) -> Feedback | None:
    return queries.by_code(code)


def init_app(app: Flask) -> None:
    lookup.register(
        app, lookup.Kind("feedback", claims=looks_like_feedback_code, find=_find, endpoint="feedback.status")
    )
    reconcile.register_source(app, queries.stored_files)
    fragments.install()
