"""The retention schedule, applied by `flask --app portal retention [--dry-run]` (daily, from a systemd timer:
deploy/systemd/portal-retention.timer).

Each rule finds what is due now and does it; what it did is no longer found, so a second run changes
nothing (idempotent), and a run cut short carries on the next time. `--dry-run` lists what is due and
changes nothing. The periods are settings (PORTAL_RETENTION=feedback_months=24,…; the defaults below, README
"Retention"). Built in:

- feedback_months (24): a feedback item closed that long ago and never published loses its personal data:
  name, phone, e-mail, account link, map pin and photos (files and rows). The report's text, the agency's
  answer and the dates stay, for the statistics. Published items are kept as published (their name only
  if the reporter agreed to show it).
- accounts_inactive_months (24) and accounts_notice_days (30): a citizen account unused for that long (no
  sign-in, nothing open) is warned by e-mail; if it is still unused `accounts_notice_days` after the
  warning, it is removed: name, e-mail, phone and password are erased, the sign-in factors deleted, the
  account disabled and unlinked from its reports and dossiers (which keep their own copy of the contact
  data, under their own rules). The row itself stays, because the audit log names it.

- event_addresses_months (24): the IP address of every event-log line older than that is forgotten (the
  line stays). 24 months follows the minimum log storage of Decree 53/2022 Art. 27 for online services; the
  province's own security rules may ask otherwise (a setting, README "Retention").

Other features add their rules with `register_rule(app, rule)` (for example, expired export files).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, or_, select, update

from portal import mail, sms_queue
from portal.accounts.models import Account, PasswordResetToken, RecoveryCode, SecondFactor
from portal.db_types import utcnow
from portal.domain.roles import Role
from portal.domain.text import fold
from portal.dossiers.models import Dossier
from portal.events.models import Event
from portal.events.operations import (
    addresses_before,
    forget_actor_addresses,
    forget_addresses_before,
    forget_citizen_addresses,
)
from portal.events.registry import Registry
from portal.extensions import db
from portal.feedback.models import Feedback, FeedbackPhoto
from portal.uploads import storage
from portal.uploads.backends import StorageUnavailable

RULES = "portal.privacy.retention.rules"
ANONYMISED = "retention_anonymised"  # feedback
WARNED = "retention_warned"  # account
REMOVED = "retention_removed"  # account
DAYS_PER_MONTH = 30.44


def register_events(events: Registry) -> None:
    """The names of the retention job's actions in the audit log."""
    events.action_labels("feedback", {ANONYMISED: _l("Personal data removed (retention schedule)")})
    events.action_labels(
        "account",
        {
            WARNED: _l("Warned of removal for inactivity (retention schedule)"),
            REMOVED: _l("Removed for inactivity (retention schedule)"),
        },
    )


@dataclass(frozen=True)
class Due:
    """One thing a rule will do: what it is (for the listing) and how to do it (flushes, returns the stored
    file names to delete once committed)."""

    what: str
    apply: Callable[[], list[str]]


@dataclass(frozen=True)
class Rule:
    name: str
    default: int
    unit: str  # "months" or "days"
    due: Callable[[dict[str, int], datetime], list[Due]]  # (every period, now) -> what is due


def register_rule(app: Flask, rule: Rule) -> None:
    app.extensions.setdefault(RULES, []).append(rule)


def periods(app: Flask) -> dict[str, int]:
    """Every rule's period: its default, or the PORTAL_RETENTION setting's."""
    rules = built_in() + app.extensions.get(RULES, [])
    chosen = {rule.name: rule.default for rule in rules} | {"accounts_notice_days": 30}
    for name, number in app.config["PORTAL_SETTINGS"].retention:
        if name not in chosen:
            raise click.ClickException(f"PORTAL_RETENTION names an unknown rule {name!r}: {sorted(chosen)}")
        chosen[name] = number
    return chosen


def _record(kind: str, subject_id: int, action: str, now: datetime) -> None:
    """An audit event dated by the run's clock (`now`), which the next run's conditions compare with."""
    db.session.add(Event(subject_type=kind, subject_id=subject_id, action=action, occurred_at=now))


def _months(number: int) -> timedelta:
    return timedelta(days=round(number * DAYS_PER_MONTH))


# ----------------------------------------------------------------------------------------- feedback


def _personal_feedback():
    has_photo = exists().where(FeedbackPhoto.feedback_id == Feedback.id)
    return or_(
        Feedback.contact_name != "",
        Feedback.phone != "",
        Feedback.email != "",
        Feedback.account_id.is_not(None),
        Feedback.latitude.is_not(None),
        has_photo,
    )


def feedback_due(chosen: dict[str, int], now: datetime) -> list[Due]:
    cutoff = now - _months(chosen["feedback_months"])
    query = (
        select(Feedback)
        .where(Feedback.closed_at < cutoff, Feedback.is_published.is_(False), _personal_feedback())
        .order_by(Feedback.id)
    )
    return [
        Due(f"feedback {item.code}: remove personal data", _anonymiser(item, now))
        for item in db.session.scalars(query)
    ]


def _anonymiser(item: Feedback, now: datetime) -> Callable[[], list[str]]:
    def apply() -> list[str]:
        names = [name for photo in item.photos for name in (photo.stored_name, photo.thumbnail_name)]
        item.photos.clear()
        item.contact_name = item.phone = item.email = ""
        forget_citizen_addresses("feedback", item.id, item.account_id)
        item.account_id, item.latitude, item.longitude, item.show_name = None, None, None, False
        item.precise_pin = False
        item.rating_comment = ""
        for fix in item.fixes:  # the citizen's "is it fixed?" comment
            fix.comment = ""
        item.search_key = fold(f"{item.public_search_key} {item.address}")
        _record("feedback", item.id, ANONYMISED, now)
        return names

    return apply


# ----------------------------------------------------------------------------------------- accounts


def _last_activity():
    return func.coalesce(Account.last_login_at, Account.created_at)


def _nothing_open():
    open_feedback = exists().where(Feedback.account_id == Account.id, Feedback.closed_at.is_(None))
    open_dossier = exists().where(Dossier.account_id == Account.id, Dossier.queue_due.is_not(None))
    return ~open_feedback & ~open_dossier


def _warned_since_last_activity(before: datetime | None = None):
    condition = [
        Event.subject_type == "account",
        Event.subject_id == Account.id,
        Event.action == WARNED,
        Event.occurred_at >= _last_activity(),
    ]
    if before is not None:
        condition.append(Event.occurred_at < before)
    return exists().where(*condition)


def _idle_citizens(cutoff: datetime):
    return (
        select(Account)
        .where(Account.role == Role.CITIZEN.value, Account.is_enabled.is_(True), _last_activity() < cutoff)
        .where(_nothing_open())
        .order_by(Account.id)
    )


def accounts_due(chosen: dict[str, int], now: datetime) -> list[Due]:
    cutoff = now - _months(chosen["accounts_inactive_months"])
    notice = timedelta(days=chosen["accounts_notice_days"])
    found = []
    removable = _idle_citizens(cutoff).where(_warned_since_last_activity(before=now - notice))
    removed_ids = set()
    for account in db.session.scalars(removable):
        removed_ids.add(account.id)
        found.append(Due(f"account {account.id}: remove (warned, still unused)", _remover(account, now)))
    to_warn = _idle_citizens(cutoff).where(~_warned_since_last_activity())
    for account in db.session.scalars(to_warn):
        if account.id not in removed_ids:
            found.append(Due(f"account {account.id}: warn by e-mail", _warner(account, now, notice)))
    return found


def _warner(account: Account, now: datetime, notice: timedelta) -> Callable[[], list[str]]:
    def apply() -> list[str]:
        removal = (now + notice).date()
        key = f"retention-warning:{account.id}:{removal.isoformat()}"
        if account.email:
            mail.queue(
                account.email, "privacy/email/retention_warning.txt", account.locale, key=key, removal=removal
            )
        elif account.phone and account.phone_verified_at is not None:  # signed up with a phone: a text
            with force_locale(account.locale if account.locale in ("vi", "en") else "vi"):
                text = _(
                    "Son La portal: your account has not been used for a long time and will be removed on "
                    "%(date)s. To keep it, sign in before then.",
                    date=removal.strftime("%d/%m/%Y"),
                )
            sms_queue.send(f"sms:{key}", account.phone, text, "retention")
        _record("account", account.id, WARNED, now)
        return []

    return apply


def _remover(account: Account, now: datetime) -> Callable[[], list[str]]:
    def apply() -> list[str]:
        for model in (SecondFactor, RecoveryCode, PasswordResetToken):
            db.session.execute(delete(model).where(model.account_id == account.id))
        forget_actor_addresses(account.id)
        for item in (Feedback, Dossier):
            db.session.execute(update(item).where(item.account_id == account.id).values(account_id=None))
        account.email = f"removed-{account.id}@invalid"
        account.full_name, account.phone, account.password_hash = "", None, "!"
        account.phone_verified_at = None
        account.is_enabled = False
        account.session_version += 1
        _record("account", account.id, REMOVED, now)
        return []

    return apply


# ----------------------------------------------------------------------------------------- event log


def addresses_due(chosen: dict[str, int], now: datetime) -> list[Due]:
    """The event log's IP addresses, citizens' and officers' alike, once older than the period: the line
    (who, what, when) stays; where it came from goes. One bulk step, however many lines."""
    cutoff = now - _months(chosen["event_addresses_months"])
    count = addresses_before(cutoff)
    if not count:
        return []

    def apply() -> list[str]:
        forget_addresses_before(cutoff)
        return []

    return [Due(f"event log: forget the IP address of {count} lines before {cutoff:%Y-%m-%d}", apply)]


def built_in() -> list[Rule]:
    return [
        Rule("feedback_months", 24, "months", feedback_due),
        Rule("accounts_inactive_months", 24, "months", accounts_due),
        Rule("event_addresses_months", 24, "months", addresses_due),
    ]


# ----------------------------------------------------------------------------------------- the run


def run(app: Flask, *, dry_run: bool, now: datetime | None = None, echo=click.echo) -> dict[str, int]:
    """Apply every rule (or list what is due); commit after each rule; delete the files it freed once
    committed. Returns the number of things done (or due) per rule."""
    chosen = periods(app)
    now = now or utcnow()
    counts = {}
    for rule in built_in() + app.extensions.get(RULES, []):
        due = rule.due(chosen, now)
        counts[rule.name] = len(due)
        echo(f"{rule.name} ({chosen[rule.name]} {rule.unit}): {len(due)} {'due' if dry_run else 'done'}")
        for item in due:
            echo(f"  {item.what}")
        if dry_run or not due:
            continue
        names = [name for item in due for name in item.apply()]
        db.session.commit()
        for name in names:  # after the commit; one that fails stays an orphan that check-files lists
            try:
                storage.backend().delete(name)
            except StorageUnavailable as error:
                current_app.logger.error("retention: %s not deleted: %s", name, error)
    return counts


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="List what is due; change nothing.")
def retention_command(dry_run: bool) -> None:
    """Apply the retention schedule (README: Retention). Idempotent; run it daily."""
    run(current_app._get_current_object(), dry_run=dry_run)  # type: ignore[attr-defined]
    if dry_run:
        db.session.rollback()
