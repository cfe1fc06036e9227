"""Granting and revoking the intermediary role (a commune agency's administrator; audited), and filing a
report or a dossier on behalf of a villager. Operations flush; routes commit once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import update

from portal import sms_queue
from portal.accounts.models import Account
from portal.accounts.operations import create_account
from portal.catalog.models import Procedure
from portal.db_types import utcnow
from portal.domain.roles import FILED_ON_BEHALF, Role
from portal.domain.text import clean
from portal.dossiers import intake
from portal.dossiers.models import Dossier
from portal.events.operations import record
from portal.extensions import db
from portal.feedback import operations as feedback_operations
from portal.feedback.models import Feedback
from portal.privacy.models import Consent as PrivacyConsent
from portal.uploads import storage
from portal.uploads.images import process_photo

from .models import PAPER, WITNESSED, IntermediaryFiling

GRANTED, REVOKED = "intermediary_granted", "intermediary_revoked"
FILED = FILED_ON_BEHALF  # the case's timeline: "filed by X on behalf of Y"


class ConsentMissing(ValueError):
    """Neither a photo of the signed paper nor a witnessed tick."""


def is_intermediary(account: Account | None) -> bool:
    return bool(account is not None and account.role == Role.INTERMEDIARY and account.is_enabled)


def grant(actor: Account, *, email: str, full_name: str, phone: str | None, password: str) -> Account:
    """A new intermediary account for the actor's own agency (a commune's People's Committee)."""
    assert actor.agency is not None
    account = create_account(
        email=email,
        password=password,
        full_name=full_name,
        role=Role.INTERMEDIARY.value,
        agency_slug=actor.agency.slug,
        phone=phone,
        actor_id=actor.id,
    )
    record("account", account.id, GRANTED, actor_id=actor.id)
    return account


def set_granted(actor: Account, account: Account, granted: bool) -> None:
    """Revoke (the account is disabled and signed out everywhere) or grant again; both audited."""
    if account.is_enabled == granted:
        return
    account.is_enabled = granted
    account.session_version += 1
    record("account", account.id, GRANTED if granted else REVOKED, actor_id=actor.id)


@dataclass(frozen=True)
class Consent:
    villager_name: str
    method: str  # PAPER or WITNESSED
    paper_photo: bytes | None  # the photo of the signed or thumb-printed paper (PAPER)
    witnessed: bool  # the intermediary's tick: they read the notice aloud and the villager agreed
    notice_version: str


def _consent_photo(consent: Consent) -> str | None:
    if consent.method == PAPER:
        if not consent.paper_photo:
            raise ConsentMissing("photo")
        # The upload path of every photo: sniffed, re-encoded, metadata (GPS) dropped (portal.uploads).
        return storage.store(process_photo(consent.paper_photo).data, ".jpg")
    if consent.method != WITNESSED or not consent.witnessed:
        raise ConsentMissing("tick")
    return None


def _remember(
    intermediary: Account, subject_type: str, subject_id: int, consent: Consent, photo, now
) -> None:
    filing = IntermediaryFiling(
        intermediary_id=intermediary.id,
        subject_type=subject_type,
        subject_id=subject_id,
        villager_name=clean(consent.villager_name),
        consent_method=consent.method,
        consent_photo=photo,
        notice_version=consent.notice_version,
        consent_at=now,
        filed_at=now,
    )
    db.session.add(filing)
    db.session.flush()
    # The consent records written with the new case (portal/privacy/consents.py) say "web" from this
    # request's address; the consent was taken by the intermediary: say so, as a counter intake names its officer.
    db.session.execute(
        update(PrivacyConsent)
        .where(PrivacyConsent.subject_type == subject_type, PrivacyConsent.subject_id == subject_id)
        .values(channel="intermediary", officer_id=intermediary.id)
    )
    # The note names the filing, not the villager: events are never changed, and the villager's name must
    # go when their data is erased (wiring.py blanks it in the filing).
    record(subject_type, subject_id, FILED, actor_id=intermediary.id, note=json.dumps({"filing": filing.id}))


def file_feedback(
    intermediary: Account, data: feedback_operations.Submission, consent: Consent
) -> tuple[Feedback, str]:
    """The villager's report: it has no account (the villager owns it by its code, private link and phone),
    the intermediary is remembered beside it with the consent."""
    photo = _consent_photo(consent)
    now = utcnow()
    item, token = feedback_operations.submit(data, None, now)
    _remember(intermediary, "feedback", item.id, consent, photo, now)
    return item, token


def file_dossier(
    intermediary: Account,
    procedure: Procedure,
    applicant: intake.Applicant,
    uploads: list[intake.Upload],
    consent: Consent,
    nonce: str = "",
    kept: Sequence[intake.Kept] = (),
) -> Dossier:
    """The villager's dossier through the online submission (status 1, the desk receives it): the villager
    is the applicant, no account owns it (the intermediary's is not linked), so the villager follows it by
    its code, the slip's private link and their phone, which gets the code by text (portal/sms/notices.py
    on the "submitted" event). A villager without a phone has the slip only; the intermediary is then
    texted that it is ready to print."""
    photo = _consent_photo(consent)
    now = utcnow()
    dossier = intake.submit_online(procedure, applicant, uploads, None, "vi", now=now, nonce=nonce, kept=kept)
    _remember(intermediary, "dossier", dossier.id, consent, photo, now)
    if not dossier.phone and intermediary.phone:
        _slip_ready_text(intermediary.phone, dossier)
    return dossier


def _slip_ready_text(phone: str, dossier: Dossier) -> None:
    """The code only, nothing of the villager (whose name the intermediary knows): sent after the commit."""
    with force_locale("vi"):
        text = _(
            "Son La portal: dossier %(code)s, filed by you for a villager without a phone: its slip is ready "
            "to print.",
            code=dossier.code,
        )
    sms_queue.send(f"sms:intermediary-slip:{dossier.id}", phone, text, "intermediary-slip")


def filed_note(note: str) -> tuple[str, str]:
    """(intermediary's name, villager's name) of a FILED event's note."""
    try:
        filing_id = int(json.loads(note)["filing"])
    except (ValueError, KeyError, TypeError):
        return "", ""
    filing = db.session.get(IntermediaryFiling, filing_id)
    if filing is None:
        return "", ""
    return filing.intermediary.full_name, filing.villager_name or "—"
