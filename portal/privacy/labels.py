"""Translated names: consent purposes and channels, request kinds and outcomes, and the events about accounts
this feature records (the feedback and dossier ones are in their features' EVENT tables)."""

from flask_babel import lazy_gettext as _l

from portal.events.registry import Registry

PURPOSE = {
    "notice": _l("Personal-data notice (required to send)"),
    "publish_name": _l("Show my name publicly"),
    "precise_pin": _l("Show the exact map point publicly"),
}
CHANNEL = {
    "web": _l("On the portal"),
    "counter": _l("On paper at the one-stop desk"),
    "intermediary": _l("Through an intermediary"),
}
REQUEST = {
    "export": _l("Export"),
    "correct": _l("Correction"),
    "erase": _l("Erasure"),
    "delete_account": _l("Account deletion"),
}
OUTCOME = {
    "done": _l("Done"),
    "anonymised": _l("Personal data erased"),
    "restricted": _l("Restricted (archive duty)"),
    "refused": _l("Not possible while the dossier is being handled"),
}
ACCOUNT_EVENT = {
    "contact_corrected": _l("Contact details corrected by the citizen"),
    "data_exported": _l("The citizen exported their data"),
    "consent_withdrawn": _l("The citizen withdrew a consent"),
    "deleted": _l("Account deleted at the citizen's request"),
}
ROLE = {
    "receptionist": _l("One-stop desk officer"),
    "processor": _l("Processing officer"),
    "leader": _l("Leader"),
    "agency_admin": _l("Agency administrator"),
    "admin": _l("Province administrator"),
    "finance": _l("Provincial finance officer"),
}
RULE = {
    "civil-status": _l("Civil-status records: kept permanently"),
    "land": _l("Land records: kept permanently"),
    "residence": _l("Residence and identity records: kept 20 years"),
    "tthc-default": _l("Administrative-procedure dossiers: kept 10 years"),
}


def register_events(events: Registry) -> None:
    events.action_labels("account", ACCOUNT_EVENT)
