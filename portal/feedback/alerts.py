"""An urgent report (a category marked urgent: landslide, flash flood, forest fire) alerts the leaders of the
agency that must act, by e-mail through the jobs outbox: written in the request's transaction, sent by the
worker only after the commit (portal/mail.py). Called by the routes that put an urgent item in an agency's
queue: the citizen's submission and a forward to another agency."""

from __future__ import annotations

from flask import current_app, url_for

from portal import mail
from portal.accounts.queries import leaders_of

from .models import Feedback


def alert_leaders(item: Feedback) -> int:
    """Queue one alert per enabled leader of the item's agency if its category is urgent; the number queued.
    Each leader is alerted once per item and agency (the job key), however often the request is sent."""
    if not item.category.is_urgent:
        return 0
    link = current_app.config["PORTAL_SETTINGS"].base_url + url_for("feedback_staff.item", code=item.code)
    queued = 0
    for leader in leaders_of(item.agency_id):
        queued += mail.queue(
            leader.email,
            "feedback/email/urgent_alert.txt",
            leader.locale,
            key=f"mail:feedback:{item.code}:urgent:{item.agency_id}:{leader.id}",
            item=item,
            link=link,
        )
    return queued
