"""Citizen sign-up: prove the e-mail address or the mobile phone with a one-time code, then choose a
password. Flush, never commit.

A code has 6 digits, lives CODE_LIFETIME, and is closed by use, by a newer code and by MAX_WRONG wrong
tries (SECURITY.md row 3); only an HMAC of it is stored (keyed with SECRET_KEY, so a copy of the table
alone cannot be walked through the million codes). Checking a code is a conditional UPDATE of its row, so
two processes cannot both use it or both miss a wrong try.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from portal import sms_queue
from portal.database import changed_rows
from portal.db_types import utcnow
from portal.extensions import db

from .models import Account, OneTimeCode
from .operations import create_account, find_by_email, find_by_phone

PURPOSE = "signup"
CODE_LIFETIME = timedelta(minutes=10)
MAX_WRONG = 5


def _digest(purpose: str, target: str, code: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{purpose}:{target}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(target: str, purpose: str = PURPOSE) -> str:
    """A new code for `target` (older open ones are closed); the caller sends it."""
    now = utcnow()
    db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.target == target, OneTimeCode.purpose == purpose, OneTimeCode.closed_at.is_(None))
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )
    code = f"{secrets.randbelow(10**6):06d}"
    db.session.add(
        OneTimeCode(
            purpose=purpose,
            target=target,
            code_hash=_digest(purpose, target, code),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
        )
    )
    db.session.flush()
    return code


def check_code(target: str, given: str, purpose: str = PURPOSE) -> bool:
    """True once for the right code of `target`'s open code; a wrong one counts a try."""
    now = utcnow()
    row = db.session.scalar(
        select(OneTimeCode)
        .where(OneTimeCode.target == target, OneTimeCode.purpose == purpose, OneTimeCode.closed_at.is_(None))
        .order_by(OneTimeCode.id.desc())
        .limit(1)
    )
    if row is None or row.expires_at <= now or row.wrong_tries >= MAX_WRONG:
        return False
    given = "".join(ch for ch in given if ch.isdigit())[:6]
    if hmac.compare_digest(row.code_hash, _digest(purpose, target, given)):
        used = update(OneTimeCode).where(OneTimeCode.id == row.id, OneTimeCode.closed_at.is_(None))
        return changed_rows(used.values(closed_at=now).execution_options(synchronize_session=False)) == 1
    wrong = row.wrong_tries + 1
    changed_rows(
        update(OneTimeCode)
        .where(OneTimeCode.id == row.id, OneTimeCode.wrong_tries == row.wrong_tries)
        .values(wrong_tries=OneTimeCode.wrong_tries + 1, closed_at=now if wrong >= MAX_WRONG else None)
        .execution_options(synchronize_session=False)
    )
    return False


def taken(target: str) -> bool:
    """Whether an account already has this e-mail address, or this phone (E.164, "+84…") proven."""
    if target.startswith("+"):
        return find_by_phone(target) is not None
    return find_by_email(target) is not None


def finish(email: str, full_name: str, password: str, phone: str | None) -> Account:
    """Create the citizen's account once the code sent to the e-mail address matched (create_account audits
    it); a phone given on the way is kept, unproven."""
    return create_account(
        email=email, password=password, full_name=full_name, role="citizen", phone=phone, actor_id=None
    )


def finish_by_phone(phone: str, full_name: str, password: str) -> Account:
    """Create the citizen's account once the code texted to `phone` matched: the phone is proven, and the
    account has no e-mail address."""
    return create_account(
        email=None,
        password=password,
        full_name=full_name,
        role="citizen",
        phone=phone,
        phone_verified=True,
        actor_id=None,
    )


def texts_ready() -> bool:
    """Whether a code can be texted: the "sms" job is installed and a gateway is configured (without one
    the phone option says so instead of queueing texts nobody will send)."""
    return sms_queue.available() and bool(current_app.config["PORTAL_SETTINGS"].sms.gateway)


def text_code(phone: str, code: str, purpose: str = PURPOSE) -> bool:
    """Queue the text carrying `code` (in the page's language); sent by the worker after the commit."""
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    if purpose == PURPOSE:
        text = _(
            "Son La portal: your sign-up code is %(code)s. It works for %(minutes)d minutes. "
            "Never give it to anyone.",
            code=code,
            minutes=minutes,
        )
    else:
        text = _(
            "Son La portal: your code to choose a new password is %(code)s. It works for %(minutes)d "
            "minutes. Never give it to anyone.",
            code=code,
            minutes=minutes,
        )
    return sms_queue.send(f"sms:{purpose}:{secrets.token_hex(12)}", phone, text, purpose)


def text_taken(phone: str) -> bool:
    """Instead of a code, tell the phone's owner they already have an account (no code is issued)."""
    text = _(
        "Son La portal: someone asked to sign up with this number, but you already have an account. "
        'Sign in with your phone number, or choose a new password under "Forgot your password?".'
    )
    return sms_queue.send(f"sms:signup-taken:{secrets.token_hex(12)}", phone, text, PURPOSE)
