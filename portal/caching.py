"""Flask-Caching for values that are expensive to count and may be a few minutes old (the public
/statistics figures): Redis when REDIS_URL is set, so every gunicorn worker and node shares one copy,
else a SimpleCache in this process's memory."""

from __future__ import annotations

from flask import Flask

from portal.extensions import cache


def config(redis_url: str) -> dict:
    if not redis_url:
        return {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 300}
    return {
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "portal:cache:",
        "CACHE_DEFAULT_TIMEOUT": 300,
        # Fail fast when Redis is away: the caller counts afresh instead (portal.throttle waits as long).
        "CACHE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }


def init_app(app: Flask) -> None:
    cache.init_app(app, config=config(app.config["PORTAL_SETTINGS"].redis_url))
