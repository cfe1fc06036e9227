"""What the catalogue plugs in at app start (create_app calls init_app): its blank forms' files for
`flask check-files`, and the removal of a removed form's file after the commit."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.uploads import reconcile

from . import blank_forms
from .models import BlankForm, Procedure


def stored_files() -> Iterator[reconcile.StoredRow]:
    rows = db.session.execute(select(BlankForm.id, Procedure.code, BlankForm.stored_name).join(Procedure))
    for row_id, code, name in rows:
        yield reconcile.StoredRow("procedure_blank_forms", row_id, code, name)


def init_app(app: Flask) -> None:
    blank_forms.install_listeners()
    reconcile.register_source(app, stored_files)
