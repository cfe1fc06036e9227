"""`flask --app portal storage rotate-key [--dry-run]` and `storage new-key ID` (see portal.uploads.rotation)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.settings_secrets import new_storage_key

from . import storage
from .rotation import rotate

storage_group = AppGroup("storage", help="Encryption of the upload store: new keys, key rotation.")


@storage_group.command("new-key")
@click.argument("key_id")
def new_key_command(key_id: str) -> None:
    """Print a new PORTAL_STORAGE_KEYS entry (ID:key); put it first in the list, then run rotate-key."""
    click.echo(new_storage_key(key_id))


@storage_group.command("rotate-key")
@click.option("--dry-run", is_flag=True, help="Only count the files that would be re-encrypted.")
def rotate_key_command(dry_run: bool) -> None:
    """Re-encrypt every stored file under the newest key (the first of PORTAL_STORAGE_KEYS), plaintext files
    from before encryption included. Idempotent and resumable: files already under it are left alone."""
    store = storage.backend()
    keyring = storage.keyring()
    report = rotate(store, keyring, dry_run=dry_run)
    verb = "would re-encrypt" if dry_run else "re-encrypted"
    click.echo(
        f"{store.describe()}: {report.checked} files, {report.up_to_date} already under key "
        f"{report.current_key!r}, {verb} {len(report.rewritten)} ({report.plaintext} of them plaintext)"
    )
    for name, why in report.failed:
        click.echo(f"  not readable: {name}: {why}", err=True)
    if report.failed:
        current_app.logger.error("storage rotate-key: %d files could not be read", len(report.failed))
        raise SystemExit(1)
