"""The migration tests' app: on a database of its own, empty (no table, not even alembic_version), so that a
test moves it between revisions itself; SQLite file or PostgreSQL database, dropped afterwards."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from flask import Flask
from sqlalchemy import text

from portal.extensions import db
from tests.conftest import build_app
from tests.support.databases import throwaway_database

VERSIONS = Path(__file__).resolve().parents[2] / "migrations/versions"


@contextmanager
def app_on_empty_database(folder: Path, name: str) -> Iterator[Flask]:
    """An app inside its app context, on an empty throwaway database named after `name`."""
    with throwaway_database(folder, name) as url:
        application = build_app(folder, url)
        with application.app_context():
            try:
                yield application
            finally:
                db.session.remove()
                db.engine.dispose()


def feedback_flags(column: str) -> dict[int, bool]:
    """Every feedback item's boolean `column`, by id, as the database holds it (a backfill's result)."""
    with db.engine.connect() as connection:
        rows = connection.execute(text(f"SELECT id, {column} FROM feedback_items")).all()  # noqa: S608 - our own column name
    return {item_id: bool(value) for item_id, value in rows}


def script(revision: str) -> ModuleType:
    """The migration whose file names `revision`, loaded as a module, to call its data steps on a test's
    connection."""
    path = next(VERSIONS.glob(f"*_{revision}_*.py"))
    spec = importlib.util.spec_from_file_location(f"migration_{revision}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
