"""Timelines of a feedback item."""

from portal.events.timeline import Entry, entries

from .labels import EVENT


def public_timeline(item) -> list[Entry]:
    return entries("feedback", item.id, EVENT, public_only=True)


def staff_timeline(item) -> list[Entry]:
    return entries("feedback", item.id, EVENT, public_only=False)
