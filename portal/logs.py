"""Log lines: plain text by default (`make run`), or one JSON object per line with PORTAL_LOG_FORMAT=json for
log collectors when several nodes write logs.

Every line carries the request id (portal/request_id.py; null outside a request), whichever logger wrote
it: the app's, gunicorn's error log or gunicorn's access log (portal/access_log.py). Stack traces go to the
log only, as one JSON string; never to a user (portal/errors.py).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask
from flask.logging import default_handler

# What a record's `extra` may add to a JSON line (the access log's fields).
EXTRA_FIELDS = (
    "remote_addr",
    "method",
    "path",
    "query",
    "status",
    "bytes",
    "duration_ms",
    "referer",
    "user_agent",
)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, request_id, and any access fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for name in EXTRA_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        # ensure_ascii: a newline or control character in a message can never start a forged line.
        return json.dumps(line, ensure_ascii=True, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record is emitted (gunicorn may replace it after start-up)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def init_app(app: Flask) -> None:
    """In json mode, every logger of the process (the app's, portal.*, and libraries such as huey's) writes
    JSON lines with the request id to stderr, which gunicorn passes to its error log: one handler on the root
    logger, and Flask's own text handler removed. In text mode nothing changes."""
    from portal.request_id import RequestIdFilter

    if app.config["PORTAL_SETTINGS"].log_format != "json":
        return
    app.logger.removeHandler(default_handler)
    if app.logger.level == logging.NOTSET:
        app.logger.setLevel(logging.INFO)
    root = logging.getLogger()
    if any(getattr(handler, "_portal_json", False) for handler in root.handlers):
        return
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())  # on the handler: records that propagate from any logger pass it
    handler._portal_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    logging.captureWarnings(True)  # Python's warnings too, as JSON lines rather than bare text on stderr


def remove_json_handler() -> None:
    """Undo init_app's root handler (tests that switch JSON logs on and off in one process)."""
    root = logging.getLogger()
    for handler in [handler for handler in root.handlers if getattr(handler, "_portal_json", False)]:
        root.removeHandler(handler)
    logging.captureWarnings(False)
