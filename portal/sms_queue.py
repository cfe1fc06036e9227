"""Sending an SMS from a feature, under the SMS contract (PREAMBLE: an "sms" job in the request's
transaction; the SMS feature registers the job's handler and the gateway).

Until an "sms" handler is registered the message cannot be queued (portal.jobs refuses unknown kinds):
`send` then returns False and the caller falls back to e-mail where it has an address.
"""

from __future__ import annotations

from portal.jobs import jobs_of
from portal.jobs.outbox import enqueue

KIND = "sms"


def available() -> bool:
    return KIND in jobs_of().handlers


def send(key: str, to: str, text: str, purpose: str) -> bool:
    """Queue one SMS to `to` (E.164, portal/domain/phone.py); False when no SMS handler is installed.
    `key` names the message once: a second job with the same key is refused by the outbox."""
    if not available():
        return False
    enqueue(KIND, key, {"to": to, "text": text, "purpose": purpose})
    return True
