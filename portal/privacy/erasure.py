"""Erasure and restriction (Law 91/2025 Art. 14; SECURITY.md check 33). Operations flush; the route commits.

- A feedback item is anonymised: every personal field emptied, its photos removed from the store, the
  private link made useless; the report and the agency's public answer stay.
- A dossier still being handled cannot be erased (the citizen withdraws it first). A finished one under an
  archive duty (portal/domain/retention_rules.py) is restricted: kept as it is, hidden from every page but
  an authorised officer's logged view; the citizen is told the rule and until when. One whose duty has
  ended is anonymised like a report, its files removed.
- An account is closed: its reports anonymised, its finished dossiers restricted or anonymised, its
  personal fields emptied, sign-in secrets deleted, every session ended. Refused while a dossier is open.

The IP addresses of the citizen's own lines in the event log are forgotten too (the one change the log
allows); officers' lines keep theirs. Every request is a PrivacyRequest row with its outcome and dates.
Stored files are removed only after the commit (a rolled-back erasure keeps them).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from portal.accounts.models import Account, PasswordResetToken, RecoveryCode, SecondFactor
from portal.db_types import utcnow
from portal.domain import dossier_status
from portal.domain.digests import sha256_hex
from portal.domain.retention_rules import RetentionRule, kept_until, rule_for, under_archive_duty
from portal.dossiers.models import Dossier
from portal.events.operations import forget_actor_addresses, forget_citizen_addresses, record
from portal.extensions import db
from portal.feedback.models import Feedback
from portal.jobs.models import OutboxJob
from portal.uploads import storage

from .models import Consent, ContactChange, ExportArchive, PrivacyRequest

FILES_TO_REMOVE = "portal.privacy.files_to_remove"


def remove_after_commit(names: Iterable[str]) -> None:
    db.session.info.setdefault(FILES_TO_REMOVE, []).extend(name for name in names if name)


def _remove_files(session: Session) -> None:
    names = session.info.pop(FILES_TO_REMOVE, [])
    for name in names:
        storage.backend().delete(name)


def install_listeners() -> None:
    if not event.contains(Session, "after_commit", _remove_files):
        event.listen(Session, "after_commit", _remove_files)
        event.listen(Session, "after_rollback", lambda session: session.info.pop(FILES_TO_REMOVE, None))


def _request(kind: str, subject_type: str, subject_id: int, outcome: str, **extra) -> PrivacyRequest:
    now = utcnow()
    found = PrivacyRequest(
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        requested_at=now,
        decided_at=now,
        outcome=outcome,
        **extra,
    )
    db.session.add(found)
    return found


def _forget_subject(subject_type: str, subject_id: int) -> None:
    """Consent evidence stays (purpose, version, time, channel) without the address; optional consents end;
    pending corrections and exports of the subject go."""
    now = utcnow()
    db.session.execute(
        update(Consent)
        .where(Consent.subject_type == subject_type, Consent.subject_id == subject_id)
        .values(ip_address=None, account_id=None)
    )
    db.session.execute(
        update(Consent)
        .where(
            Consent.subject_type == subject_type,
            Consent.subject_id == subject_id,
            Consent.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=now)
    )
    db.session.execute(
        delete(ContactChange).where(
            ContactChange.subject_type == subject_type, ContactChange.subject_id == subject_id
        )
    )
    for archive in db.session.scalars(
        select(ExportArchive).where(
            ExportArchive.subject_type == subject_type, ExportArchive.subject_id == subject_id
        )
    ):
        remove_after_commit([archive.stored_name])
        db.session.delete(archive)


def _forget_messages(*addresses: str | None) -> None:
    """Messages to the person (sent or waiting) keep their address, name and private link in the jobs
    outbox: they go with the person's data. A message not yet sent is not sent any more."""
    for address in {a for a in addresses if a}:
        quoted = json.dumps(address, ensure_ascii=False)  # as the payload holds it: "to": "…"
        db.session.execute(delete(OutboxJob).where(OutboxJob.payload.contains(quoted, autoescape=True)))


def anonymise_feedback(item: Feedback, actor_id: int | None, kind: str = "erase") -> PrivacyRequest:
    citizen = item.account_id
    _forget_messages(item.email, item.phone)
    remove_after_commit(name for photo in item.photos for name in (photo.stored_name, photo.thumbnail_name))
    item.photos.clear()
    item.contact_name = item.phone = item.email = item.address = ""
    item.latitude = item.longitude = None
    item.show_name = item.precise_pin = False
    item.account_id = None
    item.rating_comment = ""
    for fix in item.fixes:  # the citizen's "is it fixed?" comment is theirs; the after photo is the agency's
        fix.comment = ""
    item.token_hash = sha256_hex(secrets.token_urlsafe(32))  # the private link opens nothing any more
    item.search_key = item.public_search_key
    _forget_subject("feedback", item.id)
    record("feedback", item.id, "anonymised", actor_id=actor_id)
    forget_citizen_addresses("feedback", item.id, citizen)  # this request's own line included
    found = _request(kind, "feedback", item.id, "anonymised")
    db.session.flush()
    return found


def finished_on(dossier: Dossier) -> date:
    moment: datetime = (
        dossier.returned_at or dossier.finished_at or dossier.received_at or dossier.submitted_at
    )
    return moment.date()


def may_erase(dossier: Dossier) -> bool:
    """A dossier still being handled cannot be erased: the citizen withdraws it or waits for its result.
    The one rule both for offering the request (/my-data) and for refusing it (erase_dossier, an account's
    deletion)."""
    return dossier.status_enum not in dossier_status.OPEN


@dataclass(frozen=True)
class Outcome:
    """What an erasure request for a dossier does: "refused" (being handled), "restricted" (archive duty
    until `until`, None: permanently) or "anonymised"; told before the citizen confirms, and done after."""

    outcome: str
    rule: RetentionRule | None = None
    until: date | None = None


def outcome_for(dossier: Dossier, rules: tuple[RetentionRule, ...], today: date) -> Outcome:
    if not may_erase(dossier):
        return Outcome("refused")
    rule = rule_for(dossier.procedure.area, rules)
    if under_archive_duty(rule, finished_on(dossier), today):
        return Outcome("restricted", rule, kept_until(rule, finished_on(dossier)))
    return Outcome("anonymised", rule)


def erase_dossier(
    dossier: Dossier, rules: tuple[RetentionRule, ...], today: date, actor_id: int | None, kind: str = "erase"
) -> PrivacyRequest:
    decided = outcome_for(dossier, rules, today)
    if decided.outcome == "refused" or decided.rule is None:
        found = _request(kind, "dossier", dossier.id, "refused", rule="open")
        db.session.flush()
        return found
    rule = decided.rule
    if decided.outcome == "restricted":
        until = decided.until
        if dossier.restricted_at is None:
            dossier.restricted_at = utcnow()
            record("dossier", dossier.id, "restricted", actor_id=actor_id, note=rule.code)
        # The archive duty keeps the dossier, not where the citizen was connecting from.
        forget_citizen_addresses("dossier", dossier.id, dossier.account_id)
        found = _request(
            kind,
            "dossier",
            dossier.id,
            "restricted",
            rule=rule.code,
            kept_until=until.isoformat() if until else "",
        )
        db.session.flush()
        return found
    citizen = dossier.account_id
    _forget_messages(dossier.email, dossier.phone)
    remove_after_commit(file.stored_name for file in dossier.files)
    dossier.files.clear()
    dossier.applicant_name = dossier.id_number = dossier.phone = dossier.email = dossier.address = ""
    dossier.birth_date = None
    dossier.account_id = None
    dossier.search_key = dossier.code.lower()
    _forget_subject("dossier", dossier.id)
    record("dossier", dossier.id, "anonymised", actor_id=actor_id, note=rule.code)
    forget_citizen_addresses("dossier", dossier.id, citizen)
    found = _request(kind, "dossier", dossier.id, "anonymised", rule=rule.code)
    db.session.flush()
    return found


class AccountOpen(Exception):
    """The account still has a dossier being handled."""


def delete_account(account: Account, rules: tuple[RetentionRule, ...], today: date) -> list[PrivacyRequest]:
    """Close the account; the requests recorded (one per report and dossier, then the account's)."""
    dossiers = list(db.session.scalars(select(Dossier).where(Dossier.account_id == account.id)))
    if not all(may_erase(dossier) for dossier in dossiers):
        raise AccountOpen()
    made = [
        anonymise_feedback(item, account.id, kind="delete_account")
        for item in db.session.scalars(select(Feedback).where(Feedback.account_id == account.id)).all()
    ]
    made += [erase_dossier(dossier, rules, today, account.id, kind="delete_account") for dossier in dossiers]
    _forget_subject("account", account.id)
    _forget_messages(account.email, account.phone)
    db.session.execute(update(Consent).where(Consent.account_id == account.id).values(account_id=None))
    for model in (SecondFactor, RecoveryCode, PasswordResetToken):
        db.session.execute(delete(model).where(model.account_id == account.id))
    account.email = f"deleted-{account.id}@invalid"
    account.full_name = ""
    account.phone = None
    account.phone_verified_at = None
    account.password_hash = f"!deleted-{secrets.token_hex(8)}"  # not a hash: no password matches it
    account.is_enabled = False
    account.session_version += 1
    record("account", account.id, "deleted", actor_id=account.id)
    forget_actor_addresses(account.id)  # every line the person acted on, this one included
    forget_citizen_addresses("account", account.id, account.id)
    made.append(_request("delete_account", "account", account.id, "done"))
    db.session.flush()
    return made
