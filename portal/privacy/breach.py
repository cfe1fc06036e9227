"""Who a personal-data breach affected: `flask --app portal affected --from … --to …`.

Law 91/2025 (and Decree 356/2025) give the controller 72 hours to notify the authority of a breach, and the
people affected. This lists the data subjects whose records were touched in a time window, from the Event
log: every event in the window names its subject (a dossier, a feedback item, an account …); each subject
with personal data is traced to the person behind it (the applicant, the reporter, the account holder), and
one person's records are put together by what identifies them (account, phone, e-mail, CCCD). Subjects with
no personal data (procedures, agencies, the calendar) are counted apart.

Speed: one grouped scan of the events in the window, then, per kind of subject, its rows joined to the ids
touched in the window (one query each; no id lists travel). Measured in bench/breach_query.py on a million
events (bench/README.md).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TextIO

import click
from flask import Flask, current_app
from sqlalchemy import bindparam, column, func, select, text
from sqlalchemy.dialects import sqlite

from portal.accounts.models import Account
from portal.db_types import UTCDateTime
from portal.domain.spreadsheet import csv_row
from portal.domain.working_days import LOCAL_TZ
from portal.dossiers.models import Dossier
from portal.events.models import Event
from portal.extensions import db
from portal.feedback.models import Feedback


@dataclass
class Record:
    """One touched subject with personal data, and who it is about."""

    kind: str
    id: int
    label: str  # its code, or an account's e-mail
    events: int
    first: datetime
    last: datetime
    name: str = ""
    phone: str = ""
    email: str = ""
    id_number: str = ""  # CCCD
    account_id: int | None = None

    def identifiers(self) -> list[tuple[str, Any]]:
        """What identifies the person behind it: account, phone, e-mail, CCCD (the ones it has)."""
        found: list[tuple[str, Any]] = [] if self.account_id is None else [("account", self.account_id)]
        if self.phone:
            found.append(("phone", self.phone))
        if self.email:
            found.append(("email", self.email.lower()))
        if self.id_number:
            found.append(("cccd", self.id_number))
        return found


@dataclass
class Person:
    records: list[Record] = field(default_factory=list)

    def values(self, attribute: str) -> list[str]:
        return sorted({getattr(record, attribute) for record in self.records if getattr(record, attribute)})

    @property
    def events(self) -> int:
        return sum(record.events for record in self.records)

    def row(self) -> dict[str, Any]:
        return {
            "names": self.values("name"),
            "phones": self.values("phone"),
            "emails": self.values("email"),
            "id_numbers": self.values("id_number"),
            "records": [f"{record.kind}:{record.label}" for record in self.records],
            "events": self.events,
            "first": min(record.first for record in self.records).isoformat(),
            "last": max(record.last for record in self.records).isoformat(),
        }


@dataclass
class Affected:
    start: datetime
    end: datetime
    people: list[Person]
    events: int  # every event in the window
    other_subjects: dict[str, int]  # kind -> subjects touched that carry no personal data


Resolver = Callable[[Any], Iterable[tuple[int, dict[str, Any]]]]
RESOLVERS = "portal.privacy.breach.resolvers"


def register_subject(app: Flask, kind: str, resolve: Resolver) -> None:
    """Events about `kind` touch personal data: `resolve(ids)`, given a SELECT of the touched ids (use it as
    `Model.id.in_(ids)`), yields (id, fields of Record: label, name, phone, email, id_number, account_id)
    for the rows that still exist. For features added later."""
    app.extensions.setdefault(RESOLVERS, {})[kind] = resolve


def _dossiers(ids):
    columns = (Dossier.id, Dossier.code, Dossier.applicant_name, Dossier.phone, Dossier.email)
    query = select(*columns, Dossier.id_number, Dossier.account_id).where(Dossier.id.in_(ids))
    for id_, code, name, phone, email, id_number, account_id in db.session.execute(query):
        yield (
            id_,
            {
                "label": code,
                "name": name,
                "phone": phone,
                "email": email,
                "id_number": id_number,
                "account_id": account_id,
            },
        )


def _feedback(ids):
    columns = (Feedback.id, Feedback.code, Feedback.contact_name, Feedback.phone, Feedback.email)
    query = select(*columns, Feedback.account_id).where(Feedback.id.in_(ids))
    for id_, code, name, phone, email, account_id in db.session.execute(query):
        yield id_, {"label": code, "name": name, "phone": phone, "email": email, "account_id": account_id}


def _accounts(ids):
    query = select(Account.id, Account.email, Account.full_name, Account.phone).where(Account.id.in_(ids))
    for id_, email, name, phone in db.session.execute(query):
        yield id_, {"label": email, "name": name, "phone": phone or "", "email": email, "account_id": id_}


BUILT_IN: dict[str, Resolver] = {"dossier": _dossiers, "feedback": _feedback, "account": _accounts}


def resolvers() -> dict[str, Resolver]:
    return {**BUILT_IN, **current_app.extensions.get(RESOLVERS, {})}


def _window(start: datetime, end: datetime):
    return (Event.occurred_at >= start, Event.occurred_at < end)


def _touched_ids(kind: str, start: datetime, end: datetime, wide: bool):
    """The ids of `kind` touched in the window, as a subquery (the database joins; no id lists travel).

    For a narrow window the kind is compared as `subject_type || ''` on purpose: an expression no index
    serves, so the planner reads the window from ix_events_occurred_at. Given the bare column, SQLite chose
    ix_events_subject (subject_type = ?) and read every event of that kind: 1.4 s instead of 0.3 ms for an
    hour's window on a million events. For a `wide` window that is the other way round: the time index
    fetches every event's row from the table (once per kind), while ix_events_subject (subject_type,
    subject_id, occurred_at) covers the subquery and yields the kind's ids in order, without the table
    (bench/README.md)."""
    kind_of = Event.subject_type if wide else Event.subject_type.concat("")
    return select(Event.subject_id).where(kind_of == kind, *_window(start, end)).distinct()


WIDE = 100_000  # events in a window from which SQLite is better off reading ix_events_subject whole


def touched(start: datetime, end: datetime) -> list[tuple[str, int, int, datetime, datetime]]:
    """(kind, id, events, first, last) of every subject with an event in [start, end)."""
    columns = (
        Event.subject_type,
        Event.subject_id,
        func.count(),
        func.min(Event.occurred_at),
        func.max(Event.occurred_at),
    )
    query = select(*columns).where(*_window(start, end)).group_by(Event.subject_type, Event.subject_id)
    if db.engine.dialect.name == "sqlite":
        wide = db.session.scalar(select(func.count()).where(*_window(start, end))) or 0
        if wide > WIDE:
            # SQLite reads a range of ix_events_occurred_at, fetches every row and sorts them for the GROUP
            # BY; for a wide window, reading the covering ix_events_subject whole in its own order is about
            # 2.5 times faster (bench/README.md). SQLAlchemy does not render SQLite's INDEXED BY: the same
            # statement as text.
            named = str(query.compile(dialect=sqlite.dialect(paramstyle="named")))
            forced = text(named.replace("FROM events", "FROM events INDEXED BY ix_events_subject", 1))
            statement = forced.bindparams(
                bindparam("occurred_at_1", start, type_=UTCDateTime()),
                bindparam("occurred_at_2", end, type_=UTCDateTime()),
            ).columns(
                column("subject_type"),
                column("subject_id"),
                column("events"),
                column("first", UTCDateTime()),
                column("last", UTCDateTime()),
            )
            return [tuple(row) for row in db.session.execute(statement)]
    return [tuple(row) for row in db.session.execute(query)]  # type: ignore[misc]


def affected(start: datetime, end: datetime) -> Affected:
    known = resolvers()
    subjects: dict[str, dict[int, tuple[int, datetime, datetime]]] = {}
    total = 0
    for kind, id_, count, first, last in touched(start, end):
        subjects.setdefault(kind, {})[id_] = (count, first, last)
        total += count
    records: list[Record] = []
    wide = total > WIDE
    for kind, touched_ids in subjects.items():
        if kind not in known:
            continue
        found: dict[int, dict[str, Any]] = {}
        for id_, fields in known[kind](_touched_ids(kind, start, end, wide)):
            found.setdefault(id_, {}).update(fields)
        for id_, fields in found.items():
            count, first, last = touched_ids[id_]
            records.append(Record(kind, id_, events=count, first=first, last=last, **fields))
    others = {kind: len(ids) for kind, ids in subjects.items() if kind not in known}
    return Affected(start, end, _people(records), total, others)


def _people(records: list[Record]) -> list[Person]:
    """Records put together when they share an identifier (union-find over the records, joined through the
    first record seen with each account, phone, e-mail or CCCD)."""
    parent = list(range(len(records)))
    first_with: dict[tuple[str, Any], int] = {}

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for index, record in enumerate(records):
        for key in record.identifiers():
            other = first_with.setdefault(key, index)
            if other != index:
                parent[root(index)] = root(other)
    groups: dict[int, Person] = {}
    for index, record in enumerate(records):
        groups.setdefault(root(index), Person()).records.append(record)
    people = list(groups.values())
    for person in people:
        person.records.sort(key=lambda record: (record.kind, record.label))
    return sorted(people, key=lambda person: min((r.name for r in person.records if r.name), default=""))


def moment(text: str, *, end: bool = False) -> datetime:
    """A --from/--to value as UTC: `2026-12-01` is that day in Vietnam time (for --to: the whole day);
    `2026-12-01T08:30` is Vietnam time; an explicit offset (`Z`, `+00:00`) is respected."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text) + timedelta(days=1 if end else 0)
            return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date (2026-12-01) or a time (2026-12-01T08:30)"
        ) from None
    return (value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)).astimezone(UTC)


def write(result: Affected, output: TextIO, form: str) -> None:
    rows = [person.row() for person in result.people]
    if form == "json":
        json.dump({"from": result.start.isoformat(), "to": result.end.isoformat(), "people": rows}, output)
        output.write("\n")
        return
    if form == "csv":
        writer = csv.writer(output)
        writer.writerow(["names", "phones", "emails", "id_numbers", "records", "events", "first", "last"])
        for row in rows:
            writer.writerow(csv_row("; ".join(v) if isinstance(v, list) else v for v in row.values()))
        return
    for row in rows:
        who = ", ".join(row["names"]) or "(no name)"
        contact = ", ".join(row["phones"] + row["emails"]) or "(no contact left)"
        output.write(f"{who} | {contact} | {', '.join(row['records'])} | {row['events']} events\n")


@click.command("affected")
@click.option("--from", "start", required=True, help="Start of the window: 2026-12-01 or 2026-12-01T08:30.")
@click.option("--to", "end", required=True, help="End of the window (a bare date counts as the whole day).")
@click.option("--format", "form", type=click.Choice(["text", "csv", "json"]), default="text")
@click.option(
    "--output", type=click.File("w", encoding="utf-8"), default="-", help="A file (default: stdout)."
)
def affected_command(start: str, end: str, form: str, output: TextIO) -> None:
    """List the people whose records were touched between --from and --to (Vietnam time unless an offset is
    given), from the event log, for a breach notification (README: "Personal-data breach")."""
    window = (moment(start), moment(end, end=True))
    if window[0] >= window[1]:
        raise click.BadParameter("--to must be after --from")
    result = affected(*window)
    write(result, output, form)
    records = sum(len(person.records) for person in result.people)
    others = ", ".join(f"{kind} {count}" for kind, count in sorted(result.other_subjects.items()))
    print(
        f"{len(result.people)} people, {records} records with personal data, {result.events} events "
        f"from {window[0]:%Y-%m-%d %H:%M} to {window[1]:%Y-%m-%d %H:%M} UTC"
        + (f"; subjects without personal data: {others}" if others else ""),
        file=sys.stderr,
    )
