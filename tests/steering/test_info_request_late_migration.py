"""Migration 04167e531e1b fills feedback_items.info_request_late from the requests for information (SQLite, and
PostgreSQL with TEST_DATABASE_URL): true exactly where the dashboard's 5.2 counts an item late for its first
request, made (local day, Asia/Ho_Chi_Minh) after the 5th working day from day 0 (`received_on`), on the
portal's calendar (the holidays package and the calendar_days table); down and up again gives the same values.

Dates worked out by hand. March 2026 has no public holiday. Day 0 Mon 2 March: Tue 3 (1), Wed 4 (2), Thu 5 (3),
Fri 6 (4), Mon 9 (5). Day 0 Mon 16 March with Wed 18 declared off in calendar_days: Tue 17 (1), Thu 19 (2),
Fri 20 (3), Mon 23 (4), Tue 24 (5)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal.db_types import UTCDateTime
from portal.extensions import db
from tests.support.migrations import app_on_empty_database, feedback_flags
from tests.test_migrations_with_data import ROW_ID, representative_rows

BEFORE, THIS = "5d2a7c91e3b4", "04167e531e1b"
UTC = dt.UTC


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


# item id → (day 0, its requests' start instants in UTC; local time is UTC+7)
ITEMS = {
    1: (dt.date(2026, 3, 2), [utc(9, 3)]),  # Mon 9, 10:00 local: the 5th working day → on time
    2: (dt.date(2026, 3, 2), [utc(10, 3)]),  # Tue 10 → late
    3: (dt.date(2026, 3, 2), [utc(9, 17, 30)]),  # Mon 9 in UTC but 00:30 Tue 10 local → late
    4: (dt.date(2026, 3, 2), [utc(9, 16, 59)]),  # 23:59 Mon 9 local → on time
    5: (dt.date(2026, 3, 2), [utc(20, 3), utc(9, 3)]),  # the first (Mon 9) decides, not the later one
    6: (dt.date(2026, 3, 2), []),  # no request → not late
    7: (dt.date(2026, 3, 16), [utc(24, 3)]),  # Tue 24: the 5th working day with Wed 18 off → on time
    8: (dt.date(2026, 3, 16), [utc(25, 3)]),  # Wed 25 → late
}
EXPECTED = {ROW_ID: False, 1: False, 2: True, 3: True, 4: False, 5: False, 6: False, 7: False, 8: True}


def test_the_backfill_marks_the_late_first_requests(tmp_path):
    with app_on_empty_database(tmp_path, "info_request_late") as _application:
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            representative_rows(connection)  # its request is on its day 0: not late
            metadata = sa.MetaData()
            items = sa.Table("feedback_items", metadata, autoload_with=connection)
            pauses = sa.table(
                "feedback_pauses",
                sa.column("id", sa.Integer),
                sa.column("feedback_id", sa.Integer),
                sa.column("started_at", UTCDateTime),
                sa.column("resumed_at", UTCDateTime),
            )
            days = sa.Table("calendar_days", metadata, autoload_with=connection)
            connection.execute(
                days.insert().values(day=dt.date(2026, 3, 18), kind="off", reason="Nghỉ", legal_reference="")
            )
            item = dict(connection.execute(sa.select(items)).mappings().one())
            number = 0
            for item_id, (received_on, requests) in ITEMS.items():
                connection.execute(
                    items.insert().values(
                        item
                        | {"id": item_id, "code": f"PA-{item_id}", "token_hash": f"t{item_id}"}
                        | {"form_nonce": None, "received_on": received_on}
                    )
                )
                for started_at in requests:
                    number += 1
                    connection.execute(
                        pauses.insert().values(
                            id=number, feedback_id=item_id, started_at=started_at, resumed_at=None
                        )
                    )
        db.session.remove()
        upgrade(revision=THIS)
        assert feedback_flags("info_request_late") == EXPECTED
        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            columns = {column["name"] for column in inspect(connection).get_columns("feedback_items")}
        assert "info_request_late" not in columns
        upgrade(revision=THIS)
        assert feedback_flags("info_request_late") == EXPECTED
