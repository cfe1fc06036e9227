"""The "sms" job (the SMS contract of the project: any feature may `jobs.enqueue("sms", key, {"to": phone,
"text": text, "purpose": purpose})` in its request's transaction). The worker folds the text to GSM-7
unless the gateway takes Unicode, cuts it to one message, sends it, and records its size and cost. A
refusal or a network failure raises: the job system tries again with a back-off."""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import select

from portal import jobs
from portal.db_types import utcnow
from portal.domain.phone import InvalidPhone, normalise_mobile
from portal.domain.sms_text import prepare
from portal.extensions import db

from .gateway import Gateway, gateway_for
from .models import SmsMessage

KIND = "sms"
GATEWAY_KEY = "portal.sms.gateway"  # tests may put another Gateway here
log = logging.getLogger("portal.sms")


def gateway() -> Gateway | None:
    return current_app.extensions.get(GATEWAY_KEY) or gateway_for(current_app.config["PORTAL_SETTINGS"].sms)


def enabled() -> bool:
    """Whether texts can be sent at all (SMS_GATEWAY is set): notices are queued only then."""
    return gateway() is not None


def queue(to: str, text: str, purpose: str, key: str) -> bool:
    """Send `text` to `to` after the commit (the contract's enqueue), when a gateway is configured."""
    if not to or not enabled():
        return False
    jobs.enqueue(KIND, key, {"to": to, "text": text, "purpose": purpose})
    return True


def send_text(payload: dict[str, Any], key: str) -> None:
    """The worker's handler for one text."""
    if db.session.scalar(select(SmsMessage.id).where(SmsMessage.key == key)) is not None:
        return  # sent by an earlier attempt whose job was not marked done
    sender = gateway()
    if sender is None:
        raise jobs.PermanentFailure("SMS_GATEWAY is not set")
    try:
        to = normalise_mobile(str(payload.get("to", "")))
    except InvalidPhone as error:
        raise jobs.PermanentFailure("not a Vietnamese mobile number") from error
    settings = current_app.config["PORTAL_SETTINGS"].sms
    message = prepare(str(payload.get("text", "")), unicode=settings.unicode)
    provider_id = sender.send(to, message.text, unicode=message.encoding == "ucs2", reference=key)
    db.session.add(
        SmsMessage(
            key=key,
            purpose=str(payload.get("purpose", ""))[:40] or "other",
            encoding=message.encoding,
            segments=message.segments,
            cost_vnd=message.segments * settings.price_vnd,
            provider_id=provider_id,
            sent_at=utcnow(),
        )
    )
    log.info(
        "sms %s sent (%s, %d segment(s))",
        key.split(":")[1] if ":" in key else "",
        message.encoding,
        message.segments,
    )
