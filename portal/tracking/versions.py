"""Page versions: a value on each tracked item (feedback item, dossier) that changes in the same transaction as
anything its citizen's status page shows, so a rendered page can be kept under (item, version).

The features register, from their wiring (create_app), which model is the item and which rows hang off it
(photos, files, pauses, apology letters, payments, public timeline events). A `before_flush` listener then
gives the item a new version whenever the item's row or one of those rows is inserted, changed or deleted
through the ORM: on the item object when the session holds it, else with one UPDATE in the same
transaction. Nothing is bumped by hand in the operations, and a new kind of change through the ORM cannot
forget to. A version is random (62 bits), never a counter: a rolled-back change, a restored backup or a
reused id cannot bring back a version that some process has a page kept under.

An UPDATE of an item's table run through the session outside the flush (`session.execute(update(Item)
...)`, as the staff claim does) gets `page_version=<new>` added to it (`do_orm_execute`). One on a child
row's table is not seen: it must set the items' versions itself (there is none today).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from typing import Any

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import ORMExecuteState, Session

VERSION = "page_version"


def new_version() -> int:
    return secrets.randbits(62)


@dataclass(frozen=True)
class Child:
    item: type  # the tracked item's model
    find: Callable[[Any], Any]  # the child row -> its item (an instance, an id) or None when not shown


_ITEMS: set[type] = set()
_CHILDREN: dict[type, dict[type, Child]] = defaultdict(dict)


def parent(relationship: str, foreign_key: str) -> Callable[[Any], Any]:
    """A finder for a child row: its item through the relationship when it is loaded (a row appended to
    a new item has no foreign key yet), else the foreign key's value; never a database read."""

    def find(row: Any) -> Any:
        loaded = inspect(row).attrs[relationship].loaded_value
        return loaded if _is_instance(loaded) else getattr(row, foreign_key)

    return find


def _is_instance(value: Any) -> bool:
    return value is not None and hasattr(value, "_sa_instance_state")


def track_item(model: type) -> None:
    """`model` has a `page_version` column: any change of its own row gives it a new version."""
    _ITEMS.add(model)


def track_child(model: type, item: type, find: Callable[[Any], Any]) -> None:
    """A row of `model` is shown on the page of the `item` that `find` names (None: not shown)."""
    _CHILDREN[model][item] = Child(item, find)


def _changed(session: Session, row: Any) -> bool:
    return row in session.new or row in session.deleted or session.is_modified(row)


def _bump(session: Session, _context, _instances) -> None:
    objects: dict[int, Any] = {}  # id(instance) -> instance
    by_id: dict[type, set[int]] = defaultdict(set)
    for row in chain(session.new, session.dirty, session.deleted):
        kind = type(row)
        if kind not in _ITEMS and kind not in _CHILDREN:
            continue
        if not _changed(session, row):
            continue
        if kind in _ITEMS and row in session.new:
            setattr(row, VERSION, new_version())  # never 0 (the rows from before the column) nor reused
        elif kind in _ITEMS and row not in session.deleted:
            objects[id(row)] = row
        for child in _CHILDREN.get(kind, {}).values():
            found = child.find(row)
            if _is_instance(found):
                state = inspect(found)
                if state.session is session:
                    objects[id(found)] = found
                    continue
                found = state.identity[0] if state.identity else None  # detached: by its id
            if found is not None:
                held = session.identity_map.get(inspect(child.item).identity_key_from_primary_key((found,)))
                if held is not None:
                    objects[id(held)] = held
                else:
                    by_id[child.item].add(found)
    for item in objects.values():
        state = inspect(item)
        if state.persistent and item not in session.deleted:  # a new one has its version already
            setattr(item, VERSION, new_version())
    for model, ids in by_id.items():
        table = model.__table__  # type: ignore[attr-defined]
        session.connection().execute(
            update(table).where(table.c.id.in_(sorted(ids))).values({VERSION: new_version()})
        )


def _bulk_update(state: ORMExecuteState) -> None:
    """An update(Item) run through the session: the rows it changes get a new version in the statement."""
    if state.is_update and any(mapper.class_ in _ITEMS for mapper in state.all_mappers):
        state.statement = state.statement.values({VERSION: new_version()})  # type: ignore[attr-defined]


def install() -> None:
    """Once per process (the listeners are on the Session class; several apps in one process share them)."""
    for name, listener in (("before_flush", _bump), ("do_orm_execute", _bulk_update)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
