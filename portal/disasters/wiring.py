"""What the disaster clock plugs into the calendar at app start (create_app calls init_app): the items dated
while an event of their commune is declared get the event's effect and timeline line (operations.py), as
the items already open when it was declared do. Registered here, as portal/calendar sits below the features
that date items and this package above them."""

from __future__ import annotations

from flask import Flask

from portal.calendar import disasters

from . import operations


def init_app(app: Flask) -> None:
    disasters.on_dated("feedback", operations.note_new_feedback)
    disasters.on_dated("dossier", operations.note_new_dossier)
