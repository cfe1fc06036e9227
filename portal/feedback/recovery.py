"""A lost report code: the codes of the reports made with a phone number or e-mail address are sent to
that number or address, never shown. Flush, never commit.

The caller answers the same whatever is found (no enumeration: SECURITY.md), and one message leaves per
request either way where the channel allows it (an SMS or an e-mail job, or the mail module's empty job), so
the work done does not tell either.
"""

from __future__ import annotations

import hashlib
import uuid

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal import mail, sms_queue
from portal.db_types import utcnow
from portal.domain.phone import InvalidPhone, normalise_mobile

from ..extensions import db
from .models import Feedback

SHOWN_CODES = 5  # the newest; an SMS holds about three
SMS_CODES = 3


def parse_contact(text: str) -> tuple[str, str] | None:
    """("phone", E.164) or ("email", lower-cased address), or None when it is neither."""
    text = (text or "").strip()
    if "@" in text:
        address = text.lower()
        return ("email", address) if len(address) <= 254 and "." in address.rsplit("@", 1)[-1] else None
    try:
        return "phone", normalise_mobile(text)
    except InvalidPhone:
        return None


def codes_for(kind: str, target: str) -> list[tuple[str, str, str]]:
    """(code, title, locale) of the newest reports made with this phone or address (an index look-up)."""
    column = Feedback.phone if kind == "phone" else Feedback.email
    rows = db.session.execute(
        select(Feedback.code, Feedback.title, Feedback.locale)
        .where(column == target)
        .order_by(Feedback.id.desc())
        .limit(SHOWN_CODES)
    ).all()
    return [(row.code, row.title, row.locale) for row in rows]


def _sms_text(codes: list[str]) -> str:
    with force_locale("vi"):  # SMS in Vietnamese: the number, not a browser, receives it
        return _(
            "Sơn La portal: the codes of your reports: %(codes)s. Follow them at %(site)s/track",
            codes=", ".join(codes[:SMS_CODES]),
            site=current_app.config["PORTAL_SETTINGS"].base_url.split("://", 1)[-1],
        )


def send_codes(kind: str, target: str) -> None:
    """Send the codes found for `target` to it. Nothing is returned: the page must not differ."""
    found = codes_for(kind, target)
    day = utcnow().date().isoformat()
    digest = hashlib.sha256(target.encode()).hexdigest()[:16]
    if kind == "phone" and found:
        sent = sms_queue.send(
            f"sms:code-recovery:{digest}:{day}:{uuid.uuid4().hex[:8]}",
            target,
            _sms_text([code for code, _title, _locale in found]),
            "code-recovery",
        )
        # Until SMS can be sent, and as well as it: the e-mail addresses given with those reports.
        emails = {
            email
            for (email,) in db.session.execute(
                select(Feedback.email).where(Feedback.phone == target, Feedback.email != "").limit(3)
            )
        }
        for email in sorted(emails):
            _mail(email, found)
        if not sent and not emails:
            mail.queue_nothing()
        return
    if kind == "email" and found:
        _mail(target, found)
        return
    mail.queue_nothing()  # the same cost as a match


def _mail(address: str, found: list[tuple[str, str, str]]) -> None:
    link = current_app.config["PORTAL_SETTINGS"].base_url + url_for("tracking.track")
    mail.queue(address, "feedback/email/codes.txt", found[0][2], items=found, link=link)
