"""Fixed-window attempt counters: Redis when REDIS_URL is set (shared by all workers), else memory.

If Redis is unreachable the counters fall back to this process's memory rather than failing the
request or silently turning limits off (SECURITY.md F23).
"""
from __future__ import annotations

import threading
import time

from flask import current_app

_lock = threading.Lock()
_memory: dict[str, tuple[int, float]] = {}


def _redis():
    url = current_app.config["PORTAL_SETTINGS"].redis_url
    if not url:
        return None
    client = current_app.extensions.get("portal_redis")
    if client is None:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        current_app.extensions["portal_redis"] = client
    return client


def hit(key: str, window: int) -> int:
    """Count one attempt under `key` in the current `window` seconds; return the count so far."""
    client = _redis()
    if client is not None:
        try:
            full = f"portal:throttle:{key}:{int(time.time() // window)}"
            pipe = client.pipeline()
            pipe.incr(full)
            pipe.expire(full, window)
            return int(pipe.execute()[0])
        except Exception:  # noqa: BLE001 - any Redis failure falls back to memory
            current_app.logger.warning("redis unavailable; throttling in memory")
    now = time.monotonic()
    with _lock:
        count, started = _memory.get(key, (0, now))
        if now - started >= window:
            count, started = 0, now
        _memory[key] = (count + 1, started)
        if len(_memory) > 50_000:  # bound memory under a flood of distinct keys
            _memory.clear()
        return count + 1


def over_limit(key: str, limit: int, window: int) -> bool:
    return hit(key, window) > limit


def reset_memory() -> None:
    with _lock:
        _memory.clear()
