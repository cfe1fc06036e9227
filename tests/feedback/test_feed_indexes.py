"""The public feed's pages and filters read a partial index over the published items (bench/notes/feed.md).

With only (is_published, id), SQLite could not use an index for a bare `WHERE is_published` (it scanned the
table backwards by id), and PostgreSQL's planner walked the primary key backwards, filtering: at 1M items a
status with no published item (`/feedback?status=accepted`) read the whole table (56 s). Each filter now has
its own partial index, so the page is a range scan however the published items are spread.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from portal.extensions import db
from portal.feedback import queries

# (category, commune, status, before) -> the index that must answer the page
CASES = {
    "page 1": ((False, False, False, False), "ix_feedback_public"),
    "a later page": ((False, False, False, True), "ix_feedback_public"),
    "by category": ((True, False, False, False), "ix_feedback_public_category"),
    "by commune": ((False, True, False, False), "ix_feedback_public_commune"),
    "by status": ((False, False, True, False), "ix_feedback_public_status"),
    "by status, a later page": ((False, False, True, True), "ix_feedback_public_status"),
}
VALUES = {"category": "giao-thong", "commune": "04045", "status": "accepted", "before": 10**9}


def _explain(prefix: str, flags) -> list:
    compiled = queries._feed_statement(*flags).compile(db.engine)
    values = compiled.construct_params(VALUES)
    arguments = tuple(values[name] for name in compiled.positiontup) if compiled.positional else values
    return list(db.session.connection().exec_driver_sql(prefix + compiled.string, arguments))


def _plan(flags) -> str:
    if db.engine.dialect.name == "sqlite":
        return " | ".join(str(row[-1]) for row in _explain("EXPLAIN QUERY PLAN ", flags))
    # PostgreSQL plans by its statistics, and on the test suite's small tables a sequential scan is cheapest;
    # with it, bitmap scans and the plain sort switched off, what is left shows whether an index answers the
    # page in its order.
    for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
        db.session.execute(text(f"SET LOCAL {setting} = off"))
    try:
        return " | ".join(str(row[0]) for row in _explain("EXPLAIN ", flags))
    finally:
        db.session.rollback()


@pytest.mark.parametrize("case", CASES)
def test_each_feed_filter_reads_its_partial_index_in_order(app, case):
    flags, index = CASES[case]
    with app.app_context():
        plan = _plan(flags)
    if db.engine.dialect.name == "sqlite":
        assert f"USING INDEX {index} " in plan + " ", plan
        assert "TEMP B-TREE" not in plan, plan  # no sort: the index gives the order
    else:
        assert f"Index Scan Backward using {index} on feedback_items" in plan, plan
        assert "Sort" not in plan, plan
