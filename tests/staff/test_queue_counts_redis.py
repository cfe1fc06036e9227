"""The queue's counts shared through Redis by two app instances (two workers or nodes): a change made on one
voids a count the other began before it, even when that count is stored after the change dropped the entry
(before, it stayed up to a minute). The agency's change number is a Redis INCR (portal/staff/queue_cache.py)."""

from __future__ import annotations

import os
import uuid
from datetime import date
from typing import Any

import pytest

from portal.extensions import cache
from portal.staff import queue_cache
from tests.conftest import build_app
from tests.support.flights import counts_entry
from tests.support.services import REDIS_URL, redis_answers

needs_redis = pytest.mark.skipif(
    not redis_answers() and os.environ.get("PORTAL_REQUIRE_REDIS") != "1", reason="no Redis on 127.0.0.1:6379"
)
DAY = date(2026, 12, 7)


@needs_redis
def test_a_change_on_another_node_voids_a_count_begun_before_it(tmp_path, monkeypatch):
    apps = [
        build_app(tmp_path / f"node{n}", f"sqlite:///{tmp_path / 'shared.sqlite3'}", redis_url=REDIS_URL)
        for n in range(2)
    ]
    agency = uuid.uuid4().int % 10**9  # an agency no other test's keys use
    runs: list[int] = []

    def count(agency_id: int | None, today: date, connection: Any = None) -> dict[str, Any]:
        runs.append(agency_id or 0)
        if len(runs) == 1:  # while the first count reads, node 1 commits a change of the agency
            with apps[1].app_context():
                queue_cache._forget({agency})
        return counts_entry(today, queue_cache._now(), len(runs))

    monkeypatch.setattr(queue_cache, "_count", count)
    with apps[0].app_context():
        choices = cache.get(queue_cache.CHOICES_KEY)
        cache.set(queue_cache.CHOICES_KEY, {"units": "", "categories": {}, "procedures": {}})
    try:
        shown = []
        for _ in range(3):
            with apps[0].test_request_context("/staff/queue"):
                shown.append(queue_cache.page_data(agency, DAY)[0]["feedback"])
        assert shown == [1, 2, 2]  # before: [1, 1, 1] for up to 60 s
    finally:
        with apps[0].app_context():
            cache.delete_many(
                queue_cache.counts_key(agency), queue_cache.changes_key(agency), queue_cache.CHOICES_KEY
            )
            if choices is not None:
                cache.set(queue_cache.CHOICES_KEY, choices)
