"""What a database holds: its tables' row counts and its Alembic revision, and the revision at head."""

from __future__ import annotations

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from portal.settings import ROOT

VERSION_TABLE = "alembic_version"


def row_counts(connection: Connection) -> dict[str, int]:
    """Rows per table of the connection's default schema (alembic_version included)."""
    quote = connection.dialect.identifier_preparer.quote
    return {
        name: connection.execute(text(f"SELECT count(*) FROM {quote(name)}")).scalar_one()  # noqa: S608
        for name in sorted(inspect(connection).get_table_names())
    }


def revision(connection: Connection) -> str:
    if VERSION_TABLE not in inspect(connection).get_table_names():
        return ""
    query = text(f"SELECT version_num FROM {VERSION_TABLE}")  # noqa: S608 - a constant name
    return ",".join(sorted(connection.execute(query).scalars()))


def scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config)


def head() -> str:
    return ",".join(sorted(scripts().get_heads()))


def known(revision_: str) -> bool:
    """Whether this portal's migrations know the revision (a backup of a newer portal is not restored)."""
    try:
        return all(scripts().get_revision(part) is not None for part in revision_.split(","))
    except CommandError:
        return False
