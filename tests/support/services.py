"""The local services the tests talk to: the Redis they share and a free loopback port for servers they start."""

from __future__ import annotations

import os
import socket

import redis

# Database 15: the tests' own, emptied by the tests that use it; TEST_REDIS_URL points elsewhere.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
