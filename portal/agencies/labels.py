"""Translatable labels of agencies: their name as a subject of the audit log."""

from flask_babel import lazy_gettext as _l

from portal.events.registry import Registry, Subject

from .models import Agency


def register_events(events: Registry) -> None:
    """Agencies as subjects of the audit log: found by code (stored in capitals), each its own owner."""
    events.subject(Subject("agency", _l("Agency"), Agency, Agency.code, Agency.id, stored=str.upper))
