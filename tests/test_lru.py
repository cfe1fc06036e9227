"""The bounded LRU dictionary the per-process caches share (portal/lru.py)."""

from __future__ import annotations

import threading

import pytest

from portal.lru import BoundedLRU


def test_the_least_recently_used_goes_first():
    lru: BoundedLRU[str, int] = BoundedLRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # a is now the most recent
    lru.put("c", 3)  # so b goes
    assert list(lru.entries) == ["a", "c"] and lru.get("b") is None and len(lru) == 2


def test_storing_a_key_again_replaces_it_and_makes_it_recent():
    lru: BoundedLRU[str, int] = BoundedLRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    lru.put("a", 10)
    lru.put("c", 3)
    assert dict(lru.entries) == {"a": 10, "c": 3}


def test_get_or_make_makes_a_missing_value_once():
    lru: BoundedLRU[str, str] = BoundedLRU(4)
    made: list[str] = []

    def make() -> str:
        made.append("x")
        return "value"

    assert lru.get_or_make("k", make) == lru.get_or_make("k", make) == "value"
    assert made == ["x"]


def test_clear_empties_it():
    lru: BoundedLRU[str, int] = BoundedLRU(3)
    lru.put("a", 1)
    lru.clear()
    assert len(lru) == 0 and lru.get("a") is None


def test_a_cache_without_room_is_refused():
    with pytest.raises(ValueError):
        BoundedLRU(0)


def test_it_stays_bounded_and_whole_across_threads():
    lru: BoundedLRU[int, int] = BoundedLRU(16)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for step in range(2000):
                key = (offset * 7 + step) % 40
                value = lru.get_or_make(key, lambda key=key: key * key)
                assert value == key * key
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(lru) <= 16 and all(value == key * key for key, value in lru.entries.items())
