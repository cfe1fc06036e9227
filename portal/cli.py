"""Command-line tools: `flask --app portal seed-demo | import-procedures | create-account`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from portal.accounts.models import ROLES
from portal.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(import_procedures_command)
    app.cli.add_command(create_account_command)


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Load reference data and demo accounts. Safe to run again."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from portal.demo import seed_demo

    try:
        counts = seed_demo()
    except (OperationalError, ProgrammingError) as error:
        raise click.ClickException(
            f"the database is not ready ({type(error.orig).__name__}); run `flask --app portal db upgrade` first"
        ) from None
    db.session.commit()
    click.echo("Demo data ready: " + ", ".join(f"{name} +{count}" for name, count in counts.items()))


@click.command("import-procedures")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_procedures_command(path: Path) -> None:
    """Create or update procedures from a CSV file (columns of procedures.csv). All or nothing."""
    from portal.catalog.importer import import_procedures

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text; save the CSV as UTF-8 and try again") from None

    def progress(rows):
        with click.progressbar(rows, label="Importing procedures") as bar:
            yield from bar

    report = import_procedures(text, progress=progress)
    if report.errors:
        db.session.rollback()
        for line, message in report.errors:
            click.echo(f"{path.name}, line {line}: {message}", err=True)
        raise click.ClickException(f"{len(report.errors)} error(s); nothing was imported")
    db.session.commit()
    click.echo(f"Imported {report.created + report.updated} procedures ({report.created} new, "
               f"{report.updated} updated)")


@click.command("create-account")
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--agency", default=None, help="agency slug or code (staff other than admin and finance)")
@click.option("--name", "full_name", default="", help="full name")
def create_account_command(email: str, password: str, role: str, agency: str | None, full_name: str) -> None:
    """Create a citizen or staff account."""
    from portal.accounts.operations import AccountError, create_account
    from portal.accounts.passwords import WeakPassword

    try:
        account = create_account(email=email, password=password, full_name=full_name or email, role=role,
                                 agency_slug=agency)
    except WeakPassword as error:
        reasons = {"short": "at least 8 characters", "long": "at most 256 characters",
                   "common": "not a commonly used password"}
        raise click.ClickException(f"password must be {reasons[error.reason]}") from None
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {account.role} account {account.email} (id {account.id})")
