"""Outgoing e-mail, rendered in the recipient's language in the request and sent by the jobs worker.

`queue()` renders the message while the request's context is there (url_for, the locale) and writes it
to the outbox in the request's transaction (portal.jobs): it leaves only if that transaction commits, and
no request ever waits for the mail server. The worker calls `deliver()`; a failure is retried with a
back-off, and never undoes what the citizen or officer did. Once sent, the stored address and text are
cleared.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template
from flask_babel import force_locale

from portal import jobs

KIND = "mail"
TIMEOUT = 10  # seconds, in the worker only


def init_app(app: Flask) -> None:
    jobs.register(app, KIND, deliver)


def render(template: str, locale: str, **context) -> tuple[str, str]:
    """Render `template` (first line: subject, then a blank line, then the body) in `locale`."""
    with force_locale(locale if locale in ("vi", "en") else "vi"):
        text = render_template(template, **context)
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def queue(to: str | None, template: str, locale: str, *, key: str = "", **context) -> bool:
    """Render one message now and send it after the commit. False (nothing queued) when no mail server
    is configured or there is no address. `key` names the message once (a second job with the same key
    is refused); by default a random one."""
    settings = current_app.config["PORTAL_SETTINGS"]
    if not settings.smtp.host or not to:
        return False
    subject, body = render(template, locale, base_url=settings.base_url, **context)
    jobs.enqueue(KIND, key or f"mail:{uuid.uuid4().hex}", {"to": to, "subject": subject, "body": body})
    return True


def queue_nothing() -> None:
    """A job that sends nothing, for a request that must cost the same whether or not it mails (a reset
    link asked for an address with no account). Written only when mail is configured, like queue()."""
    if current_app.config["PORTAL_SETTINGS"].smtp.host:
        jobs.enqueue(KIND, f"mail:{uuid.uuid4().hex}", {})


def message_id(key: str) -> str:
    """The same Message-ID for every attempt of one job, so a receiving server can drop a repeat."""
    host = urlsplit(current_app.config["PORTAL_SETTINGS"].base_url).hostname or "portal"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{host}>"


def deliver(payload: dict[str, Any], key: str) -> None:
    """The worker's handler: send one rendered message; raise when the server cannot take it."""
    smtp = current_app.config["PORTAL_SETTINGS"].smtp
    if not payload.get("to"):
        return  # queue_nothing()
    if not smtp.host:
        raise jobs.PermanentFailure("SMTP_HOST is not set")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = smtp.sender, payload["to"], payload["subject"]
    message["Date"], message["Message-ID"] = formatdate(localtime=False), message_id(key)
    message.set_content(payload["body"])
    client_class = smtplib.SMTP_SSL if smtp.ssl else smtplib.SMTP
    try:
        with client_class(smtp.host, smtp.port, timeout=TIMEOUT) as client:
            if smtp.starttls:
                client.starttls(context=ssl.create_default_context())
            if smtp.username:
                client.login(smtp.username, smtp.password)
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        raise jobs.PermanentFailure("recipient refused") from error
    except smtplib.SMTPResponseException as error:
        # 5xx is permanent, except the credentials ones (530, 535): those wait for the operator's fix.
        if 500 <= error.smtp_code < 600 and error.smtp_code not in (530, 535):
            raise jobs.PermanentFailure(f"refused with {error.smtp_code}") from error
        raise
