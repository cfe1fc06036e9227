"""Rate-limit counters (portal/throttle.py): exact under concurrency, shared through Redis by every process
and node, and still counting when Redis goes away (issue 9 item 4)."""

from __future__ import annotations

import os
import threading
import uuid

import pytest

from portal import throttle
from tests.conftest import build_app
from tests.support.services import REDIS_URL, redis_answers

needs_redis = pytest.mark.skipif(
    not redis_answers() and os.environ.get("PORTAL_REQUIRE_REDIS") != "1", reason="no Redis on 127.0.0.1:6379"
)


def concurrent_hits(apps, key: str, per_app: int, window: int = 60) -> list[int]:
    counts: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(apps) * per_app)

    def one(application):
        with application.app_context():
            start.wait()
            value = throttle.hit(key, window)
        with lock:
            counts.append(value)

    threads = [
        threading.Thread(target=one, args=(application,)) for application in apps for _ in range(per_app)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts


def test_memory_counts_are_exact_under_threads(app):
    key = f"test:{uuid.uuid4()}"
    counts = concurrent_hits([app], key, 40)
    assert sorted(counts) == list(range(1, 41))  # every attempt saw its own number: none slipped through


@needs_redis
def test_two_processes_share_one_count_through_redis(tmp_path):
    """Two app instances stand for two gunicorn workers or two nodes: a limit of 5 lets 5 through in all."""
    apps = [
        build_app(tmp_path / f"node{n}", f"sqlite:///{tmp_path / 'shared.sqlite3'}", redis_url=REDIS_URL)
        for n in range(2)
    ]
    key = f"test:{uuid.uuid4()}"
    counts = concurrent_hits(apps, key, 12)
    assert sorted(counts) == list(range(1, 25))
    allowed = [count for count in counts if count <= 5]
    assert len(allowed) == 5
    with apps[0].app_context():
        assert throttle.peek(key, 24, 60) and not throttle.peek(key, 25, 60)
        assert 50 <= throttle.retry_after(key, 60) <= 60
        throttle.clear(key)
        assert throttle.count(key) == 0


def test_an_unreachable_redis_falls_back_to_counting_in_memory(tmp_path):
    application = build_app(
        tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}", redis_url="redis://127.0.0.1:1/0"
    )
    key = f"test:{uuid.uuid4()}"
    with application.app_context():
        assert [throttle.hit(key, 60) for _ in range(3)] == [1, 2, 3]
        assert throttle.over_limit(key, 3, 60)


def test_retry_after_counts_down_the_window(app):
    key = f"test:{uuid.uuid4()}"
    throttle.hit(key, 3600)
    assert 3590 <= throttle.retry_after(key, 3600) <= 3600
    assert throttle.retry_after(f"test:{uuid.uuid4()}", 60) >= 1  # never 0, even for an unknown key


def test_a_throttled_request_gets_the_translated_page_and_its_real_retry_after(app, client):
    for _ in range(10):
        client.post(
            "/track", data={"code": f"PA-260101-{uuid.uuid4().int % 10000:04d}", "phone_digits": "1234"}
        )
    response = client.post("/track", data={"code": "PA-260101-0001", "phone_digits": "1234"})
    assert response.status_code == 429
    assert "Quá nhiều" in response.get_data(as_text=True)
    assert 1 <= int(response.headers["Retry-After"]) <= 60


@pytest.mark.parametrize("store", ["memory", pytest.param("redis", marks=needs_redis)])
def test_reserve_counts_several_attempts_all_or_none(tmp_path, store):
    """A post of several files is counted whole or not at all (portal/uploads/draft_posts.py): one that does
    not fit is refused with the seconds left, and counts nothing, so a smaller one may still fit."""
    application = build_app(
        tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}", redis_url=REDIS_URL if store == "redis" else ""
    )
    key = f"test:{uuid.uuid4()}"
    with application.app_context():
        assert throttle.reserve(key, 4, 10, 3600) == 0 and throttle.count(key) == 4
        assert 3590 <= throttle.reserve(key, 7, 10, 3600) <= 3600 and throttle.count(key) == 4
        assert throttle.reserve(key, 6, 10, 3600) == 0 and throttle.count(key) == 10
        assert throttle.reserve(key, 1, 10, 3600) > 0 and throttle.count(key) == 10
        throttle.clear(key)
