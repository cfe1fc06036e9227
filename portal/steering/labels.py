"""The names of portal.steering's events, for the timelines and the audit log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.events.registry import Registry
from portal.feedback.conduct import REVEAL_ACTION

FEEDBACK_EVENT = {REVEAL_ACTION: _l("Reporter's identity revealed")}
# Fields of the audited admin changes (portal.admin.changes) that steering added to categories and agencies.
FIELDS = {
    "protects_reporter": _l("Conduct complaint (reporter protected)"),
    "supervisor_id": _l("Supervising agency"),
}


def register_events(events: Registry) -> None:
    events.action_labels("feedback", FEEDBACK_EVENT)
    events.field_labels(FIELDS)
