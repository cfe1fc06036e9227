"""GET requests.json reads its window of published items in order from an index (bench/notes/feed.md): with no
index led by the submission time, PostgreSQL combined two bitmaps and sorted, 400 ms for a default call at
1M items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from portal.open311 import queries

END = datetime(2026, 12, 6, tzinfo=UTC)
WINDOWS = {
    "the default 90 days": queries.RequestFilter(start=END - timedelta(days=90), end=END),
    "a later page": queries.RequestFilter(start=END - timedelta(days=90), end=END, page=3, page_size=50),
    "with a status": queries.RequestFilter(
        start=END - timedelta(days=30), end=END, states=frozenset({"closed"})
    ),
}


def _plan(criteria) -> str:
    compiled = queries.requests_statement(criteria).compile(
        db.engine, compile_kwargs={"render_postcompile": True}
    )
    values = compiled.construct_params()
    arguments = tuple(values[name] for name in compiled.positiontup) if compiled.positional else values
    connection = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled.string, arguments)
        return " | ".join(str(row[-1]) for row in rows)
    # The suite's few rows are rightly read without an index: take the other ways away to see whether the
    # index answers the window in order.
    for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
        connection.exec_driver_sql(f"SET LOCAL {setting} = off")
    try:
        return " | ".join(
            str(row[0]) for row in connection.exec_driver_sql("EXPLAIN " + compiled.string, arguments)
        )
    finally:
        db.session.rollback()


@pytest.mark.parametrize("window", WINDOWS)
def test_a_window_is_read_in_order_from_the_published_items_index(app, window):
    with app.app_context():
        plan = _plan(WINDOWS[window])
        if db.engine.dialect.name == "sqlite":
            assert "USING INDEX ix_feedback_public_submitted (submitted_at>? AND submitted_at<?)" in plan, (
                plan
            )
            assert "TEMP B-TREE" not in plan, plan
        else:
            assert "Index Scan Backward using ix_feedback_public_submitted on feedback_items" in plan, plan
            assert "Sort" not in plan, plan
