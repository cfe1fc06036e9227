"""pg_dump / pg_restore: the right binary, a clear error without one, and no password on a command line."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy.engine import make_url

from portal.backup import postgres
from portal.backup.manifest import BackupError

URL = make_url("postgresql+psycopg://portal:S3cr%C3%AAt-pw@db.internal:5433/portal_prod?sslmode=verify-full")


def test_the_connection_goes_through_the_environment_and_the_password_never_into_arguments():
    env = postgres.libpq_environment(URL, base={"PATH": "/usr/bin"})

    assert env["PGPASSWORD"] == "S3crêt-pw"  # noqa: S105 - test data
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"], env["PGSSLMODE"]) == (
        "db.internal",
        "5433",
        "portal",
        "portal_prod",
        "verify-full",
    )
    assert env["PATH"] == "/usr/bin"
    argument = postgres.dbname_argument(URL)
    assert argument == "--dbname=dbname='portal_prod'"
    assert "S3cr" not in argument


def test_a_quote_in_the_database_name_cannot_inject_connection_parameters():
    url = make_url("postgresql+psycopg://u@h/x' host='evil")
    assert postgres.dbname_argument(url) == "--dbname=dbname='x\\' host=\\'evil'"


def test_an_unknown_url_parameter_is_refused_rather_than_dropped():
    with pytest.raises(BackupError, match="'frobnicate'"):
        postgres.libpq_environment(make_url("postgresql+psycopg://u@h/db?frobnicate=1"))


def test_a_missing_tool_is_named_with_the_package_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_PG_BINDIR", str(tmp_path))
    with pytest.raises(postgres.ToolMissing) as error:
        postgres.find_tool("pg_dump", 15)
    message = str(error.value)
    assert "pg_dump 15 or newer was not found" in message
    assert "postgresql-client-15" in message and "PORTAL_PG_BINDIR" in message


def test_a_tool_older_than_the_server_is_not_used(tmp_path, monkeypatch):
    old = tmp_path / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.9'\n")
    old.chmod(old.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PORTAL_PG_BINDIR", str(tmp_path))
    with pytest.raises(postgres.ToolMissing, match=r"found only .*13\.9"):
        postgres.find_tool("pg_dump", 15)
    assert postgres.find_tool("pg_dump", 13) == (str(old), "pg_dump (PostgreSQL) 13.9")


@pytest.mark.skipif(not os.access("/usr/lib/postgresql", os.X_OK), reason="no Debian PostgreSQL client")
def test_debian_client_of_the_server_version_is_found(monkeypatch):
    monkeypatch.delenv("PORTAL_PG_BINDIR", raising=False)
    majors = sorted(int(name) for name in os.listdir("/usr/lib/postgresql") if name.isdigit())
    path, version = postgres.find_tool("pg_restore", majors[0])
    assert path == f"/usr/lib/postgresql/{majors[0]}/bin/pg_restore"  # the server's version, not PATH's
    assert postgres.tool_major(version) >= majors[0]
