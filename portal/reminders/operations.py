"""What `flask remind` sends: each officer their items due on the next working day and overdue, each leader
their agency's overdue items, and feedback unanswered past its deadline escalated to the agency's leaders
and, after `escalate_after` working days, to the province's (the next level).

Idempotent per day: every message has the outbox key remind:<kind>:<account>:<local date>, and a key already
in the outbox is skipped, so running it again the same day sends nothing new. An escalation is written on the
item's timeline once per level (an event already there is not written again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from portal import mail
from portal.accounts.models import Account
from portal.agencies.models import Agency
from portal.calendar.queries import calendar_around
from portal.domain import dossier_status, feedback_status
from portal.domain.roles import Role
from portal.dossiers.models import Dossier
from portal.events.models import Event
from portal.events.operations import record
from portal.extensions import db
from portal.feedback.models import Feedback
from portal.jobs.models import OutboxJob

RUNNING = [s.value for s in dossier_status.RUNNING]
ON_THE_CLOCK = [s.value for s in feedback_status.ON_THE_CLOCK]
TO_LEADER, TO_PROVINCE = "escalated_to_leader", "escalated_to_province"


@dataclass
class Digest:
    due_tomorrow: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    escalated: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.due_tomorrow or self.overdue or self.escalated)


def _due(item) -> date | None:
    return item.appointment_on if isinstance(item, Dossier) else item.due_on


def _open_items(agency_id: int | None = None, assignee_id: int | None = None) -> list:
    items: list = []
    for model, statuses in ((Dossier, RUNNING), (Feedback, ON_THE_CLOCK)):
        stmt = select(model).where(model.status.in_(statuses))
        if agency_id is not None:
            stmt = stmt.where(model.agency_id == agency_id)
        if assignee_id is not None:
            stmt = stmt.where(model.assignee_id == assignee_id)
        items.extend(db.session.scalars(stmt.order_by(model.id)))
    return items


def _escalate_once(item: Feedback, action: str, note: str) -> bool:
    done = db.session.scalar(
        select(Event.id).where(
            Event.subject_type == "feedback", Event.subject_id == item.id, Event.action == action
        )
    )
    if done is None:
        record("feedback", item.id, action, note=note)
    return done is None


def _send(account: Account, kind: str, today: date, digest: Digest) -> bool:
    key = f"remind:{kind}:{account.id}:{today.isoformat()}"
    if not digest or db.session.scalar(select(OutboxJob.id).where(OutboxJob.key == key)) is not None:
        return False
    return mail.queue(
        account.email, "reminders/digest.txt", account.locale or "vi", key=key, digest=digest, kind=kind
    )


def run(today: date, escalate_after: int) -> int:
    """Queue today's reminders; returns how many messages were queued (0 on a second run the same day)."""
    cal = calendar_around(today)
    tomorrow = cal.next_working_day(today)
    sent = 0
    staff = db.session.scalars(
        select(Account).where(
            Account.is_enabled, Account.role.in_((Role.RECEPTIONIST, Role.PROCESSOR, Role.LEADER))
        )
    ).all()
    for officer in staff:
        digest = Digest()
        for item in _open_items(assignee_id=officer.id):
            due = _due(item)
            if due == tomorrow:
                digest.due_tomorrow.append(item)
            elif due is not None and due < today:
                digest.overdue.append(item)
        sent += _send(officer, "officer", today, digest)
    province = db.session.scalar(select(Agency.id).where(Agency.kind == "province"))
    leaders = [a for a in staff if a.role == Role.LEADER and a.agency_id is not None]
    by_agency: dict[int, Digest] = {}
    for agency_id in {a.agency_id for a in leaders} | ({province} if province else set()):
        assert agency_id is not None
        by_agency[agency_id] = Digest(
            overdue=[i for i in _open_items(agency_id) if (_due(i) or today) < today]
        )
    # Escalation of unanswered feedback: to its agency's leaders, then past `escalate_after` working days to
    # the province's.
    for item in db.session.scalars(
        select(Feedback).where(Feedback.status.in_(ON_THE_CLOCK), Feedback.due_on < today)
    ):
        assert item.due_on is not None  # selected by due_on < today
        late = cal.working_days_between(item.due_on, today)
        _escalate_once(item, TO_LEADER, f"{late}")
        by_agency.setdefault(item.agency_id, Digest()).escalated.append(item)
        if late >= escalate_after and province and item.agency_id != province:
            _escalate_once(item, TO_PROVINCE, f"{late}")
            by_agency.setdefault(province, Digest()).escalated.append(item)
    for leader in leaders:
        sent += _send(leader, "leader", today, by_agency.get(leader.agency_id or 0, Digest()))
    db.session.flush()
    return sent
