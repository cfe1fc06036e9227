"""feedback_items.info_request_late: the first request for information came after its 5 working days (issue 14)

Revision ID: 04167e531e1b
Revises: 5d2a7c91e3b4
Create Date: 2026-12-06 19:30:00

- feedback_items.info_request_late: true once the item's first request for information was made after the
  5th working day from its day 0 (`received_on`): Decision 766's 5.2 counts the item late whatever happens
  next (VIETNAM.md §6.2). Kept on the item so the staff queue's 766 hint and its "costs points this week"
  filter read it from the row (portal/steering), as they read reopened_late. Constant default (no rows
  rewritten), then the backfill by the dashboard's own rule (portal/domain/feedback_steps.py
  `first_request_late`, as statistics/queries/feedback.py applies it): the local day of the item's earliest
  feedback_pauses row against the working-day calendar (the holidays package and calendar_days, as
  portal/calendar/queries.py builds it), in Python because the calendar is not in SQL. Only the items
  with a request are read; only the late ones are written.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

from portal.calendar.models import DAY_OFF, WORKDAY
from portal.calendar.queries import statutory_days_off
from portal.db_types import UTCDateTime
from portal.domain.feedback_steps import first_request_late
from portal.domain.working_days import LOCAL_TZ, Calendar

revision = "04167e531e1b"
down_revision = "5d2a7c91e3b4"
branch_labels = None
depends_on = None

BATCH = 500


def _calendar(connection, years: range) -> Calendar:
    """portal.calendar.queries.build_calendar over the migration's connection."""
    days = sa.table("calendar_days", sa.column("day", sa.Date), sa.column("kind", sa.String))
    rows = connection.execute(
        sa.select(days.c.day, days.c.kind).where(
            days.c.day >= dt.date(years.start, 1, 1), days.c.day < dt.date(years.stop, 1, 1)
        )
    ).all()
    off = set().union(*(statutory_days_off(year) for year in years))
    off |= {day for day, kind in rows if kind == DAY_OFF}
    workdays = frozenset(day for day, kind in rows if kind == WORKDAY)
    return Calendar(days_off=frozenset(off - workdays), makeup_workdays=workdays)


def upgrade():
    # Plain ADD COLUMN (no batch copy: on SQLite a copy of feedback_items would drop its search triggers).
    op.add_column(
        "feedback_items",
        sa.Column("info_request_late", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    connection = op.get_bind()
    items = sa.table(
        "feedback_items",
        sa.column("id", sa.Integer),
        sa.column("received_on", sa.Date),
        sa.column("info_request_late", sa.Boolean),
    )
    pauses = sa.table(
        "feedback_pauses", sa.column("feedback_id", sa.Integer), sa.column("started_at", UTCDateTime)
    )
    first = (
        sa.select(pauses.c.feedback_id, sa.func.min(pauses.c.started_at).label("started_at"))
        .group_by(pauses.c.feedback_id)
        .subquery()
    )
    rows = connection.execute(
        sa.select(items.c.id, items.c.received_on, sa.type_coerce(first.c.started_at, UTCDateTime)).join(
            first, first.c.feedback_id == items.c.id
        )
    ).all()
    if not rows:
        return
    years = [received_on.year for _id, received_on, _started in rows]
    cal = _calendar(connection, range(min(years) - 1, max(years) + 3))
    late = sorted(
        item_id
        for item_id, received_on, started_at in rows
        if first_request_late(cal, received_on, started_at.astimezone(LOCAL_TZ).date())
    )
    for start in range(0, len(late), BATCH):
        connection.execute(
            items.update().where(items.c.id.in_(late[start : start + BATCH])).values(info_request_late=True)
        )


def downgrade():
    # The fact stays in feedback_pauses (the upgrade derives it again). SQLite (3.35+) drops the column in
    # place, keeping the table's triggers.
    op.execute("ALTER TABLE feedback_items DROP COLUMN info_request_late")
