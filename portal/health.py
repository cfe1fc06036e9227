"""Liveness and readiness for load balancers, systemd and monitoring.

- GET /healthz: the process answers (liveness). Touches nothing else, so a database outage does not get
  every node restarted at once.
- GET /readyz: this node can serve (readiness): the database answers `SELECT 1`, Redis answers PING when
  REDIS_URL is set, and the file storage is reachable. 200 when all are, else 503; the body names each check
  and "ok" or "unavailable", never a host, an error text or a version.

Checks are registered by name (`add_check`); create_app registers the file storage's. Each check runs in
a short timeout of its own (the database's is the engine's connect timeout, Redis's half a second).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, jsonify
from sqlalchemy import text

from portal.extensions import db

EXTENSION = "portal_readiness"


def add_check(app: Flask, name: str, check: Callable[[], None]) -> None:
    """`check()` returns when the part answers and raises when it does not."""
    checks: dict[str, Callable[[], None]] = app.extensions.setdefault(EXTENSION, {})
    checks[name] = check


def database() -> None:
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        db.session.rollback()


def redis() -> None:
    from redis import Redis

    client = Redis.from_url(
        current_app.config["PORTAL_SETTINGS"].redis_url, socket_connect_timeout=0.5, socket_timeout=0.5
    )
    try:
        if not client.ping():
            raise ConnectionError("no PONG")
    finally:
        client.close()


def storage() -> None:
    """The upload store answers: the S3 bucket a HEAD request (a name that is not there is fine: the bucket
    answered), or the local upload folder exists and this process may write to it."""
    import os

    from portal.uploads import storage as uploads

    if current_app.extensions.get(uploads.EXTENSION) is None:  # the instance folder's uploads/
        if not os.access(uploads.root(), os.W_OK | os.X_OK):
            raise PermissionError("upload folder not writable")
        return
    uploads.backend().exists("readiness-probe.txt")  # raises StorageUnavailable when unreachable


def results(app: Flask) -> dict[str, str]:
    found = {}
    for name, check in app.extensions.get(EXTENSION, {}).items():
        try:
            check()
        except Exception:  # noqa: BLE001 - any failure means "not ready"; the log says which
            app.logger.warning("readiness check %s failed", name, exc_info=True)
            found[name] = "unavailable"
        else:
            found[name] = "ok"
    return found


def init_app(app: Flask) -> None:
    add_check(app, "database", database)
    if app.config["PORTAL_SETTINGS"].redis_url:
        add_check(app, "redis", redis)
    add_check(app, "storage", storage)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        checks = results(app)
        ready = all(value == "ok" for value in checks.values())
        body = jsonify(status="ok" if ready else "unavailable", checks=checks)
        return body, 200 if ready else 503
