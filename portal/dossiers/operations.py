"""Dossier operations: staff actions, the portal's own moves (a settled fee), citizen supplements and withdrawal.

A new dossier (online or at the counter) is made in intake.py.

Operations flush and never commit; each returns what the citizen must be told (a Notice), which the
route e-mails after its single commit.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app

from portal.accounts import queries as account_queries
from portal.accounts.models import Account
from portal.calendar import disasters
from portal.calendar.queries import LOCAL_TZ, calendar_around
from portal.db_types import utcnow
from portal.domain.digests import keyed_digest
from portal.domain.dossier_status import RULES, Context, DossierAction, is_final, next_status
from portal.domain.dossier_status import DossierAction as A
from portal.domain.dossier_status import DossierStatus as S
from portal.domain.roles import Role
from portal.domain.text import clean, clean_lines
from portal.domain.working_days import Suspension, apology_refusal
from portal.events.operations import record
from portal.extensions import db
from portal.payments import ended as payment_ends
from portal.payments import operations as payments
from portal.payments.labels import paid_line

from . import checklist, deadlines
from .errors import DossierError
from .intake import Upload, attach
from .models import Dossier, DossierApology, DossierPause

PUBLIC = frozenset(
    {
        A.RECEIVE,
        A.REFUSE,
        A.START,
        A.REQUEST_SUPPLEMENT,
        A.SUPPLEMENT,
        A.REQUEST_FEE,
        A.CONFIRM_FEE,
        A.APPROVE,
        A.FINISH,
        A.STOP,
        A.RETURN_RESULT,
        A.WITHDRAW,
        A.APOLOGISE,
    }
)
NOTIFY = frozenset(
    {A.RECEIVE, A.REFUSE, A.REQUEST_SUPPLEMENT, A.REQUEST_FEE, A.APPROVE, A.FINISH, A.STOP, A.APOLOGISE}
)
NEEDS_TEXT = frozenset({A.REFUSE, A.REQUEST_SUPPLEMENT, A.STOP, A.APOLOGISE, A.NOTE})


@dataclass(frozen=True)
class Notice:
    dossier: Dossier
    action: DossierAction


def secret_token(dossier: Dossier) -> str:
    key = current_app.config["SECRET_KEY"]
    digest = keyed_digest(key, f"dossier-link:{dossier.code}:{dossier.link_salt}")
    return digest[:24].hex()  # 192 bits


def token_matches(dossier: Dossier, token: str) -> bool:
    return hmac.compare_digest(secret_token(dossier), token)


def _context(dossier: Dossier) -> Context:
    # Whether the fee was taken is asked only where a fee could be requested (one query, not on every page).
    fee_taken = dossier.status_enum in RULES[A.REQUEST_FEE].sources and payment_ends.taken(dossier)
    return Context(
        needs_approval=dossier.procedure.needs_approval,
        result_proposed=dossier.result_proposed,
        fee_taken=fee_taken,
    )


def _end_fee(dossier: Dossier, status: S, actor_id: int | None, now: datetime) -> None:
    """A dossier that ends owes no fee: its open request is cancelled in the same transaction (payments/
    ended.py), so it can no longer be paid, and a transfer that still arrives is listed for a refund."""
    if is_final(status):
        payment_ends.cancel_open(dossier, actor_id, now)


def allowed(dossier: Dossier, role: str) -> list[DossierAction]:
    from portal.domain.dossier_status import allowed_actions

    return allowed_actions(dossier.status_enum, role, _context(dossier))


def _close_pause(dossier: Dossier, now: datetime) -> None:
    """The clock runs again: the legal due date moves by the pause (timeliness compares with it); an
    apology's later date, if any, still holds for the citizen."""
    for pause in dossier.pauses:
        if pause.resumed_at is None:
            pause.resumed_at = now
    db.session.flush()
    assert dossier.received_at is not None  # only a received dossier is ever paused
    spans = deadlines.spans_of(dossier)
    due = deadlines.appointment_for(dossier.procedure, dossier.received_at, dossier.pauses, spans)
    assert due is not None  # None only while a pause is open, and every pause is closed now
    promised = max((a.new_date for a in dossier.apologies), default=None)
    dossier.original_appointment_on = due
    dossier.appointment_on = max(due, promised) if promised else due


def staff_act(
    dossier: Dossier,
    action: DossierAction,
    actor: Account,
    *,
    note: str = "",
    assignee_id: int | None = None,
    new_date: date | None = None,
    uploads: list[Upload] | None = None,
    fee_vnd: int | None = None,
    fee_basis: str = "",
    payment_method: str = "cash",
    now: datetime | None = None,
    received: list[checklist.Tick] | None = None,
) -> Notice | None:
    """Apply one staff action; raises NotPermitted, InvalidTransition, DossierError or DocumentRejected.
    `fee_vnd` and `fee_basis`: the amount the officer enters when requesting fees for a procedure whose
    catalogue has no amount (set by the provincial People's Council). `received`: on receiving an online
    dossier, the documents the desk ticked as received (listed on form 01)."""
    now = now or utcnow()
    old = dossier.status_enum
    new = next_status(old, action, actor.role, _context(dossier))
    note = clean_lines(note)
    if action in NEEDS_TEXT and not note:
        raise DossierError("note")
    if action is A.REQUEST_FEE:
        _set_fee(dossier, fee_vnd, fee_basis)
    spans: list[Suspension] = []  # the declared days counted, when this action dates the dossier
    if action is A.RECEIVE:
        dossier.received_at = now
        spans = deadlines.spans_of(dossier)
        dossier.appointment_on = dossier.original_appointment_on = deadlines.appointment_for(
            dossier.procedure, now, spans=spans
        )
        checklist.record_received(dossier, received or [], actor.id, now)
        checklist.register(dossier, now)
    elif action in (A.REFUSE, A.STOP, A.WITHDRAW):
        dossier.closed_reason = note
    elif action is A.START and dossier.assignee_id is None and actor.role == Role.PROCESSOR:
        dossier.assignee_id = actor.id
    elif action is A.ASSIGN:
        assignee = account_queries.assignee_in(dossier.agency_id, assignee_id)
        if assignee is None:
            raise DossierError("assignee")
        dossier.assignee_id = assignee.id
        note = assignee.full_name
    elif action in (A.REQUEST_SUPPLEMENT, A.REQUEST_FEE):
        dossier.pauses.append(
            DossierPause(
                reason="supplement" if action is A.REQUEST_SUPPLEMENT else "fee", request=note, started_at=now
            )
        )
        dossier.appointment_on = None  # unknown until the citizen completes the dossier
    elif action in (A.SUPPLEMENT, A.CONFIRM_FEE):
        if action is A.CONFIRM_FEE:
            note = _confirm_open_payment(dossier, actor, now, payment_method, note)
        if uploads:
            attach(dossier, uploads, "supplement", actor.id)
        _close_pause(dossier, now)
    elif action is A.PROPOSE_RESULT:
        dossier.result_proposed = True
    elif action in (A.APPROVE, A.FINISH):
        if uploads:
            attach(dossier, uploads, "result", actor.id)
        dossier.finished_at = now
        dossier.result_note = note
    elif action is A.RETURN_RESULT:
        dossier.returned_at = now
    elif action is A.APOLOGISE:
        _apologise(dossier, actor, note, new_date, now)
    dossier.status = new.value
    record(
        "dossier",
        dossier.id,
        action.value,
        actor_id=actor.id,
        from_status=str(old.value),
        to_status=str(new.value),
        note=note,
        public=action in PUBLIC,
        at=now,
    )
    _end_fee(dossier, new, actor.id, now)
    db.session.flush()
    if spans:  # received while an event of its commune is declared: the event says so (portal/disasters)
        disasters.dated("dossier", dossier)
    if action is A.REQUEST_FEE:
        payments.create_for(dossier)
    return Notice(dossier, action) if action in NOTIFY else None


def _set_fee(dossier: Dossier, fee_vnd: int | None, fee_basis: str) -> None:
    """The amount to request: the catalogue's for the dossier's channel (set at intake), or, when the
    catalogue has none, the one the officer enters with its legal basis. A procedure the catalogue lists as
    free (for that channel) has no fee to request."""
    if dossier.fee_vnd > 0:
        return
    catalogue = dossier.catalogue_fee_vnd
    if catalogue is not None:
        if catalogue <= 0:
            raise DossierError("no_fee")
        dossier.fee_vnd = catalogue  # the catalogue gained an amount after the dossier was received
        return
    if fee_vnd is None or fee_vnd <= 0:
        raise DossierError("fee_amount")
    fee_basis = clean(fee_basis)
    if not fee_basis:
        raise DossierError("fee_basis")
    dossier.fee_vnd, dossier.fee_basis = fee_vnd, fee_basis


def _confirm_open_payment(dossier: Dossier, actor: Account, now: datetime, method: str, note: str) -> str:
    """An officer confirming the fee at the desk settles the open payment reference too, in cash or by a
    transfer seen on the citizen's phone ("counter"), as the officer says. Returns the note of the dossier's
    "fees paid" line: the payment's (reference, amount, method) and the officer's comment, the one line a
    payment gives (portal.payments.labels.paid_line)."""
    if method not in payments.METHODS_AT_DESK:
        raise DossierError("payment_method")
    payment = payments.open_payment(dossier)
    if payment is not None and payments.mark_paid_at_desk(payment, actor, now, method):
        return paid_line(payment, note)
    return note


def fee_settled(payment, now: datetime, actor_id: int | None, note: str) -> bool:
    """A payment of the dossier's fee was settled (bank transfer or counter): a dossier waiting for its fees
    (status 6) moves on by itself, its "fees paid" line saying how (`note`, the payment's). Registered with
    payments as part of the FeeOwner (see wiring.py); False when the dossier was not waiting for it."""
    dossier = payment.dossier
    if dossier.status_enum is not S.FEE_REQUESTED:
        return False
    system_act(dossier, A.CONFIRM_FEE, now=now, note=note, actor_id=actor_id)
    return True


def system_act(
    dossier: Dossier,
    action: DossierAction,
    now: datetime | None = None,
    note: str = "",
    actor_id: int | None = None,
) -> None:
    """The portal itself moves the dossier on (a bank transfer settled its fee; `actor_id`: the officer whose
    confirmation on the payment's counter page settled it)."""
    now = now or utcnow()
    old = dossier.status_enum
    new = next_status(old, action, "system", _context(dossier))
    if action is A.CONFIRM_FEE:
        _close_pause(dossier, now)
    dossier.status = new.value
    record(
        "dossier",
        dossier.id,
        action.value,
        actor_id=actor_id,
        from_status=str(old.value),
        to_status=str(new.value),
        note=note,
        public=True,
    )  # dated when the portal moved it on (the credit's own time is the payment's): the audit's order
    db.session.flush()


def _apologise(dossier: Dossier, actor: Account, reason: str, new_date: date | None, now: datetime) -> None:
    current = dossier.appointment_on
    today = now.astimezone(LOCAL_TZ).date()
    cal = calendar_around(today)
    # Form 04 is sent before the (legal) due date (VIETNAM.md §2.3 item 8): once it has come, a letter already
    # sent or not, or while the clock waits for the citizen, the letter is refused (the same rule hides the
    # form and the hint's offer).
    refusal = apology_refusal(current, today, legal_due=dossier.original_appointment_on)
    if refusal is not None:
        raise DossierError(refusal)
    assert current is not None  # apology_refusal answers "apology_paused" without an appointment
    # The new date must be a later working day.
    if new_date is None or new_date <= current or not cal.is_working_day(new_date) or new_date <= today:
        raise DossierError("new_date")
    dossier.apologies.append(
        DossierApology(
            issued_by_id=actor.id, reason=reason, previous_date=current, new_date=new_date, issued_at=now
        )
    )
    dossier.appointment_on = new_date


def citizen_supplement(
    dossier: Dossier, uploads: list[Upload], note: str, now: datetime | None = None
) -> None:
    """The citizen sends the requested documents from the tracking page: the clock runs again."""
    now = now or utcnow()
    old = dossier.status_enum
    new = next_status(old, A.SUPPLEMENT, "citizen", _context(dossier))
    if not uploads:
        raise DossierError("files")
    attach(dossier, uploads, "supplement", dossier.account_id)
    _close_pause(dossier, now)
    dossier.status = new.value
    record(
        "dossier",
        dossier.id,
        A.SUPPLEMENT.value,
        actor_id=dossier.account_id,
        from_status=str(old.value),
        to_status=str(new.value),
        note=clean(note)[:1000],
        public=True,
        at=now,
    )
    db.session.flush()


def citizen_withdraw(dossier: Dossier, reason: str) -> None:
    old = dossier.status_enum
    new = next_status(old, A.WITHDRAW, "citizen", _context(dossier))
    dossier.status = new.value
    dossier.closed_reason = clean(reason)[:1000]
    record(
        "dossier",
        dossier.id,
        A.WITHDRAW.value,
        actor_id=dossier.account_id,
        from_status=str(old.value),
        to_status=str(new.value),
        note=dossier.closed_reason,
        public=True,
    )
    _end_fee(dossier, new, dossier.account_id, utcnow())
    db.session.flush()
