"""Outgoing e-mail through the SMTP server in the settings, rendered in the recipient's language.

Mail is sent after the database commit; a mail failure is logged and never undoes what the citizen
or officer did.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale

TIMEOUT = 10


def render(template: str, locale: str, **context) -> tuple[str, str]:
    """Render `template` (first line: subject, then a blank line, then the body) in `locale`."""
    with force_locale(locale if locale in ("vi", "en") else "vi"):
        text = render_template(template, **context)
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def send(to: str, template: str, locale: str, **context) -> bool:
    """Send one message; False (and a log line) when no server is configured or it fails."""
    settings = current_app.config["PORTAL_SETTINGS"]
    smtp = settings.smtp
    if not smtp.host or not to:
        return False
    subject, body = render(template, locale, base_url=settings.base_url, **context)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = smtp.sender, to, subject
    message["Date"], message["Message-ID"] = formatdate(localtime=False), make_msgid(domain="portal")
    message.set_content(body)
    try:
        client_class = smtplib.SMTP_SSL if smtp.ssl else smtplib.SMTP
        with client_class(smtp.host, smtp.port, timeout=TIMEOUT) as client:
            if smtp.starttls:
                client.starttls(context=ssl.create_default_context())
            if smtp.username:
                client.login(smtp.username, smtp.password)
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("mail to recipient failed: %s", type(error).__name__)
        return False
    return True
