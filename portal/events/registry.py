"""What the audit log and the timelines know of the things events are about, declared by their features.

`portal.events` imports no feature. Each feature describes its subject types (`Subject`: what the subject
is called, how a typed name finds it, which agency it belongs to, the translated names of its actions, the
page that shows it) and who the actors are (`Actors`: the accounts feature's e-mail and name columns); the
application factory registers those descriptions at start-up (`portal.register_event_sources`, which
calls each feature's `register_events`). Nothing registers itself on import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

EXTENSION = "portal_events"


@dataclass(frozen=True)
class Subject:
    """One kind of thing events are about: Event.subject_type == kind, Event.subject_id its id."""

    kind: str
    label: Any  # translated name of the subject type
    model: Any = None  # the mapped class whose `id` is the subject id (None: no table of its own)
    name: Any = None  # its column naming it for people: a code, an e-mail, a title
    owner: Any = None  # its column holding the agency it belongs to (the model's own id for an agency)
    stored: Callable[[str], str] = str  # a typed name as stored: codes in capitals, e-mails in lower case
    link: Callable[[str], str] | None = None  # the staff page of the subject, from its name
    names: Callable[[set[int]], dict[int, str]] | None = None  # names when there is no `name` column
    find: Callable[[str], int | None] | None = None  # the id for a typed text, when not by `name`
    statuses: Mapping[str, Any] | None = None  # translated names of its statuses, as stored in the events


@dataclass(frozen=True)
class Actors:
    """Who acts (Event.actor_id): the accounts table, its e-mail and display-name columns."""

    model: Any
    id: Any
    email: Any
    name: Any


@dataclass
class Registry:
    subjects: dict[str, Subject] = field(default_factory=dict)
    actions: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind -> action -> translated name
    actors: Actors | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # a changed field's name -> its translated name
    values: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # field -> stored value -> its name
    notes: dict[tuple[str, str], Callable[[str], str]] = field(
        default_factory=dict
    )  # (kind, action) -> reader

    def subject(self, subject: Subject, actions: Mapping[str, Any] | None = None) -> None:
        if subject.kind in self.subjects:
            raise ValueError(f"event subject {subject.kind!r} registered twice")
        self.subjects[subject.kind] = subject
        if actions:
            self.action_labels(subject.kind, actions)

    def action_labels(self, kind: str, labels: Mapping[str, Any]) -> None:
        """Translated names of actions about `kind`; several features may name actions of one kind."""
        known = self.actions.setdefault(kind, {})
        clash = set(known) & set(labels)
        if clash:
            raise ValueError(f"actions {sorted(clash)} of {kind!r} named twice")
        known.update(labels)

    def field_labels(
        self, labels: Mapping[str, Any], values: Mapping[str, Mapping[str, Any]] | None = None
    ) -> None:
        """Translated names of the fields an audited change names in its note (portal.admin.changes), and
        of the values some of them hold (a role, an online level); the first feature to name one wins."""
        for name, label in labels.items():
            self.fields.setdefault(name, label)
        for name, named in (values or {}).items():
            self.values.setdefault(name, named)

    def note_reader(self, kind: str, action: str, read: Callable[[str], str]) -> None:
        """How to show the note of `action` about `kind` when it is not a change note (e.g. a bare role)."""
        self.notes[(kind, action)] = read

    def acted_by(self, actors: Actors) -> None:
        self.actors = actors

    def order(self, kinds: Iterable[str]) -> None:
        """List the subject types in this reading order (the audit filter's); others follow as registered."""
        first = [kind for kind in kinds if kind in self.subjects]
        rest = [kind for kind in self.subjects if kind not in first]
        self.subjects = {kind: self.subjects[kind] for kind in first + rest}


def init_app(app: Flask) -> Registry:
    registry = Registry()
    app.extensions[EXTENSION] = registry
    return registry


def registry() -> Registry:
    return current_app.extensions[EXTENSION]


def actors() -> Actors:
    found = registry().actors
    if found is None:
        raise RuntimeError("no actor source registered (portal.register_event_sources)")
    return found
