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


def init_app(app: Flask) -> None:
    """In json mode, the app's logger (and its children, portal.*) writes JSON lines with the request id to
    stderr, which gunicorn passes to its error log; in text mode Flask's own handler stays."""
    from portal.request_id import RequestIdFilter

    if app.config["PORTAL_SETTINGS"].log_format != "json":
        return
    app.logger.removeHandler(default_handler)
    for handler in list(app.logger.handlers):
        if getattr(handler, "_portal_json", False):
            app.logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())  # on the handler: records of child loggers pass through it too
    handler._portal_json = True  # type: ignore[attr-defined]
    app.logger.addHandler(handler)
    if app.logger.level == logging.NOTSET:
        app.logger.setLevel(logging.INFO)
