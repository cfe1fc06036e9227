"""What the province holds about one data subject: a signed-in citizen's account with everything tied to it,
or an anonymous reporter's one feedback item (opened through its secret link)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased, selectinload

from portal.accounts.models import Account
from portal.agencies.models import Agency
from portal.dossiers.models import Dossier
from portal.events.models import Event
from portal.extensions import db
from portal.feedback.models import Feedback
from portal.payments.models import Payment

from .models import Consent, ContactChange, ExportArchive, PrivacyRequest

ACCOUNT, FEEDBACK = "account", "feedback"
EVENT_LIMIT = 2000


@dataclass(frozen=True)
class Subject:
    kind: str  # ACCOUNT or FEEDBACK
    id: int


@dataclass(frozen=True)
class Touch:
    """One event on the subject's records: when, what, on which record, and who at which agency."""

    at: datetime
    subject_type: str
    subject_code: str
    action: str
    actor: str  # the officer's name; "" for the citizen themself or the system
    agency: str  # the officer's agency; "" when none
    role: str
    by_citizen: bool


@dataclass(frozen=True)
class ShownFile:
    """A file as the person knows it, for the "my data" page: the record it belongs to and either the
    photo's number (a report) or the required document and the name the file was uploaded with (a
    dossier). The export names files by where they sit in the ZIP instead (Holdings.files)."""

    record: str
    position: int = 0
    document: str = ""
    name: str = ""
    kind: str = ""


@dataclass
class Holdings:
    subject: Subject
    account: Account | None
    feedback: list[Feedback] = field(default_factory=list)
    dossiers: list[Dossier] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    touches: list[Touch] = field(default_factory=list)
    requests: list[PrivacyRequest] = field(default_factory=list)
    exports: list[ExportArchive] = field(default_factory=list)

    def shown_files(self) -> list[ShownFile]:
        found = [
            ShownFile(item.code, position=photo.position) for item in self.feedback for photo in item.photos
        ]
        for dossier in self.dossiers:
            for file in dossier.files:
                document = file.required_document.name if file.required_document else ""
                found.append(
                    ShownFile(dossier.code, document=document, name=file.display_name, kind=file.kind)
                )
        return found

    def files(self) -> list[tuple[str, str, str]]:
        """(stored name, name in the export, content type) of every file tied to the subject."""
        found = []
        for item in self.feedback:
            for photo in item.photos:
                found.append(
                    (photo.stored_name, f"files/feedback/{item.code}-{photo.position}.jpg", "image/jpeg")
                )
        for dossier in self.dossiers:
            for file in dossier.files:
                found.append(
                    (
                        file.stored_name,
                        f"files/dossiers/{dossier.code}/{file.id}-{file.display_name}",
                        file.mimetype,
                    )
                )
        return found


def feedback_by_token_hash(token_hash: str) -> Feedback | None:
    return db.session.scalar(select(Feedback).where(Feedback.token_hash == token_hash))


def holdings(subject: Subject, with_touches: bool = True) -> Holdings:
    if subject.kind == ACCOUNT:
        account = db.session.get(Account, subject.id)
        feedback = list(
            db.session.scalars(
                select(Feedback)
                .where(Feedback.account_id == subject.id)
                .options(selectinload(Feedback.photos))
                .order_by(Feedback.id)
            )
        )
        dossiers = list(
            db.session.scalars(
                select(Dossier)
                .where(Dossier.account_id == subject.id)
                .options(selectinload(Dossier.files))
                .order_by(Dossier.id)
            )
        )
    else:
        account = None
        item = db.session.get(Feedback, subject.id)
        feedback = [item] if item is not None else []
        dossiers = []
    found = Holdings(subject, account, feedback, dossiers)
    feedback_ids, dossier_ids = [f.id for f in feedback], [d.id for d in dossiers]
    if dossier_ids:
        found.payments = list(
            db.session.scalars(
                select(Payment).where(Payment.dossier_id.in_(dossier_ids)).order_by(Payment.id)
            )
        )
    found.consents = list(
        db.session.scalars(
            select(Consent)
            .where(
                or_(
                    and_(Consent.subject_type == "feedback", Consent.subject_id.in_(feedback_ids)),
                    and_(Consent.subject_type == "dossier", Consent.subject_id.in_(dossier_ids)),
                )
            )
            .order_by(Consent.given_at, Consent.id)
        )
    )
    found.requests = list(
        db.session.scalars(
            select(PrivacyRequest)
            .where(_about(PrivacyRequest, subject, feedback_ids, dossier_ids))
            .order_by(PrivacyRequest.requested_at.desc(), PrivacyRequest.id.desc())
        )
    )
    found.exports = list(
        db.session.scalars(
            select(ExportArchive)
            .where(ExportArchive.subject_type == subject.kind, ExportArchive.subject_id == subject.id)
            .order_by(ExportArchive.id.desc())
        )
    )
    if with_touches:
        found.touches = touches(subject, feedback, dossiers)
    return found


def _about(model, subject: Subject, feedback_ids: list[int], dossier_ids: list[int]):
    return or_(
        and_(model.subject_type == subject.kind, model.subject_id == subject.id),
        and_(model.subject_type == "feedback", model.subject_id.in_(feedback_ids)),
        and_(model.subject_type == "dossier", model.subject_id.in_(dossier_ids)),
    )


def touches(subject: Subject, feedback: list[Feedback], dossiers: list[Dossier]) -> list[Touch]:
    """Every event on the subject's records, newest first, with the acting officer and their agency."""
    codes = {("feedback", f.id): f.code for f in feedback} | {("dossier", d.id): d.code for d in dossiers}
    actor = aliased(Account)
    statement = (
        select(Event, actor.full_name, actor.role, Agency.name)
        .outerjoin(actor, actor.id == Event.actor_id)
        .outerjoin(Agency, Agency.id == actor.agency_id)
        .where(_about(Event, subject, [f.id for f in feedback], [d.id for d in dossiers]))
        .order_by(Event.occurred_at.desc(), Event.id.desc())
        .limit(EVENT_LIMIT)
    )
    own = subject.id if subject.kind == ACCOUNT else None
    found = []
    for event, name, role, agency in db.session.execute(statement).all():
        by_citizen = event.actor_id is None or event.actor_id == own or role == "citizen"
        found.append(
            Touch(
                event.occurred_at,
                event.subject_type,
                codes.get((event.subject_type, event.subject_id), ""),
                event.action,
                "" if by_citizen else (name or ""),
                "" if by_citizen else (agency or ""),
                "" if by_citizen else (role or ""),
                by_citizen,
            )
        )
    return found


def export_by_token_hash(token_hash: str) -> ExportArchive | None:
    return db.session.scalar(select(ExportArchive).where(ExportArchive.token_hash == token_hash))


def open_change(subject: Subject) -> ContactChange | None:
    return db.session.scalar(
        select(ContactChange)
        .where(
            ContactChange.subject_type == subject.kind,
            ContactChange.subject_id == subject.id,
            ContactChange.closed_at.is_(None),
        )
        .order_by(ContactChange.id.desc())
        .limit(1)
    )
