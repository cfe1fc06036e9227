"""The intermediary events' names for the timelines and the audit log."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.events.registry import Registry

from .operations import FILED, GRANTED, REVOKED, filed_note


def _filed(note: str) -> str:
    by, villager = filed_note(note)
    return _("Filed by %(by)s on behalf of %(villager)s", by=by, villager=villager) if by else ""


def register_events(events: Registry) -> None:
    events.action_labels("feedback", {FILED: _l("Filed by an intermediary on behalf of a villager")})
    events.action_labels(
        "account",
        {GRANTED: _l("Named a village intermediary"), REVOKED: _l("Village intermediary role revoked")},
    )
    events.action_labels("dossier", {FILED: _l("Filed by an intermediary on behalf of a villager")})
    events.note_reader("feedback", FILED, _filed)
    events.note_reader("dossier", FILED, _filed)
