"""refold search keys: Ð, full-width letters and the apostrophes of names such as H'Hen (issue 11 item 12)

Revision ID: e5a1c3b7d902
Revises: 3e8a6c1f5d92
Create Date: 2026-12-06 06:00:00

`portal.domain.text.fold` now also maps Ð (U+00D0) to d, folds compatibility forms (full-width letters,
NFKC) and turns the apostrophes of names (' ʼ ’ ‘ ʻ ` ´ ′) into a space. A key stored before this change
could hold "ð", "ｈ" or "h'hen" where a query folded by the new rule looks for "d", "h" or "h hen", so such
rows would no longer be found: this migration refolds them.

Refolding the stored key gives the key the new rule gives from the source text (the old fold only removed
marks and case, which the new one removes as well), so the source columns need not be read again. Only
keys holding a character outside printable ASCII, an apostrophe or a backtick can change; the others are
left alone (on a large feed the scan reads only those). The fold is copied here as it is on this date, so
that later changes to the portal's rule do not change what this migration did. The feed's SQLite search
table follows through its update trigger.

The downgrade leaves the keys as they are: the old code finds at least as much with the new keys (its
queries are folded by the old rule, which leaves ASCII text as it is) and the source text of a key is not
kept apart from it, so there is nothing to restore.
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e5a1c3b7d902"
down_revision = "3e8a6c1f5d92"
branch_labels = None
depends_on = None

KEYS = {
    "feedback_items": ("public_search_key", "search_key"),
    "dossiers": ("search_key",),
    "procedures": ("search_key",),
    "admin_units": ("search_key",),
}
BATCH = 2000
_INVISIBLE = frozenset({"Cc", "Cf", "Cs"})
_FOLD_MAP = str.maketrans(
    {"đ": "d", "ð": "d", "ɖ": "d"} | dict.fromkeys("'\u02bc\u2019\u2018\u02bb\u0060\u00b4\u2032", " ")
)


def fold(s: str) -> str:
    """portal.domain.text.fold as of this revision."""
    visible = "".join(ch for ch in s if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE)
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", visible).casefold())
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(bare.translate(_FOLD_MAP).split())


def _may_change(column, dialect: str):
    if dialect == "postgresql":
        return column.op("~")(sa.literal("[^ -~]|['`]"))
    # SQLite's GLOB compares whole characters (UTF-8 aware) in its [^...] classes.
    return sa.or_(column.op("GLOB")(sa.literal("*[^ -~]*")), column.contains("'"), column.contains("`"))


def upgrade():
    connection = op.get_bind()
    dialect = connection.dialect.name
    for name, columns in KEYS.items():
        key_type = sa.Text() if name != "admin_units" else sa.String()
        row_id = "code" if name == "admin_units" else "id"
        table = sa.table(name, sa.column(row_id), *(sa.column(column, key_type) for column in columns))
        identity = table.c[row_id]
        condition = sa.or_(*(_may_change(table.c[column], dialect) for column in columns))
        last = None
        while True:
            statement = sa.select(identity, *(table.c[c] for c in columns)).where(condition)
            if last is not None:
                statement = statement.where(identity > last)
            rows = connection.execute(statement.order_by(identity).limit(BATCH)).all()
            for row in rows:
                old = {column: row[index + 1] or "" for index, column in enumerate(columns)}
                new = {column: fold(value) for column, value in old.items()}
                if new != old:
                    connection.execute(sa.update(table).where(identity == row[0]).values(new))
            if len(rows) < BATCH:
                break
            last = rows[-1][0]


def downgrade():
    pass  # see the module's docstring: the refolded keys serve the old code as well
