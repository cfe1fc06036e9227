"""Translatable names of the disaster clock: kinds, the events' actions, the items' timeline lines."""

from flask_babel import lazy_gettext as _l

from portal.calendar.disasters import DisasterEvent
from portal.events.registry import Registry, Subject

KINDS = {
    "landslide": _l("Landslide"),
    "flash_flood": _l("Flash flood"),
    "road_cut": _l("Road cut"),
    "epidemic": _l("Epidemic"),
}
# The stored reason is Vietnamese whatever the officer's language (the record's language, like form 04).
KIND_VI = {
    "landslide": "Sạt lở đất",
    "flash_flood": "Lũ quét",
    "road_cut": "Chia cắt giao thông",
    "epidemic": "Dịch bệnh",
}
LOCATE_BY = {
    "applicant": _l("The applicant's commune"),
    "place": _l("The item's place (the receiving office)"),
}
EVENT = {
    "disaster_declared": _l("Disaster declared"),
    "disaster_changed": _l("Disaster changed"),
    "disaster_ended": _l("Disaster ended early or shortened"),
}
ITEM_EVENT = {
    "disaster_pause": _l("Clock paused by a declared disaster"),
    "disaster_pause_lifted": _l("Disaster pause lifted"),
}
CHANNELS = {"email": _l("E-mail"), "sms": _l("SMS"), "email+sms": _l("E-mail and SMS"), "print": _l("Print")}
ERRORS = {
    "communes": _l("Choose the communes, within your agency's area."),
    "dates": _l("The last day cannot be before the first day."),
    "legal_basis": _l("Give the legal basis."),
}


# The reminders' escalations (portal/reminders) on a feedback item's timeline.
ESCALATION_EVENT = {
    "escalated_to_leader": _l("Unanswered past its deadline: escalated to the agency's leader"),
    "escalated_to_province": _l("Unanswered past its deadline: escalated to the province"),
}


def register_events(events: Registry) -> None:
    events.subject(Subject("disaster", _l("Disaster"), DisasterEvent, owner=DisasterEvent.agency_id), EVENT)
    events.action_labels("dossier", ITEM_EVENT)
    events.action_labels("feedback", ITEM_EVENT | ESCALATION_EVENT)
