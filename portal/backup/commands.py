"""`flask --app portal backup [--output DIR] | backup --verify PATH | restore PATH [--yes]`.

Operator-facing English, like the other commands in portal/cli.py; the logic is in operations.py.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from portal.backup import operations
from portal.backup.manifest import BackupError, Manifest
from portal.uploads.backends import StorageUnavailable


def _failure(error: Exception) -> str:
    """An operator-readable line for an unexpected error (a full disk, an unreachable database)."""
    if isinstance(error, SQLAlchemyError):
        error = getattr(error, "orig", None) or error
        first_line = (str(error).strip().splitlines() or [""])[0]
        return f"the database could not be used ({type(error).__name__}: {first_line})"
    return f"{type(error).__name__}: {error}"


def _size(manifest: Manifest) -> str:
    total = sum(entry["size"] for entry in manifest.files.values())
    for unit in ("bytes", "KB", "MB", "GB"):
        if total < 1024 or unit == "GB":
            return f"{total:.0f} {unit}" if unit == "bytes" else f"{total:.1f} {unit}"
        total /= 1024
    return ""


def _summary(manifest: Manifest) -> str:
    return (
        f"{manifest.database_kind} database at revision {manifest.alembic_revision}, "
        f"{sum(manifest.row_counts.values())} rows in {len(manifest.row_counts)} tables, "
        f"{len(manifest.upload_names)} uploaded files, {_size(manifest)}"
    )


@click.command("backup")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="folder that receives the backup (default: the instance folder's backups/)",
)
@click.option(
    "--verify",
    "verify_path",
    type=click.Path(path_type=Path),
    default=None,
    help="only check an existing backup: every SHA-256 in its manifest, and the dump",
)
@with_appcontext
def backup_command(output: Path | None, verify_path: Path | None) -> None:
    """Back up the database and the upload store into one folder, with a manifest of SHA-256 sums."""
    try:
        if verify_path is not None:
            check = operations.verify(verify_path)
            click.echo(f"Backup {verify_path} is intact: {_summary(check.manifest)}")
            for note in check.notes:
                click.echo(f"  {note}")
            return
        path, manifest = operations.create(output)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    except (OSError, SQLAlchemyError, StorageUnavailable) as error:
        raise click.ClickException(f"{_failure(error)}; no backup was written") from None
    click.echo(f"Backup written to {path}: {_summary(manifest)}")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", "overwrite", is_flag=True, help="replace a database and upload store that hold data")
@with_appcontext
def restore_command(path: Path, overwrite: bool) -> None:
    """Restore a backup into the configured database and upload store (stop the portal first)."""
    try:
        restored = operations.restore(path, overwrite=overwrite)
    except operations.HalfRestored as error:
        raise click.ClickException(str(error)) from None
    except BackupError as error:
        raise click.ClickException(f"{error}\nNothing was restored.") from None
    except (OSError, SQLAlchemyError, StorageUnavailable) as error:
        raise click.ClickException(f"{_failure(error)}; the restore stopped") from None
    manifest = restored.manifest
    click.echo(
        f"Restored the backup of {manifest.created_at} (portal {manifest.portal_version}): "
        f"{_summary(manifest)}"
    )
    if restored.kept_uploads is not None:
        click.echo(
            f"  the previous upload store was kept in {restored.kept_uploads}; delete it once satisfied"
        )
    rows = sum(restored.counts.values())
    if restored.mismatches:
        for mismatch in restored.mismatches:
            click.echo(f"  MISMATCH {mismatch}", err=True)
        raise click.ClickException(
            f"the restored data does not match the backup ({len(restored.mismatches)} problem(s) above)"
        )
    click.echo(
        f"  checked: revision {restored.revision} is the head; {rows} rows in {len(restored.counts)} "
        f"tables as in the manifest; {len(manifest.upload_names)} files, every SHA-256 matches"
    )
