"""A new feedback item's numbering, inside the daily counter's lock (portal/feedback/operations.py `submit`)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value

from portal.accounts.models import Account
from portal.events.operations import record_now
from portal.extensions import db

from .models import Feedback

_items = Feedback.__table__
# One statement object (its cache key computed once); the code and the keys go as parameters (SET code=?,
# search_key=?, public_search_key=? WHERE id=?).
_NUMBER = update(_items).where(_items.c.id == bindparam("item_id"))  # type: ignore[arg-type]


def number(
    item: Feedback, code: str, account: Account | None, search_keys: Callable[[Feedback], tuple[str, str]]
) -> None:
    """The new item's timeline line and its code (with the search keys, which contain it): an INSERT and an
    UPDATE written directly, not through a flush (the ORM's flush was the largest part of the write).

    What the flush's listeners did for them is done here: the line is texted (`record_now` tells
    portal/sms/notices.py).
    The rest had nothing to do: the item's page version is the one its INSERT wrote moments ago in this
    transaction (no page was kept under it); the item's INSERT already told the staff queue's caches and
    the fragments (same agency, same tables but `events`, which no kept list watches); neither the code
    nor the search keys are in the queue's keys. The loaded item is given the written values as its
    committed state, so no flush writes them again (tests/feedback/test_submission_writes.py).
    """
    session = db.session()
    set_committed_value(item, "code", code)
    public, private = search_keys(item)
    connection = session.connection()
    record_now(
        "feedback",
        item.id,
        "submitted",
        actor_id=account.id if account else None,
        to_status=item.status,
        public=True,
    )
    connection.execute(
        _NUMBER, {"item_id": item.id, "code": code, "search_key": private, "public_search_key": public}
    )
    set_committed_value(item, "search_key", private)
    set_committed_value(item, "public_search_key", public)
