"""`flask --app portal api-key create|revoke|list`: keys for the machine interfaces from the command line.
Audited like the admin page's (no actor: whoever runs commands on the server)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from portal.agencies.models import Agency
from portal.extensions import db

from . import operations
from .models import ApiKey

group = AppGroup("api-key", help="Issue, list and revoke API keys.")


@group.command("create")
@click.option("--name", required=True, help="Who holds the key (an app, a system).")
@click.option(
    "--agency", "agency_code", default="", help="Receiving-unit code of the agency; none: province."
)
@click.option("--writes-per-hour", default=100, show_default=True, type=int)
@click.option("--reads-per-hour", default=3600, show_default=True, type=int)
def create_command(name: str, agency_code: str, writes_per_hour: int, reads_per_hour: int) -> None:
    """Issue a key and print it once (only its hash is kept)."""
    agency_id = None
    if agency_code:
        agency_id = db.session.scalar(select(Agency.id).where(Agency.code == agency_code.strip().upper()))
        if agency_id is None:
            raise click.ClickException(f"no agency with code {agency_code.strip().upper()}")
    try:
        key, secret = operations.issue(
            name, None, agency_id=agency_id, writes_per_hour=writes_per_hour, reads_per_hour=reads_per_hour
        )
    except operations.ApiKeyError as refused:
        raise click.ClickException(f"refused: {refused.reason}") from None
    db.session.commit()
    click.echo(f"API key {key.id} ({key.name}) issued. Copy it now, it is not shown again:")
    click.echo(secret)


@group.command("revoke")
@click.argument("key_id", type=int)
def revoke_command(key_id: int) -> None:
    """Revoke a key by its number (see `api-key list`)."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise click.ClickException(f"no API key {key_id}")
    if not operations.revoke(key, None):
        click.echo(f"API key {key_id} was already revoked.")
        return
    db.session.commit()
    click.echo(f"API key {key_id} ({key.name}) revoked.")


@group.command("list")
def list_command() -> None:
    """Every key: number, prefix, scope, state, name."""
    for key in db.session.scalars(select(ApiKey).order_by(ApiKey.id)):
        scope = key.agency.code if key.agency else "province"
        state = "active" if key.is_active else "revoked"
        click.echo(f"{key.id}\t{key.prefix}…\t{scope}\t{state}\t{key.name}")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
