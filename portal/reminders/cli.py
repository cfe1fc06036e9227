"""`flask --app portal remind`: the daily reminders and escalations (see operations.py)."""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.calendar.queries import local_now
from portal.extensions import db

from . import operations


@click.command("remind")
@click.option(
    "--escalate-after",
    type=click.IntRange(1, 60),
    default=None,
    help="Working days past the deadline before unanswered feedback goes to the province (default: "
    "PORTAL_ESCALATE_AFTER_DAYS or 5).",
)
@with_appcontext
def remind_command(escalate_after: int | None) -> None:
    """E-mail today's reminders and escalations; each message once per day however often it runs."""
    configured = current_app.config.get("PORTAL_ESCALATE_AFTER_DAYS") or os.environ.get(
        "PORTAL_ESCALATE_AFTER_DAYS"
    )
    days = escalate_after or int(configured or 5)
    sent = operations.run(local_now().date(), days)
    db.session.commit()
    click.echo(f"{sent} reminder(s) queued")
