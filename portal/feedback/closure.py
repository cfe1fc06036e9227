"""Closure the citizen can verify (issue 14 item 5): answering a report as fixed, with an "after" photo
where the category requires one, and the citizen's one-tap "is it fixed?" question (the rules are in
portal/domain/fix_check.py). Operations flush; routes and the job commit.

- `answer_fixed`: the staff answer (operations.staff_act) plus a FeedbackFix row: the after photo through
  the upload pipeline (sniffed, re-encoded, encrypted at rest) and, where the category asks, the question
  with its token (only its SHA-256 is kept) and its last day to reply.
- `ask`: the question goes by e-mail through the outbox, or by SMS (portal.sms_queue) when the citizen gave
  no e-mail address; each once (idempotency keys).
- `reply`: the citizen's yes / no (+ comment), once: a second reply changes nothing.
- `expire`: the scheduled job (`flask --app portal fix-checks`) closes the questions past their last day.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal import mail, sms_queue
from portal.accounts.models import Account
from portal.calendar.queries import LOCAL_TZ, calendar_around, local_now
from portal.db_types import utcnow
from portal.domain import fix_check
from portal.domain.digests import sha256_hex
from portal.domain.feedback_status import CITIZEN, SYSTEM, next_status
from portal.domain.feedback_status import FeedbackAction as A
from portal.domain.fix_check import FixCheck, Reply
from portal.domain.text import clean_lines
from portal.events.operations import record
from portal.extensions import db
from portal.uploads import storage
from portal.uploads.images import process_photo

from . import deadlines, operations
from .models import Feedback, FeedbackFix

TOKEN_BYTES = 16  # 128 bits: short enough for one SMS with the link


@dataclass(frozen=True)
class Fixed:
    notice: operations.Notice | None  # the answer's e-mail (the route sends it after the commit)
    fix: FeedbackFix
    token: str | None  # the question's one-tap token, shown nowhere else; None: no question


def configured_days() -> int:
    """PORTAL_FIX_CHECK_DAYS (app config or environment), else fix_check.DEFAULT_DAYS."""
    value = current_app.config.get("PORTAL_FIX_CHECK_DAYS") or os.environ.get("PORTAL_FIX_CHECK_DAYS")
    days = int(value or fix_check.DEFAULT_DAYS)
    return min(max(days, 1), fix_check.MAX_DAYS)


def answer_fixed(
    item: Feedback, actor: Account, note: str, photo: bytes | None, now: datetime | None = None
) -> Fixed:
    """Answer the report as fixed; raises FeedbackError("after_photo") when the category requires an after
    photo and none came, ImageRejected for a file that is not a photo, and staff_act's errors."""
    category = item.category
    if category.after_photo_required and not photo:
        raise operations.FeedbackError("after_photo")
    image = process_photo(photo) if photo else None  # before anything is written
    notice = operations.staff_act(item, A.ANSWER, actor, note=note)
    now = now or item.answered_at or utcnow()
    today = now.astimezone(LOCAL_TZ).date()
    fix = FeedbackFix(fixed_at=now, fixed_by_id=actor.id, answered_on=today, due_on=item.due_on)
    if image is not None:
        fix.stored_name = storage.store(image.data, ".jpg")
        fix.thumbnail_name = storage.store(image.thumbnail, ".jpg")
        fix.width, fix.height = image.width, image.height
    token = None
    if FixCheck(category.fix_check) is not FixCheck.OFF:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        fix.token_hash = sha256_hex(token)
        days = category.fix_check_days or configured_days()
        fix.reply_by = fix_check.reply_by(calendar_around(today), today, days)
    item.fixes.append(fix)
    db.session.flush()
    record("feedback", item.id, "fixed", actor_id=actor.id, to_status=item.status, public=True)
    return Fixed(notice, fix, token)


def link(item: Feedback, token: str) -> str:
    return current_app.config["PORTAL_SETTINGS"].base_url + url_for(
        "feedback.fix_question", code=item.code, token=token
    )


def ask(item: Feedback, fix: FeedbackFix, token: str) -> str:
    """Queue the question (in the caller's transaction): e-mail when the citizen gave an address, else SMS.
    Returns the channel used: "email", "sms" or "" (neither could be queued)."""
    url = link(item, token)
    key = f"feedback:{item.code}:fix:{fix.id}"
    if item.email and mail.queue(
        item.email,
        "feedback/email/fix_check.txt",
        item.locale,
        key=f"mail:{key}",
        item=item,
        link=url,
        reply_by=fix.reply_by,
    ):
        return "email"
    with force_locale("vi"):  # SMS in Vietnamese: the number, not a browser, receives it
        text = _(
            "Son La portal: report %(code)s was answered as fixed. Is it fixed? %(link)s",
            code=item.code,
            link=url,
        )
    return "sms" if sms_queue.send(f"sms:{key}", item.phone, text, "fix-check") else ""


def find(code: str, token: str, *, lock: bool = False) -> FeedbackFix | None:
    """The question behind a one-tap link; None for a wrong token or another report's token."""
    statement = (
        select(FeedbackFix)
        .join(Feedback)
        .where(Feedback.code == code.upper(), FeedbackFix.token_hash == sha256_hex(token))
    )
    if lock:
        statement = statement.with_for_update(of=FeedbackFix)
    return db.session.scalar(statement)


def reply(fix: FeedbackFix, fixed: bool, comment: str, now: datetime | None = None) -> A | None:
    """The citizen's answer; None (nothing done) when the question was already answered or closed."""
    if fix.reply:
        return None
    return _settle(
        fix, Reply.YES if fixed else Reply.NO, CITIZEN, clean_lines(comment)[:1000], now or utcnow()
    )


def _settle(fix: FeedbackFix, answer: Reply, role: str, comment: str, now: datetime) -> A:
    item = fix.feedback
    reopened_before = any(other.reopened for other in item.fixes)
    action = fix_check.outcome(answer, FixCheck(item.category.fix_check), item.status_enum, reopened_before)
    old = item.status_enum
    new = next_status(old, action, role)
    fix.reply, fix.comment, fix.replied_at = answer.value, comment, now
    if fix_check.reopens(action):
        fix.reopened = True
        if fix_check.late(fix_check.Answer(fix.answered_on, fix.due_on)):
            item.reopened_late = True  # 5.2 counts it late whatever its next answer (the queue reads it)
        item.restarted_at, item.closed_at = now, None
        item.status = new.value
        db.session.flush()
        item.due_on = deadlines.compute(item).answer_by  # a new answer deadline from today
    record(
        "feedback",
        item.id,
        action.value,
        actor_id=item.account_id if role == CITIZEN else None,
        from_status=old.value,
        to_status=new.value,
        note=comment,
        public=True,
    )
    db.session.flush()
    return action


def expire(today: date, now: datetime | None = None) -> int:
    """Close the questions whose last day to reply is before `today` as unanswered; idempotent (a closed
    question has a reply and is not selected again). Returns how many were closed."""
    now = now or utcnow()
    waiting = db.session.scalars(
        select(FeedbackFix)
        .where(FeedbackFix.reply == "", FeedbackFix.token_hash.is_not(None), FeedbackFix.reply_by < today)
        .order_by(FeedbackFix.id)
        .with_for_update(skip_locked=True)
    ).all()
    for fix in waiting:
        _settle(fix, Reply.SILENT, SYSTEM, "", now)
    return len(waiting)


def shown_fix(item: Feedback) -> FeedbackFix | None:
    """The latest answer given as fixed, for the status and public pages (its after photo, its reply)."""
    return item.fixes[-1] if item.fixes else None


@click.command("fix-checks")
@with_appcontext
def fix_checks_command() -> None:
    """Close the "is it fixed?" questions past their last day as unanswered (run it daily; idempotent)."""
    closed = expire(local_now().date())
    db.session.commit()
    click.echo(f"{closed} question(s) closed without a reply")
