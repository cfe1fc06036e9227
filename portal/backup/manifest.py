"""The backup's manifest (manifest.json): what the backup holds and the SHA-256 and size of every file.

A backup is complete only when its manifest is there: it is written last, inside a folder whose name only
becomes `portal-backup-…` once everything in it is on disk.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

FORMAT = "portal-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup cannot be made, read or restored; the message is for the operator."""


@dataclass
class Manifest:
    created_at: str
    portal_version: str
    alembic_revision: str
    database_kind: str
    row_counts: dict[str, int]
    files: dict[str, dict] = field(default_factory=dict)  # relative path -> {"sha256": …, "size": …}
    database_tool: str = ""

    @property
    def dump_name(self) -> str:
        return DUMP_NAMES[self.database_kind]

    @property
    def upload_names(self) -> list[str]:
        return sorted(path[len(UPLOADS) + 1 :] for path in self.files if path.startswith(UPLOADS + "/"))

    def to_json(self) -> str:
        return (
            json.dumps(
                {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": self.created_at,
                    "portal_version": self.portal_version,
                    "alembic_revision": self.alembic_revision,
                    "database": {
                        "kind": self.database_kind,
                        "file": self.dump_name,
                        "tool": self.database_tool,
                    },
                    "row_counts": dict(sorted(self.row_counts.items())),
                    "files": dict(sorted(self.files.items())),
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )


def stream_digest(reader: BinaryIO, write: Callable[[bytes], object] | None = None) -> dict:
    """{"sha256", "size"} of what `reader` yields, read in chunks (uploads and dumps can be large); each
    chunk also goes to `write` when given, so a copy is hashed as it is written."""
    digest, size = hashlib.sha256(), 0
    while chunk := reader.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if write is not None:
            write(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def file_digest(path: Path) -> dict:
    """{"sha256", "size"} of a file."""
    with path.open("rb") as handle:
        return stream_digest(handle)


def write_private(path: Path, text: str) -> None:
    """Write a new file readable by its owner only, and make it durable."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def safe_relative(path: str) -> bool:
    """A manifest path stays inside the backup: no absolute path, `..`, hidden part or backslash."""
    parts = PurePosixPath(path).parts
    return (
        bool(parts)
        and "\\" not in path
        and not path.startswith("/")
        and path == "/".join(parts)
        and all(part not in ("", ".", "..") and not part.startswith(".") for part in parts)
    )


def read(folder: Path) -> Manifest:
    """Load and check the shape of a backup's manifest; BackupError says what is wrong."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a backup folder")
    if not path.is_file():
        raise BackupError(f"{folder} is not a complete portal backup: {MANIFEST} is missing")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise BackupError(f"{path} is not a portal backup manifest")
        if data.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"{path}: backup format {data.get('format_version')!r} is not supported "
                f"(this portal reads format {FORMAT_VERSION})"
            )
        manifest = Manifest(
            created_at=str(data["created_at"]),
            portal_version=str(data["portal_version"]),
            alembic_revision=str(data["alembic_revision"]),
            database_kind=str(data["database"]["kind"]),
            database_tool=str(data["database"].get("tool", "")),
            row_counts={str(name): int(count) for name, count in data["row_counts"].items()},
            files={
                str(name): {"sha256": str(entry["sha256"]), "size": int(entry["size"])}
                for name, entry in data["files"].items()
            },
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupError(f"{path} is damaged ({type(error).__name__}: {error})") from None
    if manifest.database_kind not in DUMP_NAMES:
        raise BackupError(f"{path}: unknown database kind {manifest.database_kind!r}")
    for name in manifest.files:
        if not safe_relative(name) or not (name == manifest.dump_name or name.startswith(UPLOADS + "/")):
            raise BackupError(f"{path}: refusing the unsafe or unexpected file name {name!r}")
    if manifest.dump_name not in manifest.files:
        raise BackupError(f"{path} lists no database dump ({manifest.dump_name})")
    return manifest


def problems(folder: Path, manifest: Manifest) -> list[str]:
    """Every file that is missing, altered or not listed; empty when the backup is intact."""
    found: list[str] = []
    for name, expected in sorted(manifest.files.items()):
        path = folder / name
        if not path.is_file() or path.is_symlink():
            found.append(f"{name}: missing")
            continue
        actual = file_digest(path)
        if actual["size"] != expected["size"]:
            found.append(f"{name}: size {actual['size']} instead of {expected['size']}")
        elif actual["sha256"] != expected["sha256"]:
            found.append(f"{name}: SHA-256 does not match the manifest (the file was altered or damaged)")
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if (path.is_file() or path.is_symlink()) and name != MANIFEST and name not in manifest.files:
            found.append(f"{name}: not listed in the manifest")
    return found
