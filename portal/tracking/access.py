"""Which private items this browser may open: the ones it submitted, tracked or opened by secret link.

Kept in the signed session, at most 20 per kind; a signed-in citizen also sees their own items.
"""

from flask import session

from portal import visitor

LIMIT = 20


def grant(kind: str, item_id: int) -> None:
    key = f"{kind}_access"
    allowed = [i for i in session.get(key, []) if i != item_id][-(LIMIT - 1) :]
    session[key] = [*allowed, item_id]


def may_view(kind: str, item_id: int, owner_id: int | None) -> bool:
    if owner_id is not None:
        user = visitor.user()
        if user.is_authenticated and owner_id == user.id:
            return True
    return item_id in session.get(f"{kind}_access", [])
