"""mask personal details in old reports' public search keys (issue 18 item 3)

Revision ID: 922c5f742cbb
Revises: 0b8ac2e24a2a
Create Date: 2026-12-06 13:05:00

The public search key of a report saved before personal details were masked (portal/domain/pii.py) still
holds the phone number, e-mail address, CCCD number or plate typed into its text, so the feed's search finds
the report by them until it is next saved. This rebuilds those keys with the function the portal uses
(portal.feedback.public_key.rebuild: batches of ids, only the rows whose text holds a personal detail; see
there for the cost on a large table). The feed's search index follows: SQLite's FTS5 table through its
update trigger (7b3e5f9a1c24), PostgreSQL's trigram index as any index does.

Unlike a migration that folds a stored key by a rule copied here, this one must give exactly the key the
portal now gives a new report (masking included), so it calls the portal's function rather than a copy.

The downgrade leaves the keys masked: the unmasked ones were the leak being fixed, and the old code searches
the masked keys just as well.
"""

from alembic import op

from portal.feedback.public_key import rebuild

revision = "922c5f742cbb"
down_revision = "0b8ac2e24a2a"
branch_labels = None
depends_on = None


def upgrade():
    rebuild(op.get_bind())


def downgrade():
    pass  # see the module's docstring
