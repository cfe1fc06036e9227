"""Translated names of the queue's events (taking a case into one's hands and giving it back)."""

from flask_babel import lazy_gettext as _l

from portal.events.registry import Registry

EVENT = {"claim": _l("Taken by an officer"), "release": _l("Given back to the queue")}


def register_events(events: Registry) -> None:
    """The queue records these about dossiers and feedback items alike."""
    for kind in ("dossier", "feedback"):
        events.action_labels(kind, EVENT)
