"""dossiers.receipt_appointment_on: the appointment form 01 printed when the desk received the dossier

Revision ID: b7e3d91c2a45
Revises: 8cb345dcae6b
Create Date: 2026-12-08 01:00:00

Form 01 (Circular 01/2018/TT-VPCP) is issued when the desk receives a dossier; a reprint must say what was
given then. The receipt used to print the current appointment, which is empty while the dossier waits for
documents or a fee ("to be announced") and moves when the clock runs again. Dossiers received before this
column keep NULL: their receipt prints the legal due date (original_appointment_on), which pauses do not
empty, as the best record of what was given.
"""

import sqlalchemy as sa
from alembic import op

revision = "b7e3d91c2a45"
down_revision = "8cb345dcae6b"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("dossiers", sa.Column("receipt_appointment_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("receipt_appointment_on")
