"""Translatable labels of API keys: their name as a subject of the audit log, their actions."""

from flask_babel import lazy_gettext as _l

from portal.events.registry import Registry, Subject

from .models import ApiKey

ACTIONS = {
    "issued": _l("API key issued"),
    "revoked": _l("API key revoked"),
    "exported": _l("Dossiers exported with the key"),
}


def register_events(events: Registry) -> None:
    events.subject(Subject("api_key", _l("API key"), ApiKey, ApiKey.name, ApiKey.agency_id), ACTIONS)
    # An officer's export (portal/exports): recorded on their own account.
    events.action_labels("account", {"exported_dossiers": _l("Dossiers exported")})
