"""Throwaway databases: a SQLite file, or a fresh PostgreSQL database when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


def backend() -> str:
    return "postgresql" if POSTGRES_URL else "sqlite"


def _driver_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@contextmanager
def throwaway_database(folder: Path, name: str) -> Iterator[str]:
    """Yield the URL of an empty database that is dropped afterwards."""
    if not POSTGRES_URL:
        yield f"sqlite:///{folder / (name + '.sqlite3')}"
        return
    server = make_url(_driver_url(POSTGRES_URL))
    database = f"portal_test_{name}_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE \"{database}\" ENCODING 'UTF8' TEMPLATE template0"))
    try:
        yield server.set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": database},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        admin.dispose()
