"""Correction of contact data by the citizen (name, e-mail, phone). Operations flush; the route commits.

A new name is taken at once, and so is the removal of the phone number (it adds no address anyone could take
over; text-message notices simply stop). A new e-mail address or phone number waits for a one-time code: six
digits, sent by e-mail through the jobs outbox (after the commit) to the new address, or for a new phone
number to the address on file (the portal sends no SMS). Only the code's keyed hash is stored; it expires
after CODE_MINUTES and after MAX_ATTEMPTS wrong tries. On the records it changes (the account, the citizen's
open reports, the contact fields of their open dossiers) a "contact_corrected" event names which fields
changed, never the values, so staff see it on the timeline.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import mail, sms_queue
from portal.accounts.models import Account
from portal.accounts.signup import texts_ready
from portal.db_types import utcnow
from portal.domain import dossier_status, feedback_status
from portal.domain.digests import keyed_digest
from portal.domain.text import clean, fold
from portal.dossiers.models import Dossier
from portal.events.operations import record
from portal.extensions import db
from portal.feedback.models import Feedback

from .models import ContactChange
from .queries import ACCOUNT, Subject

CODE_MINUTES, MAX_ATTEMPTS = 30, 5
CODES_PER_HOUR = 5  # codes mailed for one subject in an hour: the form cannot be used to flood an address


class CorrectionError(Exception):
    """A change that needs a code could not be started. `field` is the form field it is about ("email" or
    "phone"); `saved` names what was taken at once all the same (see start)."""

    def __init__(self, reason: str, field: str = "email", saved: tuple[str, ...] = ()):
        super().__init__(reason)
        self.reason, self.field, self.saved = reason, field, saved


@dataclass(frozen=True)
class Started:
    """What start did: the fields saved at once ("name", "phone" for a removal) and the change waiting for
    its code (None when nothing waits)."""

    saved: tuple[str, ...]
    waiting: ContactChange | None


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str  # E.164 or ""


def current(subject: Subject) -> Contact:
    if subject.kind == ACCOUNT:
        account = db.session.get(Account, subject.id)
        assert account is not None
        return Contact(account.full_name, account.email or "", account.phone or "")
    item = db.session.get(Feedback, subject.id)
    assert item is not None
    return Contact(item.contact_name, item.email, item.phone)


def _code_hash(code: str) -> str:
    return keyed_digest(current_app.config["SECRET_KEY"], f"privacy-code:{code}").hex()


def start(subject: Subject, wanted: Contact, locale: str) -> Started:
    """Save at once what needs no code (a new name, the removal of the phone number); for a new e-mail
    address or phone number, send a code and return the waiting change. A CorrectionError about the code
    leaves what was saved at once in the session (the route commits it) and says so in `saved`."""
    now_has = current(subject)
    wanted = Contact(clean(wanted.name), wanted.email.strip().lower(), wanted.phone)
    if subject.kind == ACCOUNT and not wanted.email and not wanted.phone:
        raise CorrectionError("email_required", "phone" if now_has.phone else "email")  # no way to sign in
    removes_phone = bool(now_has.phone) and not wanted.phone
    saved = tuple(
        name for name, changed in (("name", wanted.name != now_has.name), ("phone", removes_phone)) if changed
    )
    if saved:
        at_once = Contact(wanted.name, now_has.email, "" if removes_phone else now_has.phone)
        apply(subject, at_once, list(saved))
        now_has = at_once
    if wanted.email == now_has.email and wanted.phone == now_has.phone:
        return Started(saved, None)
    field = "email" if wanted.email != now_has.email else "phone"
    try:
        with db.session.begin_nested():  # a refused code leaves no waiting row, and keeps what was saved
            return Started(saved, _start_code(subject, now_has, wanted, locale))
    except CorrectionError as error:
        raise CorrectionError(error.reason, field, saved) from None


def _start_code(subject: Subject, now_has: Contact, wanted: Contact, locale: str) -> ContactChange:
    if subject.kind == ACCOUNT and wanted.email != now_has.email and _email_taken(wanted.email, subject.id):
        raise CorrectionError("email_taken")
    channel = _code_channel(now_has, wanted)
    if channel is None:
        raise CorrectionError("no_address")
    recent = db.session.scalar(
        select(func.count(ContactChange.id)).where(
            ContactChange.subject_type == subject.kind,
            ContactChange.subject_id == subject.id,
            ContactChange.created_at > utcnow() - timedelta(hours=1),
        )
    )
    if (recent or 0) >= CODES_PER_HOUR:
        raise CorrectionError("too_many")
    code = f"{secrets.randbelow(10**6):06d}"
    for old in db.session.scalars(
        select(ContactChange).where(
            ContactChange.subject_type == subject.kind,
            ContactChange.subject_id == subject.id,
            ContactChange.closed_at.is_(None),
        )
    ):
        old.closed_at = utcnow()
    change = ContactChange(
        subject_type=subject.kind,
        subject_id=subject.id,
        new_name=wanted.name,
        new_email=wanted.email,
        new_phone=wanted.phone,
        code_hash=_code_hash(code),
        created_at=utcnow(),
        expires_at=utcnow() + timedelta(minutes=CODE_MINUTES),
    )
    db.session.add(change)
    db.session.flush()
    if not _send_code(channel, code, locale):
        raise CorrectionError("mail")
    return change


def _code_channel(now_has: Contact, wanted: Contact) -> tuple[str, str] | None:
    """Where the code goes: a new e-mail address proves itself; else a new phone by text (which proves
    the number); else the address or phone already on record; None when there is nowhere to send it."""
    can_text = texts_ready()
    if wanted.email and wanted.email != now_has.email:
        return ("mail", wanted.email)
    if wanted.phone and wanted.phone != now_has.phone and can_text:
        return ("sms", wanted.phone)
    if now_has.email:
        return ("mail", now_has.email)
    if now_has.phone and can_text:
        return ("sms", now_has.phone)
    return None


def _send_code(channel: tuple[str, str], code: str, locale: str) -> bool:
    kind, address = channel
    if kind == "mail":
        return mail.queue(address, "privacy/email/code.txt", locale, code=code, minutes=CODE_MINUTES)
    text = _(
        "Son La portal: your code to confirm your new contact details is %(code)s. It works for "
        "%(minutes)d minutes. Never give it to anyone.",
        code=code,
        minutes=CODE_MINUTES,
    )
    return sms_queue.send(f"sms:privacy-code:{secrets.token_hex(12)}", address, text, "privacy_code")


def _email_taken(email: str, account_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(Account.id)).where(Account.email == email, Account.id != account_id)
        )
    )


def confirm(change: ContactChange, code: str) -> bool:
    """True when the code is right (and the change applied); a wrong, late or overused code changes nothing."""
    now = utcnow()
    if change.closed_at is not None or change.expires_at <= now or change.attempts >= MAX_ATTEMPTS:
        return False
    change.attempts += 1
    if not hmac.compare_digest(change.code_hash, _code_hash(code.strip())):
        db.session.flush()
        return False
    subject = Subject(change.subject_type, change.subject_id)
    before = current(subject)
    fields = [
        name
        for name, old, new in (
            ("email", before.email, change.new_email),
            ("phone", before.phone, change.new_phone),
        )
        if old != new
    ]
    texted = _code_channel(before, Contact(before.name, change.new_email, change.new_phone))
    proven_phone = texted == ("sms", change.new_phone)
    apply(subject, Contact(before.name, change.new_email, change.new_phone), fields, proven_phone)
    # The new values live on the records now; the waiting row keeps none of them.
    change.closed_at = now
    change.new_name = change.new_email = change.new_phone = ""
    db.session.flush()
    return True


def apply(subject: Subject, contact: Contact, fields: list[str], proven_phone: bool = False) -> None:
    """Write the contact data on the subject's records and note which fields changed on each of them."""
    if not fields:
        return
    note = ", ".join(fields)
    if subject.kind == ACCOUNT:
        account = db.session.get(Account, subject.id)
        assert account is not None
        # A citizen who signed up with a phone has no e-mail: None, never "" (the column is unique).
        account.full_name, account.email = contact.name, contact.email or None
        account.phone = contact.phone or None
        if "phone" in fields:  # proven only when the code was texted to the new number
            account.phone_verified_at = utcnow() if proven_phone else None
        record("account", account.id, "contact_corrected", actor_id=account.id, note=note)
        actor: int | None = account.id
        items = list(
            db.session.scalars(
                select(Feedback).where(
                    Feedback.account_id == account.id,
                    Feedback.status.in_([s.value for s in feedback_status.OPEN]),
                )
            )
        )
        dossiers = list(
            db.session.scalars(
                select(Dossier).where(
                    Dossier.account_id == account.id,
                    Dossier.status.in_([int(s) for s in dossier_status.OPEN]),
                )
            )
        )
    else:
        actor, items, dossiers = None, [db.session.get(Feedback, subject.id)], []  # type: ignore[list-item]
    for item in items:
        item.contact_name = contact.name
        item.email = contact.email
        if contact.phone or "phone" in fields:  # kept when the account has none; "" when it was removed
            item.phone = contact.phone
        item.search_key = fold(
            " ".join(
                [
                    item.public_search_key,
                    item.address,
                    item.contact_name,
                    item.phone,
                    item.phone.replace("+84", "0"),
                ]
            )
        )
        record("feedback", item.id, "contact_corrected", actor_id=actor, note=note)
    for dossier in dossiers:  # the applicant's name is part of the legal record: only the contact fields
        if "name" in fields and fields == ["name"]:
            continue
        dossier.email = contact.email
        if contact.phone or "phone" in fields:
            dossier.phone = contact.phone
        record("dossier", dossier.id, "contact_corrected", actor_id=actor, note=note)
    db.session.flush()
