"""Translatable labels of the procedure catalogue: procedures as subjects of the audit log."""

from flask_babel import lazy_gettext as _l

from portal.events.registry import Registry, Subject

from .models import Procedure


def register_events(events: Registry) -> None:
    """Procedures: found by code (stored in capitals), owned by their agency (none: province-wide)."""
    events.subject(
        Subject(
            "procedure", _l("Procedure"), Procedure, Procedure.code, Procedure.agency_id, stored=str.upper
        )
    )
