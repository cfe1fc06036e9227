"""PostgreSQL: `pg_dump -Fc` inside an exported snapshot, `pg_restore --clean` in one transaction.

The connection reaches pg_dump and pg_restore through libpq's environment variables (PGHOST, PGUSER,
PGPASSWORD, …), so no password is ever on a command line that `ps` shows. The client tools must be at
least as new as the server (and as the pg_dump that wrote an archive): Debian keeps each major version in
/usr/lib/postgresql/<major>/bin, which is searched before PATH; PORTAL_PG_BINDIR overrides both.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess  # noqa: S404 - fixed argument lists, never a shell
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL, Connection

from portal.backup import inventory
from portal.backup.manifest import BackupError

DEBIAN_BINDIRS = Path("/usr/lib/postgresql")
LOCK_TIMEOUT = "60s"  # a restore waits this long for a running portal's locks, then fails instead of hanging
# libpq connection parameters and the environment variables that carry them (PostgreSQL docs, 34.15).
LIBPQ_ENV = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "sslcrldir": "PGSSLCRLDIR",
    "sslsni": "PGSSLSNI",
    "requirepeer": "PGREQUIREPEER",
    "ssl_min_protocol_version": "PGSSLMINPROTOCOLVERSION",
    "ssl_max_protocol_version": "PGSSLMAXPROTOCOLVERSION",
    "gssencmode": "PGGSSENCMODE",
    "krbsrvname": "PGKRBSRVNAME",
    "gsslib": "PGGSSLIB",
    "channel_binding": "PGCHANNELBINDING",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "client_encoding": "PGCLIENTENCODING",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "load_balance_hosts": "PGLOADBALANCEHOSTS",
}


class ToolMissing(BackupError):
    """pg_dump or pg_restore (recent enough) is not installed."""


def libpq_environment(url: URL, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a client tool: the caller's, plus the URL's connection parameters."""
    env = dict(os.environ if base is None else base)
    values: dict[str, str | int | None] = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
    }
    for key, value in url.query.items():
        if key not in LIBPQ_ENV:
            raise BackupError(f"DATABASE_URL parameter {key!r} cannot be passed to pg_dump/pg_restore")
        values[key] = ",".join(value) if isinstance(value, tuple) else value
    for key, setting in values.items():
        if setting not in (None, ""):
            env[LIBPQ_ENV[key]] = str(setting)
    env["PGDATABASE"] = url.database or ""
    return env


def dbname_argument(url: URL) -> str:
    """`--dbname` as a conninfo string holding only the (quoted) database name: nothing secret."""
    name = (url.database or "").replace("\\", "\\\\").replace("'", "\\'")
    return f"--dbname=dbname='{name}'"


def _major(version_output: str) -> int:
    match = re.search(r"\)\s*(\d+)", version_output) or re.search(r"(\d+)", version_output)
    return int(match[1]) if match else 0


def tool_version(path: str) -> str:
    result = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    return result.stdout.strip()


def find_tool(name: str, minimum_major: int) -> tuple[str, str]:
    """The path and version of a client tool at least `minimum_major`; BackupError names what is missing."""
    candidates: list[str] = []
    if override := os.environ.get("PORTAL_PG_BINDIR", "").strip():
        candidates.append(str(Path(override) / name))
    else:
        by_major = sorted(
            DEBIAN_BINDIRS.glob(f"*/bin/{name}"),
            key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
        )
        # The server's own major version first, then newer ones, then whatever PATH has.
        candidates += [str(path) for path in by_major if path.parts[-3] == str(minimum_major)]
        candidates += [str(path) for path in reversed(by_major) if path.parts[-3] != str(minimum_major)]
        if found := shutil.which(name):
            candidates.append(found)
    seen_versions = []
    for candidate in candidates:
        if os.access(candidate, os.X_OK):
            version = tool_version(candidate)
            if _major(version) >= minimum_major:
                return candidate, version
            seen_versions.append(f"{candidate}: {version or 'unknown version'}")
    detail = f" (found only {'; '.join(seen_versions)})" if seen_versions else ""
    raise ToolMissing(
        f"{name} {minimum_major} or newer was not found{detail}: install the PostgreSQL client "
        f"(Debian: apt-get install postgresql-client-{minimum_major}) "
        f"or set PORTAL_PG_BINDIR to its bin folder"
    )


def server_major(connection: Connection) -> int:
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _run(arguments: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(arguments, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()][-5:]
        raise BackupError(f"{what} failed (exit {result.returncode}): " + " / ".join(lines))
    return result.stdout


def dump(connection: Connection, url: URL, target: Path) -> tuple[str, dict[str, int], str]:
    """pg_dump -Fc into `target` (0600), counting rows in the very snapshot that pg_dump reads.

    `connection` must be outside a transaction; it holds a REPEATABLE READ snapshot, exported to pg_dump
    with --snapshot, until the dump ends. Returns (revision, row counts, tool version).
    """
    tool, version = find_tool("pg_dump", server_major(connection))
    connection.rollback()  # end the autobegun transaction: the snapshot needs a fresh REPEATABLE READ one
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    snapshot_connection = connection.execution_options(isolation_level="REPEATABLE READ")
    with snapshot_connection.begin():
        snapshot = snapshot_connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        revision = inventory.revision(snapshot_connection)
        counts = inventory.row_counts(snapshot_connection)
        _run(
            [
                tool,
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={target}",
                dbname_argument(url),
            ],
            libpq_environment(url),
            "pg_dump",
        )
    target.chmod(0o600)
    return revision, counts, version


def check_archive(path: Path, minimum_major: int) -> int:
    """Read the archive's table of contents with pg_restore --list; return the number of entries."""
    tool, _version = find_tool("pg_restore", minimum_major)
    listing = _run([tool, "--list", str(path)], dict(os.environ), f"reading {path.name}")
    return sum(1 for line in listing.splitlines() if line and not line.startswith(";"))


def restore(path: Path, url: URL, minimum_major: int) -> None:
    """pg_restore --clean --if-exists --no-owner in one transaction: all of it, or nothing changes."""
    tool, _version = find_tool("pg_restore", minimum_major)
    env = libpq_environment(url)
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={LOCK_TIMEOUT}".strip()
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            dbname_argument(url),
            str(path),
        ],
        env,
        "pg_restore",
    )


def tool_major(version: str) -> int:
    return _major(version)
