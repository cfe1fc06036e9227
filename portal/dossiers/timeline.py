"""Timelines of a dossier."""

from portal.events.timeline import Entry, entries

from .labels import EVENT


def public_timeline(dossier) -> list[Entry]:
    return entries("dossier", dossier.id, EVENT, public_only=True)


def staff_timeline(dossier) -> list[Entry]:
    return entries("dossier", dossier.id, EVENT, public_only=False)
