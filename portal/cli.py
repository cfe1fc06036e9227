"""Command-line tools: `flask --app portal seed-demo | import-procedures | create-account | check-files`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from portal.domain.roles import ROLES
from portal.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(import_procedures_command)
    app.cli.add_command(create_account_command)
    app.cli.add_command(check_files_command)
    from portal.backup.commands import backup_command, restore_command  # backup | backup --verify | restore

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    from portal.jobs.cli import jobs_group  # jobs worker | status | sweep

    app.cli.add_command(jobs_group)
    from portal.uploads.commands import storage_group  # storage new-key | rotate-key

    app.cli.add_command(storage_group)
    from portal.privacy.breach import affected_command  # affected --from … --to …
    from portal.privacy.retention import retention_command  # retention [--dry-run]

    app.cli.add_command(affected_command)
    app.cli.add_command(retention_command)
    from portal.reminders.cli import remind_command  # remind [--escalate-after N] (issue 14 item 3)

    app.cli.add_command(remind_command)
    from portal.feedback.closure import fix_checks_command  # fix-checks (issue 14 item 5)

    app.cli.add_command(fix_checks_command)


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
    click.echo(
        f"Imported {report.created + report.updated} procedures ({report.created} new, "
        f"{report.updated} updated)"
    )


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
        account = create_account(
            email=email, password=password, full_name=full_name or email, role=role, agency_slug=agency
        )
    except WeakPassword as error:
        reasons = {
            "short": "at least 8 characters",
            "long": "at most 256 characters",
            "common": "not a commonly used password",
        }
        raise click.ClickException(f"password must be {reasons[error.reason]}") from None
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {account.role} account {account.email} (id {account.id})")


def _age(seconds: int) -> str:
    return (
        f"{seconds // 86400} d"
        if seconds >= 86400
        else f"{seconds // 3600} h"
        if seconds >= 3600
        else f"{seconds // 60} min"
    )


@click.command("check-files")
@click.option("--json", "as_json", is_flag=True, help="print the report as JSON")
@click.option(
    "--delete-orphans",
    is_flag=True,
    help="remove files no row references that are older than one hour (never by default)",
)
def check_files_command(as_json: bool, delete_orphans: bool) -> None:
    """Reconcile the database with the upload store: rows whose file is missing, files no row references.

    Exits with status 1 when a row's file is missing or an unreferenced file older than an hour remains.
    """
    import json
    from dataclasses import asdict

    from portal.uploads.backends import StorageUnavailable
    from portal.uploads.reconcile import GRACE_SECONDS, check

    try:
        report = check(delete_orphans=delete_orphans)
    except StorageUnavailable as error:
        raise click.ClickException(f"the upload store could not be read: {error}") from None
    if as_json:
        click.echo(
            json.dumps(
                {**asdict(report), "ok": report.ok, "grace_seconds": GRACE_SECONDS},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        click.echo(
            f"Upload store {report.root}: {report.files_on_disk} files on disk, "
            f"{report.names_in_database} named in the database"
        )
        click.echo(f"Rows whose file is missing: {len(report.missing)}")
        for row in report.missing:
            click.echo(f"  {row.table} #{row.row_id} ({row.item}): {row.name}")
        click.echo(f"Files no row references (older than {GRACE_SECONDS // 3600} h): {len(report.orphans)}")
        for orphan in report.orphans:
            state = " (deleted)" if orphan.name in report.deleted else ""
            click.echo(f"  {orphan.name}: {orphan.size} bytes, {_age(orphan.age_seconds)} old{state}")
        click.echo(
            f"Unreferenced files younger than {GRACE_SECONDS // 3600} h (an upload may be in "
            f"progress; not counted): {len(report.recent)}"
        )
        for recent in report.recent:
            click.echo(f"  {recent.name}: {recent.size} bytes, {_age(recent.age_seconds)} old")
        if report.orphans and not delete_orphans:
            click.echo("Nothing was deleted; --delete-orphans removes the unreferenced files older than 1 h.")
    if not report.ok:
        raise SystemExit(1)
