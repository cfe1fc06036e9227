"""A new dossier: online submission (status 1) and counter or postal intake (status 2, the clock starts).

Also the files every dossier operation attaches (checked, stored, named), and the online form's documents kept
as drafts across its errors (`Kept`: already checked and stored). Flush, never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from portal import form_nonce
from portal.accounts.models import Account
from portal.agencies.models import Agency
from portal.calendar import disasters
from portal.calendar.queries import LOCAL_TZ
from portal.catalog.models import Procedure
from portal.db_types import utcnow
from portal.domain.codes import dossier_code
from portal.domain.dossier_status import DossierStatus as S
from portal.domain.roles import Role
from portal.domain.text import clean, fold
from portal.events.operations import record
from portal.extensions import db
from portal.sequences import next_value
from portal.uploads import storage
from portal.uploads.documents import check_document
from portal.uploads.names import with_type_extension

from . import checklist, deadlines
from .errors import DossierError
from .models import Dossier, DossierFile

CONSENT_VERSION = "tthc-2026-01"
MAX_FILES = 10


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str
    birth_date: date | None
    phone: str  # E.164, validated by the form
    email: str
    address: str
    admin_unit_code: str


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str
    required_document_id: int | None = None


@dataclass(frozen=True)
class Kept:
    """A document uploaded with an earlier post of the same form, already checked and stored (a draft:
    portal/dossiers/upload_drafts.py), and the required document it answers (None: another document)."""

    stored_name: str
    filename: str
    mimetype: str
    size: int
    required_document_id: int | None = None


def nonce_key(form: str, procedure: Procedure, nonce: str) -> str:
    """What a dossier stores of its form's nonce, bound to one procedure's online form ("apply") or
    counter form ("intake"); see portal/form_nonce.py."""
    return form_nonce.stored(f"dossier-{form}:{procedure.code}", nonce)


def display_name(filename: str) -> str:
    """A harmless label for the file list; the stored name is always our own."""
    name = clean(filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    return name[:200] or "document"


def receiving_agency(procedure: Procedure, unit_code: str) -> Agency:
    """Commune-level procedures go to the applicant's commune; provincial ones to their department."""
    if procedure.level in ("commune", "both") or procedure.agency_id is None:
        agency = db.session.scalar(select(Agency).where(Agency.admin_unit_code == unit_code))
        if procedure.level == "province" and procedure.agency_id is None:
            agency = db.session.scalar(select(Agency).where(Agency.slug == "ubnd-tinh"))
    else:
        agency = db.session.get(Agency, procedure.agency_id)
    if agency is None:
        raise DossierError("commune")
    return agency


def attach(dossier: Dossier, uploads: list[Upload], kind: str, actor_id: int | None) -> None:
    for upload in uploads:
        checked = check_document(upload.data)  # DocumentRejected stops the whole operation
        dossier.files.append(
            DossierFile(
                required_document_id=upload.required_document_id,
                kind=kind,
                stored_name=storage.store(checked.data, checked.suffix),
                display_name=with_type_extension(display_name(upload.filename), checked.mimetype),
                mimetype=checked.mimetype,
                size=len(checked.data),
                uploaded_by_id=actor_id,
            )
        )


def attach_kept(dossier: Dossier, kept: Sequence[Kept], kind: str, actor_id: int | None) -> None:
    """Files already checked and stored: the dossier takes their stored names as they are."""
    for file in kept:
        dossier.files.append(
            DossierFile(
                required_document_id=file.required_document_id,
                kind=kind,
                stored_name=file.stored_name,
                display_name=with_type_extension(display_name(file.filename), file.mimetype),
                mimetype=file.mimetype,
                size=file.size,
                uploaded_by_id=actor_id,
            )
        )


def _new_dossier(
    procedure: Procedure,
    applicant: Applicant,
    channel: str,
    now: datetime,
    account: Account | None,
    created_by: Account | None,
    locale: str,
    nonce: str,
) -> Dossier:
    agency = receiving_agency(procedure, applicant.admin_unit_code)
    day = now.astimezone(LOCAL_TZ).date()
    sequence = next_value(f"dossier:{agency.id}", day)
    dossier = Dossier(
        code=dossier_code(agency.code, day, sequence),
        received_day=day,
        sequence=sequence,
        link_salt=secrets.token_hex(16),
        form_nonce=nonce_key(
            "apply" if channel == "online" else "intake", procedure, nonce or form_nonce.new()
        ),
        agency=agency,
        procedure=procedure,
        channel=channel,
        applicant_name=clean(applicant.name),
        id_number=applicant.id_number,
        birth_date=applicant.birth_date,
        phone=applicant.phone,
        email=applicant.email.strip().lower(),
        address=clean(applicant.address),
        admin_unit_code=applicant.admin_unit_code,
        consent_version=CONSENT_VERSION,
        locale=locale,
        account_id=account.id if account else None,
        created_by_id=created_by.id if created_by else None,
        fee_vnd=procedure.fee_for(channel) or 0,  # an online dossier may owe less (portal.domain.fees)
        submitted_at=now,
        status=S.SUBMITTED.value,
    )
    dossier.search_key = fold(
        " ".join(
            [
                dossier.code,
                dossier.applicant_name,
                dossier.id_number,
                dossier.phone,
                dossier.phone.replace("+84", "0"),
                procedure.name,
            ]
        )
    )
    return dossier


def submit_online(
    procedure: Procedure,
    applicant: Applicant,
    uploads: list[Upload],
    account: Account | None,
    locale: str,
    now: datetime | None = None,
    nonce: str = "",
    kept: Sequence[Kept] = (),
) -> Dossier:
    """Status 1 (Mới đăng ký); the desk receives it later. The appointment shown is provisional.

    `nonce` is the form's one-time nonce ("" when the post had none: one is made up). `kept`: the documents
    of earlier posts of the same form, listed before this post's `uploads`; the limit counts both.
    """
    if not procedure.is_online or not procedure.is_active:
        raise DossierError("not_online")
    if not (uploads or kept) or len(uploads) + len(kept) > MAX_FILES:
        raise DossierError("files")
    now = now or utcnow()
    dossier = _new_dossier(procedure, applicant, "online", now, account, None, locale, nonce)
    attach_kept(dossier, kept, "submitted", account.id if account else None)
    attach(dossier, uploads, "submitted", account.id if account else None)
    dossier.appointment_on = deadlines.appointment_for(procedure, now, spans=deadlines.spans_of(dossier))
    db.session.add(dossier)
    db.session.flush()
    record(
        "dossier",
        dossier.id,
        "submitted",
        actor_id=account.id if account else None,
        to_status=str(S.SUBMITTED.value),
        public=True,
        at=now,
    )
    return dossier


def counter_intake(
    procedure: Procedure,
    applicant: Applicant,
    uploads: list[Upload],
    receptionist: Account,
    channel: str,
    locale: str,
    now: datetime | None = None,
    nonce: str = "",
    received: list[checklist.Tick] | None = None,
    paper_consent: bool = True,
) -> Dossier:
    """A walk-in (or postal) dossier: received at once (status 2), the clock starts now. `received`: the
    documents the desk ticked as handed in (listed on form 01); `paper_consent`: the officer ticked that the
    citizen signed the paper personal-data notice (the counter form requires it)."""
    if channel not in ("counter", "post"):
        raise DossierError("channel")
    if len(uploads) > MAX_FILES:
        raise DossierError("files")
    now = now or utcnow()
    # Check the agency before a number is taken, so a refused intake never consumes one.
    if (
        receptionist.role != Role.ADMIN
        and receiving_agency(procedure, applicant.admin_unit_code).id != receptionist.agency_id
    ):
        raise DossierError("agency")
    dossier = _new_dossier(procedure, applicant, channel, now, None, receptionist, locale, nonce)
    attach(dossier, uploads, "submitted", receptionist.id)
    dossier.status = S.RECEIVED.value
    dossier.received_at = now
    spans = deadlines.spans_of(dossier)
    dossier.appointment_on = dossier.original_appointment_on = deadlines.appointment_for(
        procedure, now, spans=spans
    )
    dossier.paper_consent_at = now if paper_consent else None
    checklist.record_received(dossier, received or [], receptionist.id, now)
    db.session.add(dossier)
    checklist.register(dossier, now)
    db.session.flush()
    record(
        "dossier",
        dossier.id,
        "receive",
        actor_id=receptionist.id,
        to_status=str(S.RECEIVED.value),
        note=channel,
        public=True,
        at=now,
    )
    if spans:  # received while an event of its commune is declared: the event says so (portal/disasters)
        disasters.dated("dossier", dossier)
    return dossier
