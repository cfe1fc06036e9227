"""SQLite: snapshots through the online backup API (`sqlite3.Connection.backup`), never a file copy.

A copy of the live file can catch a half-written page or miss what is still in the -wal file; the backup
API reads one consistent snapshot while requests go on writing.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from portal.backup.inventory import VERSION_TABLE
from portal.backup.manifest import BackupError

BUSY_TIMEOUT = 15  # seconds, as the portal's own connections wait


def _open(path: Path, mode: str) -> sqlite3.Connection:
    # mode=rw never creates a database by mistake; immutable=1 reads a backup without leaving -shm files.
    query = "mode=ro&immutable=1" if mode == "ro" else f"mode={mode}"
    return sqlite3.connect(f"file:{quote(str(path))}?{query}", uri=True, timeout=BUSY_TIMEOUT)


def _create_private(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite~_%' ESCAPE '~'"
        )
    ]
    quoted = {name: '"' + name.replace('"', '""') + '"' for name in names}
    return {
        name: connection.execute(f"SELECT count(*) FROM {quoted[name]}").fetchone()[0]  # noqa: S608
        for name in sorted(names)
    }


def revision(connection: sqlite3.Connection) -> str:
    if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (VERSION_TABLE,)).fetchone():
        return ""
    query = f"SELECT version_num FROM {VERSION_TABLE}"  # noqa: S608 - a constant name
    return ",".join(sorted(row[0] for row in connection.execute(query)))


def dump(database: Path, target: Path) -> tuple[str, dict[str, int]]:
    """Snapshot `database` into the new file `target` (0600); return the snapshot's revision and counts."""
    if not database.is_file():
        raise BackupError(f"the SQLite database {database} does not exist")
    _create_private(target)
    with closing(_open(database, "rw")) as source, closing(sqlite3.connect(target)) as copy:
        source.backup(copy)  # pages=-1: the whole database in one step, so one snapshot
        # A self-contained file: no -wal or -shm next to it in the backup.
        copy.execute("PRAGMA journal_mode=DELETE")
        return revision(copy), row_counts(copy)


def check_dump(path: Path) -> tuple[str, dict[str, int]]:
    """Open a dump read-only: integrity check, revision and row counts."""
    try:
        with closing(_open(path, "ro")) as copy:
            result = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise BackupError(f"{path.name}: SQLite integrity check failed ({result})")
            return revision(copy), row_counts(copy)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path.name} is not a readable SQLite database ({error})") from None


def restore(dump_path: Path, database: Path) -> None:
    """Replace the content of `database` with the dump, through the backup API (one write transaction).

    The portal must be stopped: its connections would keep reading the old pages.
    """
    if not database.exists():
        database.parent.mkdir(parents=True, exist_ok=True)
        _create_private(database)
    try:
        with closing(_open(dump_path, "ro")) as source, closing(_open(database, "rw")) as target:
            source.backup(target)
    except sqlite3.Error as error:
        raise BackupError(
            f"restoring into {database} failed ({error}); is the portal still running?"
        ) from None
