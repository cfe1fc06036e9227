"""A bounded, least-recently-used dictionary shared by the per-process caches (QR images, what is payable,
the tracking pages): each keeps its own freshness rule on top of this one eviction rule.

Safe for threads and greenlets: the lock guards only the dictionary and is never held while a value is made,
so two requests that miss the same key at once both make it (the same value) rather than wait for each other.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedLRU(Generic[K, V]):
    """At most `size` values by key; reading or storing a key makes it the most recent, and storing past
    `size` drops the least recent first."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a bounded cache needs room for at least one value")
        self.size = size
        self.entries: OrderedDict[K, V] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key: K, value: V) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The value kept under `key`, or `make()` kept now (made outside the lock)."""
        found = self.get(key)
        if found is not None:
            return found
        made = make()
        self.put(key, made)
        return made

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()

    def __len__(self) -> int:
        return len(self.entries)
