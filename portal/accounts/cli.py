"""`flask --app portal accounts reset-two-factor EMAIL`: the way back in when the last province
administrator has lost both phone and recovery codes (or after SECRET_KEY was changed). Whoever can run
commands on the server could change the database anyway; the reset is audited all the same."""

from __future__ import annotations

import click

from portal.extensions import db

from . import two_factor
from .operations import find_by_email
from .routes import bp


@bp.cli.command("reset-two-factor")
@click.argument("email")
def reset_two_factor_command(email: str) -> None:
    """Remove an account's two-step sign-in; it enrols again at its next sign-in."""
    account = find_by_email(email)
    if account is None:
        raise click.ClickException(f"no account with e-mail {email.strip().lower()}")
    if not two_factor.reset(account, None):
        click.echo(f"{account.email} has no two-step sign-in; nothing changed.")
        return
    db.session.commit()
    click.echo(f"Two-step sign-in removed for {account.email}; every session of the account has ended.")
