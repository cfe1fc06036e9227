"""Translatable labels of agencies: their name as a subject of the audit log."""

from flask_babel import lazy_gettext as _l

from portal.events.registry import Registry, Subject

from .models import Agency

EVENT = {
    "agency_updated": _l("Agency changed"),
    "agency_activated": _l("Agency made active"),
    "agency_deactivated": _l("Agency made inactive"),
    "hotline_changed": _l("Commune hotline changed"),  # portal/feedback/routes_admin_hotlines.py
}
FIELDS = {
    "name": _l("Name"),
    "name_en": _l("Name in English"),
    "code": _l("Code"),
    "is_active": _l("Active"),
    "agency_id": _l("Agency"),
}


def register_events(events: Registry) -> None:
    """Agencies as subjects of the audit log: found by code (stored in capitals), each its own owner."""
    events.subject(Subject("agency", _l("Agency"), Agency, Agency.code, Agency.id, stored=str.upper), EVENT)
    events.field_labels(FIELDS)
