"""A report's public search key (the feed's search: portal/search.py), built one way for a new or edited
report (`search_keys`, with the staff search's key) and for the rows saved before personal details were
masked (issue 18 item 3), which still hold a phone number, an e-mail address, a CCCD number or a plate in
their key.

`rebuild` rewrites those old keys in batches of ids (a keyset walk: never all rows in memory, and on a
million rows only the ones whose text holds a digit or an "@" are read), with plain SQL on the table, so a
migration runs it (migration 922c5f742cbb) on SQLite and PostgreSQL alike. The feed's search index follows
by itself: SQLite's FTS5 table through its update trigger, PostgreSQL's trigram index as any index does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal.domain import pii
from portal.domain.text import fold

if TYPE_CHECKING:  # the migration that runs `rebuild` imports this module: no ORM models at run time
    from .models import Feedback

BATCH = 2000

_items = sa.table(
    "feedback_items",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("title", sa.String),
    sa.column("description", sa.Text),
    sa.column("public_title", sa.String),
    sa.column("public_description", sa.Text),
    sa.column("category_id", sa.Integer),
    sa.column("admin_unit_code", sa.String),
    sa.column("public_search_key", sa.Text),
)
_categories = sa.table(
    "feedback_categories", sa.column("id", sa.Integer), sa.column("name"), sa.column("name_en")
)
_units = sa.table("admin_units", sa.column("code", sa.String), sa.column("name", sa.String))


def build(
    code: str,
    title: str,
    description: str,
    public_title: str | None,
    public_description: str | None,
    category_names: tuple[str, str],
    unit_name: str,
) -> str:
    """The key: the text as the public sees it (staff's redacted text, or the citizen's with personal
    details masked), the code, the category's names and the commune's, folded."""
    shown_title = pii.as_published(title, public_title)
    shown_description = pii.as_published(description, public_description)
    return fold(" ".join([code, shown_title, shown_description, *category_names, unit_name]))


def search_keys(item: Feedback) -> tuple[str, str]:
    """Staff search also finds name and phone; the public key never contains personal data (the text as
    the public sees it: redacted by staff, or with personal details masked)."""
    public = build(
        item.code,
        item.title,
        item.description,
        item.public_title,
        item.public_description,
        (item.category.name, item.category.name_en),
        item.admin_unit.name if item.admin_unit else "",
    )
    # `public` is folded already: only the rest is folded (as one text, then put after it), which gives
    # the key that folding all of it would (tests/feedback/test_submission_cost.py), at half the cost.
    if item.reporter_hidden:  # a conduct complaint: no search by the reporter's name or phone (steering)
        return public, _after(public, fold(item.address))
    personal = (item.title, item.description, item.address, item.contact_name, item.phone)
    return public, _after(public, fold(" ".join([*personal, item.phone.replace("+84", "0")])))


def _after(folded: str, more: str) -> str:
    return f"{folded} {more}" if folded and more else folded or more


def _may_hold_details(column, dialect: str):
    """A digit or an "@": every personal detail pii.find looks for has one."""
    if dialect == "postgresql":
        return column.op("~")(sa.literal("[0-9@]"))
    return column.op("GLOB")(sa.literal("*[0-9@]*"))


def rebuild(connection: Connection, batch: int = BATCH) -> int:
    """Rebuild the public key of every report whose text holds a personal detail and whose key is not the
    one `build` gives now; returns how many rows changed."""
    dialect = connection.dialect.name
    texts = (_items.c.title, _items.c.description, _items.c.public_title, _items.c.public_description)
    statement = (
        sa.select(*_items.c, _categories.c.name, _categories.c.name_en, _units.c.name.label("unit_name"))
        .join(_categories, _categories.c.id == _items.c.category_id)
        .outerjoin(_units, _units.c.code == _items.c.admin_unit_code)
        .where(sa.or_(*(_may_hold_details(column, dialect) for column in texts)))
        .order_by(_items.c.id)
        .limit(batch)
    )
    update = (
        sa.update(_items)
        .where(_items.c.id == sa.bindparam("row_id"))
        .values(public_search_key=sa.bindparam("key"))
    )
    changed, last = 0, None
    while True:
        page = statement if last is None else statement.where(_items.c.id > last)
        rows = connection.execute(page).all()
        new_keys = []
        for row in rows:
            if not any(
                pii.find(text or "")
                for text in (row.title, row.description, row.public_title, row.public_description)
            ):
                continue  # digits, but no personal detail: the key is left as it is
            key = build(
                row.code,
                row.title,
                row.description,
                row.public_title,
                row.public_description,
                (row.name, row.name_en),
                row.unit_name or "",
            )
            if key != row.public_search_key:
                new_keys.append({"row_id": row.id, "key": key})
        if new_keys:
            connection.execute(update, new_keys)
            changed += len(new_keys)
        if len(rows) < batch:
            return changed
        last = rows[-1].id
