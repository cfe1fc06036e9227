"""Translatable labels of the working-day calendar: its days as subjects of the audit log."""

from flask_babel import lazy_gettext as _l

from portal.events.registry import Registry, Subject


def _day_id(text: str) -> int | None:
    """A calendar day's events are about the number YYYYMMDD: 2027-01-04 or 20270104."""
    digits = text.replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else None


def _day_names(ids: set[int]) -> dict[int, str]:
    names = {}
    for subject_id in ids:
        text = str(subject_id)
        names[subject_id] = f"{text[:4]}-{text[4:6]}-{text[6:]}" if len(text) == 8 else text
    return names


EVENT = {"calendar_day_added": _l("Day announced"), "calendar_day_removed": _l("Announced day removed")}
FIELDS = {
    "day": _l("Date"),
    "kind": _l("Kind"),
    "reason": _l("Reason"),
    "legal_reference": _l("Legal reference"),
}
KINDS = {"off": _l("Day off"), "workday": _l("Make-up working day")}


def register_events(events: Registry) -> None:
    events.subject(Subject("calendar_day", _l("Calendar day"), find=_day_id, names=_day_names), EVENT)
    events.field_labels(FIELDS, {"kind": KINDS})
