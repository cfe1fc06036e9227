"""Events as people read them: the translated name of an action and of a status, and a readable note.

The audit log, the account page and the timelines show these instead of the stored codes (`payment_received`,
`login`, `4 → 9`, `{"before": {"role": "processor"}}`), which stay in the database and in the audit log's
filter. What each code means comes from the features' declarations in `portal.events.registry`; a code no
feature named is shown as it is (tests/events/test_labels.py keeps that from happening).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask_babel import gettext as _

from portal.i18n import vnd

from .registry import registry

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def action_label(kind: str, action: str) -> str:
    label = registry().actions.get(kind, {}).get(action)
    return str(label) if label is not None else action


def status_label(kind: str, status: str | None) -> str:
    if not status:
        return ""
    subject = registry().subjects.get(kind)
    named = subject.statuses if subject is not None and subject.statuses else {}
    label = named.get(status)
    return str(label) if label is not None else status


def value_text(name: str, value: Any) -> str:
    """One value of a change note: a named value (a role), yes/no, an amount of dong, or the value."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    named = registry().values.get(name)
    if named is not None and str(value) in named:
        return str(named[str(value)])
    if name.endswith("_vnd") and isinstance(value, int):
        return vnd(value)
    if isinstance(value, str) and ISO_DATE.match(value):  # dates are kept as 2027-04-24 in the note
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    return str(value)


def _change(note: str) -> dict | None:
    if not note.startswith('{"after"') and not note.startswith('{"before"'):
        return None
    try:
        change = json.loads(note)
    except ValueError:
        return None
    if not isinstance(change, dict) or not isinstance(change.get("after"), dict):
        return None
    return change


def note_text(kind: str, action: str, note: str) -> str:
    """The note as people read it: a change note as "Field: before → after; …", a note the feature reads
    (a role) through its reader, any other note as it is."""
    if not note:
        return ""
    read = registry().notes.get((kind, action))
    if read is not None:
        return read(note)
    change = _change(note)
    if change is None:
        return note
    before, after = change.get("before") or {}, change["after"]
    fields = registry().fields
    parts = []
    for name in [*after, *(name for name in before if name not in after)]:
        label = str(fields[name]) if name in fields else name
        new = value_text(name, after.get(name))
        parts.append(
            f"{label}: {value_text(name, before[name])} → {new}" if name in before else f"{label}: {new}"
        )
    return "; ".join(parts)


def init_app(app) -> None:
    app.jinja_env.globals.update(
        event_action_label=action_label, event_status_label=status_label, event_note_text=note_text
    )
