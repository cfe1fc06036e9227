"""Attempt counters for rate limits, exact across processes.

The counters live in the storage layer of Flask-Limiter (the `limits` package): Redis when REDIS_URL is
set, shared by every worker and node (an atomic INCR-with-expiry script), else this process's memory
(`MemoryCounters`, the same fixed windows as the package's memory storage).
The default deployment therefore runs ONE gunicorn process (gevent workers, see gunicorn.conf.py), which
refuses more workers without Redis, so the numbers hold in every deployment (SECURITY.md F23).

We call the storage directly rather than Flask-Limiter's route decorators because our limits count
particular outcomes (a wrong password, a wrong phone number for a tracking code, an accepted report) under
keys taken from the form (account, code, phone), not every request to a route.

If Redis stops answering, counting falls back to this process's memory for 30 s at a time (logged), rather
than failing the request or silently turning the limits off.
"""

from __future__ import annotations

import heapq
import ipaddress
import math
import threading
import time
import weakref
from dataclasses import dataclass, field

from flask import Flask, current_app, request
from limits.storage import Storage, storage_from_string
from werkzeug.exceptions import TooManyRequests

REDIS_RETRY_SECONDS = 30


class MemoryCounters:
    """Fixed-window counters in this process's memory, with the semantics of the `limits` package's
    MemoryStorage for the calls made here (incr with a window, get, get_expiry, clear, reset): a window
    starts when a count goes up from zero and ends `expiry` seconds later, then the count is zero again.

    Written here because that storage, on every increment, starts a timer thread (a greenlet under gevent)
    that 10 ms later walks every key it holds: each submission adds two keys (address, phone) kept for an
    hour and a day, so a busy day made every counted request pay for a scan of thousands of keys. Here an
    ended window is dropped when it is next met, and by a heap of end times at each increment (a few
    entries a call), never by a scan. The callers hold a lock (`_call`)."""

    def __init__(self) -> None:
        self._counts: dict[str, list[float]] = {}  # key -> [count, end of its window (time.time())]
        self._ends: list[tuple[float, str]] = []  # (end, key) of every window started, soonest first

    def _live(self, key: str, now: float) -> list[float] | None:
        entry = self._counts.get(key)
        if entry is not None and entry[1] <= now:
            del self._counts[key]
            return None
        return entry

    def _drop_ended(self, now: float) -> None:
        ends = self._ends
        while ends and ends[0][0] <= now:
            end, key = heapq.heappop(ends)
            entry = self._counts.get(key)
            if entry is not None and entry[1] == end:  # not a window started again since
                del self._counts[key]
        if len(ends) > 2 * len(self._counts) + 1000:  # windows restarted often (a count given back to 0)
            self._ends = [(entry[1], key) for key, entry in self._counts.items()]
            heapq.heapify(self._ends)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        self._drop_ended(now)
        entry = self._live(key, now)
        if entry is None:
            entry = self._counts[key] = [0, 0.0]
        if entry[0] == 0:  # a window starts when the count leaves zero (as the package's storage does)
            entry[1] = now + expiry
            heapq.heappush(self._ends, (entry[1], key))
        entry[0] += amount
        return int(entry[0])

    def get(self, key: str) -> int:
        entry = self._live(key, time.time())
        return int(entry[0]) if entry is not None else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        entry = self._live(key, now)
        return entry[1] if entry is not None else now

    def clear(self, key: str) -> None:
        self._counts.pop(key, None)

    def reset(self) -> None:
        self._counts.clear()
        self._ends.clear()

    def __len__(self) -> int:
        """Keys held (a window not yet dropped may be among them)."""
        return len(self._counts)


_memories: weakref.WeakSet[MemoryCounters] = weakref.WeakSet()


class Throttled(TooManyRequests):
    """A 429 that tells the client when to come back (errors.py renders the translated page)."""

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(retry_after=max(1, int(retry_after)))
        self.portal_message = message


@dataclass
class _Counters:
    shared: Storage | None
    memory: MemoryCounters
    lock: threading.Lock = field(default_factory=threading.Lock)
    shared_dead_until: float = 0.0


def _memory() -> MemoryCounters:
    storage = MemoryCounters()
    _memories.add(storage)
    return storage


def init_app(app: Flask) -> None:
    url = app.config["PORTAL_SETTINGS"].redis_url
    if url.startswith("unix://"):  # the `limits` package spells a Redis socket redis+unix://
        url = "redis+unix://" + url[len("unix://") :]
    shared = storage_from_string(url, socket_connect_timeout=0.5, socket_timeout=0.5) if url else None
    # Settings accept only redis://, rediss:// and unix:// URLs: never one of limits' async storages.
    assert shared is None or isinstance(shared, Storage)
    app.extensions["portal_throttle"] = _Counters(shared=shared, memory=_memory())


def _counters() -> _Counters:
    return current_app.extensions["portal_throttle"]


def _call(operation, key: str):
    """Run `operation(storage, key)` on Redis when it answers, else on this process's memory."""
    counters = _counters()
    full_key = f"portal:{key}"
    if counters.shared is not None and time.monotonic() >= counters.shared_dead_until:
        try:
            return operation(counters.shared, full_key)
        except Exception:  # noqa: BLE001 - any Redis failure falls back to memory for a while
            counters.shared_dead_until = time.monotonic() + REDIS_RETRY_SECONDS
            current_app.logger.warning(
                "redis unavailable; rate limits counted in this process for %d s", REDIS_RETRY_SECONDS
            )
    with counters.lock:  # one caller at a time: two increments racing at a window's end would miscount
        return operation(counters.memory, full_key)


def source_of(address: str | None) -> str:
    """The source a per-address limit counts: IPv4 as is; IPv6 by its /64 (one home or phone holds a whole
    /64, so a new address per attempt must not mean a new budget)."""
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def client_source() -> str:
    """This request's source (its address as ProxyFix left it, PORTAL_TRUSTED_PROXIES), for limit keys."""
    return source_of(request.remote_addr)


def hit(key: str, window: int, amount: int = 1) -> int:
    """Count `amount` attempts (one unless told) under `key` in a fixed window of `window` seconds; return
    the count so far."""
    return int(_call(lambda storage, k: storage.incr(k, window, amount=amount), key))


def give_back(key: str, window: int, amount: int = 1) -> None:
    """Undo attempts counted by `hit` (ones that turned out not to count, e.g. a right answer)."""
    _call(lambda storage, k: storage.incr(k, window, amount=-amount), key)


def count(key: str) -> int:
    """How many attempts `key` has in its current window, without counting one."""
    return int(_call(lambda storage, k: storage.get(k), key))


def over_limit(key: str, limit: int, window: int) -> bool:
    """Count one attempt; True when it is over `limit` in the window."""
    return hit(key, window) > limit


def peek(key: str, limit: int, window: int) -> bool:  # noqa: ARG001 - window kept for symmetry
    """True when `limit` attempts are already counted (the next one would be over), without counting."""
    return count(key) >= limit


def retry_after(key: str, window: int) -> int:
    """Seconds until `key`'s window ends (at least 1, at most `window`)."""
    expiry = float(_call(lambda storage, k: storage.get_expiry(k), key))
    return max(1, min(window, math.ceil(expiry - time.time())))


def clear(key: str) -> None:
    _call(lambda storage, k: storage.clear(k), key)


def reserve(key: str, amount: int, limit: int, window: int) -> int:
    """Count `amount` attempts at once, all or none (a post of several files): 0 when they fit within
    `limit`, else the seconds until the window ends, with none of them counted (one atomic increment, then
    one giving them back: two callers at the limit may both be refused, never both let past it)."""
    if hit(key, window, amount) <= limit:
        return 0
    give_back(key, window, amount)
    return retry_after(key, window)


def enforce(key: str, limit: int, window: int, message: str | None = None) -> None:
    """Count one attempt and raise Throttled (429 with Retry-After) when it is over the limit."""
    if over_limit(key, limit, window):
        raise Throttled(retry_after(key, window), message)


def reset_memory() -> None:
    """Forget every in-memory count (tests)."""
    for storage in list(_memories):
        storage.reset()
