"""The receipt e-mail of a new report, the same for every way in (the web form, the Open311 API)."""

from __future__ import annotations

from flask import current_app, url_for

from portal import mail

from .models import Feedback


def queue_receipt(item: Feedback, token: str) -> bool:
    """Queue the receipt (code, answer date, private link) to send after the commit; False when not mailed."""
    return mail.queue(
        item.email,
        "feedback/email/submitted.txt",
        item.locale,
        key=f"mail:feedback:{item.code}:submitted",
        item=item,
        link=current_app.config["PORTAL_SETTINGS"].base_url + url_for("feedback.secret_link", token=token),
    )
