"""Status look-up by text message: the citizen texts a code to the look-up number, the portal texts back
the status and its date. The answer carries no personal data (a code is printed on slips and may be read by
others): only the status and a date."""

from __future__ import annotations

import re
import uuid

from flask_babel import force_locale
from flask_babel import gettext as _

from portal import throttle
from portal.domain.dossier_status import DossierStatus
from portal.domain.feedback_status import FeedbackStatus
from portal.dossiers import labels as dossier_labels
from portal.dossiers.models import Dossier
from portal.feedback import labels as feedback_labels
from portal.feedback.models import Feedback
from portal.tracking import lookup

from . import sending
from .notices import day

PER_SENDER, WINDOW = 5, 3600  # answers a sender gets an hour: each costs a text
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]*[A-Za-z0-9]")


def find(text: str) -> Feedback | Dossier | None:
    """The case whose code is one of the words of the text ("PA-261206-0001", "TC PA-261206-0001")."""
    for word in _WORD.findall(text.upper())[:5]:
        kind = lookup.kind_of(word)
        item = kind.find(word) if kind is not None else None
        if item is not None:
            return item
    return None


def answer(item: Feedback | Dossier | None, text: str) -> str:
    """The reply, in Vietnamese (the look-up number's language)."""
    with force_locale("vi"):
        if isinstance(item, Feedback):
            status = FeedbackStatus(item.status)
            when = item.answered_at.date() if item.answered_at else item.due_on
            label = feedback_labels.STATUS[status]
            if when is None:
                return _("%(code)s: %(status)s.", code=item.code, status=label)
            return _("%(code)s: %(status)s. Date: %(date)s.", code=item.code, status=label, date=day(when))
        if isinstance(item, Dossier):
            stage = DossierStatus(item.status)
            label = dossier_labels.STATUS[stage]
            done = item.finished_at.date() if item.finished_at else None
            when = done if stage in (DossierStatus.DONE, DossierStatus.RETURNED) else item.appointment_on
            if when is None:
                return _("%(code)s: %(status)s.", code=item.code, status=label)
            return _("%(code)s: %(status)s. Date: %(date)s.", code=item.code, status=label, date=day(when))
        return _("No case found with this code. Please check the code on your slip.")


def reply(sender: str, text: str, key: str = "") -> bool:
    """Queue the answer to one incoming text; False when the sender is over their limit (no answer: an
    answer costs money, and a flood of look-ups must not become a flood of paid texts). `key`, the outbox
    key, may name the provider's message (one answer per incoming text); a fresh one otherwise."""
    if throttle.over_limit(f"sms-lookup:{sender}", PER_SENDER, WINDOW):
        return False
    item = find(text)
    return sending.queue(sender, answer(item, text), "lookup", key or f"sms:lookup:{uuid.uuid4().hex}")
