"""Form 04 apology letters for the dossiers an event makes late, drafted in bulk and issued in one action.

"Late" here is against the date the citizen was promised before the event (the receipt's appointment, or a
letter's): the event moved it later, so the citizen is told the new date with an apology (VIETNAM.md §2.3
item 8), and the letter must go before the promised date has come (apology_allowed). Each issued letter
goes to its citizen by e-mail (a mail job), by SMS where a phone is known (an "sms" job, PREAMBLE's
contract), and otherwise into the print queue of the event's page.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from portal import mail
from portal.accounts.models import Account
from portal.calendar.disasters import DisasterEffect, DisasterEvent, DisasterLetter
from portal.calendar.queries import LOCAL_TZ
from portal.db_types import utcnow
from portal.domain import dossier_status
from portal.domain.dossier_status import DossierAction
from portal.domain.working_days import apology_allowed
from portal.dossiers.models import Dossier, DossierApology
from portal.dossiers.routes import tracking_link
from portal.events.operations import record
from portal.extensions import db
from portal.jobs.outbox import enqueue, jobs_of

from .labels import KIND_VI
from .operations import reason_text

RUNNING = {s.value for s in dossier_status.RUNNING}


def _in_scope(stmt, agency_id: int | None):
    return stmt if agency_id is None else stmt.where(Dossier.agency_id == agency_id)


def draft(event: DisasterEvent, agency_id: int | None, today: date) -> int:
    """One draft per affected running dossier (of the officer's agency; None: all) whose date the event
    moved past the promised one while a letter can still go; the number of new drafts."""
    stmt = (
        select(DisasterEffect, Dossier)
        .join(Dossier, Dossier.id == DisasterEffect.subject_id)
        .where(DisasterEffect.event_id == event.id, DisasterEffect.subject_type == "dossier")
        .where(Dossier.status.in_(RUNNING))
        .where(~Dossier.id.in_(select(DisasterLetter.dossier_id).where(DisasterLetter.event_id == event.id)))
        .order_by(Dossier.id)
    )
    made = 0
    for effect, dossier in db.session.execute(_in_scope(stmt, agency_id)):
        promised = effect.due_before
        new = dossier.appointment_on
        if promised is None or new is None or new <= promised or not apology_allowed(promised, today):
            continue
        db.session.add(
            DisasterLetter(
                event_id=event.id,
                dossier_id=dossier.id,
                previous_date=promised,
                new_date=new,
                reason=reason_text(event),
            )
        )
        made += 1
    db.session.flush()
    return made


def letters_of(event: DisasterEvent, agency_id: int | None) -> list[tuple[DisasterLetter, Dossier]]:
    stmt = (
        select(DisasterLetter, Dossier)
        .join(Dossier, Dossier.id == DisasterLetter.dossier_id)
        .where(DisasterLetter.event_id == event.id)
        .order_by(DisasterLetter.state, Dossier.code)
    )
    return [(letter, dossier) for letter, dossier in db.session.execute(_in_scope(stmt, agency_id))]


def issue(event: DisasterEvent, actor: Account, agency_id: int | None, now: datetime | None = None) -> int:
    """Issue every draft in scope: the dossier's form 04, on its public timeline, sent to its citizen."""
    now = now or utcnow()
    issued = 0
    for letter, dossier in letters_of(event, agency_id):
        if letter.state != "draft":
            continue
        apology = DossierApology(
            issued_by_id=actor.id,
            reason=letter.reason,
            previous_date=letter.previous_date,
            new_date=letter.new_date,
            issued_at=now,
        )
        dossier.apologies.append(apology)
        db.session.flush()
        record(
            "dossier",
            dossier.id,
            DossierAction.APOLOGISE.value,
            actor_id=actor.id,
            from_status=str(dossier.status),
            to_status=str(dossier.status),
            note=letter.reason,
            public=True,
        )
        letter.state, letter.issued_at, letter.issued_by_id = "issued", now, actor.id
        letter.apology_id = apology.id
        letter.channel = _send(event, letter, dossier, now)
        issued += 1
    db.session.flush()
    return issued


def _send(event: DisasterEvent, letter: DisasterLetter, dossier: Dossier, now: datetime) -> str:
    channels = []
    day = now.astimezone(LOCAL_TZ).date().isoformat()
    if mail.queue(
        dossier.email,
        "disasters/email/letter.txt",
        dossier.locale,
        key=f"mail:disaster-letter:{letter.id}",
        dossier=dossier,
        letter=letter,
        link=tracking_link(dossier),
    ):
        channels.append("email")
    phone = dossier.phone  # stored in E.164 by portal/domain/phone.py at intake
    # The "sms" kind is registered by the SMS feature (portal/sms); before it is installed, paper it is.
    if phone and "sms" in jobs_of(current_app).handlers:
        text = (
            f"Hồ sơ {dossier.code}: do {KIND_VI[event.kind].lower()} (bất khả kháng), ngày hẹn trả kết quả"
            f" mới là {letter.new_date.strftime('%d/%m/%Y')}. Xin lỗi ông/bà."
        )
        enqueue(
            "sms", f"sms:disaster-letter:{letter.id}:{day}", {"to": phone, "text": text, "purpose": "apology"}
        )
        channels.append("sms")
    return "+".join(channels) or "print"
