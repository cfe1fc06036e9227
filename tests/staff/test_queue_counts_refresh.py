"""The queue's filter counts: never shown once `COUNTS_SECONDS` old (what the page states), and refreshed
ahead of that by ONE request while the others keep reading the entry (before, the entry expired for every
request at once and each concurrent request of the agency ran the count: the queue's p99 under load)."""

from __future__ import annotations

import pytest

from portal.calendar.queries import local_now
from portal.extensions import cache, db
from portal.staff import queue_cache
from tests.support.clocks import Clock, replace_clock
from tests.support.factories import make_agency
from tests.support.feedback import make_item


@pytest.fixture(autouse=True)
def _empty_cache(app):
    with app.app_context():
        cache.clear()


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return replace_clock(monkeypatch, queue_cache, 1_000_000.0, name="_now")


@pytest.fixture
def counted(monkeypatch) -> list[int | None]:
    """The agencies counted, in order: each entry one run of the count statement."""
    runs: list[int | None] = []
    real = queue_cache._count

    def counting(agency_id, today):
        runs.append(agency_id)
        return real(agency_id, today)

    monkeypatch.setattr(queue_cache, "_count", counting)
    return runs


def open_items(agency) -> int:
    return queue_cache.page_data(agency.id, local_now().date())[0]["feedback"]


def counted_once():
    """An agency with one open item whose counts have just been cached (the first count)."""
    agency = make_agency()
    make_item(agency=agency.slug)
    db.session.flush()
    assert open_items(agency) == 1
    return agency


def test_a_young_entry_is_read_without_counting(app, clock, counted):
    agency = counted_once()
    clock.now += queue_cache.REFRESH_SECONDS - 1
    assert open_items(agency) == 1
    assert counted == [agency.id]


def test_one_request_counts_ahead_of_expiry_and_the_others_read_the_entry(app, clock, counted):
    agency = counted_once()
    # A change the listeners do not see (another application's write): only a count shows it.
    cache_entry = cache.get(queue_cache.counts_key(agency.id))
    cache.set(queue_cache.counts_key(agency.id), {**cache_entry, "feedback": 7}, timeout=60)
    clock.now += queue_cache.REFRESH_SECONDS
    assert open_items(agency) == 1  # this request won the lock and counted again
    cache_entry = cache.get(queue_cache.counts_key(agency.id))
    cache.set(queue_cache.counts_key(agency.id), {**cache_entry, "at": clock.now - 50, "feedback": 7})
    assert open_items(agency) == 7  # the lock is held: the entry (50 s old) is read, not counted
    assert counted == [agency.id, agency.id]


def test_an_entry_is_never_shown_at_the_stated_age(app, clock, counted):
    agency = counted_once()
    cache.add(queue_cache.recount_key(agency.id), 1, timeout=60)  # another request is counting ahead
    cache_entry = cache.get(queue_cache.counts_key(agency.id))
    cache.set(queue_cache.counts_key(agency.id), {**cache_entry, "feedback": 7})
    clock.now += queue_cache.COUNTS_SECONDS
    assert open_items(agency) == 1  # 60 s old: counted now, whoever holds the lock
    assert counted == [agency.id, agency.id]


def test_an_entry_without_its_age_is_counted_again(app, clock, counted):
    """An entry written by the code before this one (no `at`, still in Redis after a deploy)."""
    agency = counted_once()
    cache_entry = cache.get(queue_cache.counts_key(agency.id))
    del cache_entry["at"]
    cache.set(queue_cache.counts_key(agency.id), {**cache_entry, "feedback": 7})
    assert open_items(agency) == 1
    assert counted == [agency.id, agency.id]


def test_a_change_of_the_queue_still_drops_the_entry_at_once(app, clock, counted):
    agency = counted_once()
    make_item(agency=agency.slug)
    db.session.flush()  # the flush listener drops the agency's entry
    assert open_items(agency) == 2
