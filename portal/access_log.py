"""Access logs without secrets: private links and token-like query values are replaced by [redacted].

A private link (/feedback/t/<token>, /dossiers/t/<code>/<token>, /reset/<token>) opens a citizen's
item for whoever holds it, so it must not end up in a log file that operators copy, rotate and ship
elsewhere. gunicorn.conf.py makes gunicorn use `RedactingLogger`; deploy/nginx/portal.conf applies the
same rules to nginx's access log (keep the two in step).

The patterns are plain regular expressions over the raw text, so they work on a request line
("GET /feedback/t/abc HTTP/1.1"), a path, a query string or a full Referer URL alike.
"""

from __future__ import annotations

import re
from typing import cast

from gunicorn.glogging import Logger

REDACTED = "[redacted]"

# The segment after these prefixes is a bearer secret, whatever its length.
_PRIVATE_LINK = re.compile(r"(/feedback/t/|/dossiers/t/[^/?#\s]*/|/reset/)[^/?#\s]+")
# Any other path segment (or the part before its extension) of 32 or more URL-safe characters: a token
# under a route added later, or an unguessable file name, is redacted too. Our codes are far shorter.
_LONG_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_-]{32,}(?=[/?#.\s]|$)")
# Query parameters whose name says they carry a secret (token=, reset_token=, api_key=, password=...).
_SECRET_PARAMETER = re.compile(
    r"((?:^|[?&;])[A-Za-z0-9_.-]*(?:token|secret|key|password|passwd|signature|sig|otp)=)[^&;#\s]*",
    re.IGNORECASE,
)

# gunicorn's atoms that carry a URL: the request line, path, query string and Referer, whichever way
# an access_log_format spells them.
URL_ATOMS = frozenset(
    {
        "r",
        "U",
        "q",
        "f",
        "{raw_uri}e",
        "{path_info}e",
        "{query_string}e",
        "{request_uri}e",
        "{http_referer}e",
        "{referer}i",
    }
)


def redact(text: str) -> str:
    """`text` with every private-link secret and secret-looking query value replaced by [redacted]."""
    text = _PRIVATE_LINK.sub(lambda match: match[1] + REDACTED, text)
    text = _LONG_SEGMENT.sub(REDACTED, text)
    return _SECRET_PARAMETER.sub(lambda match: match[1] + REDACTED, text)


class RedactingLogger(Logger):
    """gunicorn's logger, with URLs redacted before they reach the access log."""

    def atoms(self, resp, req, environ, request_time):
        # gunicorn's stubs type the atoms as a TypedDict, which cannot be indexed by a computed name.
        atoms = cast(dict[str, object], super().atoms(resp, req, environ, request_time))
        for name in URL_ATOMS & atoms.keys():
            value = atoms[name]
            if isinstance(value, str):
                atoms[name] = redact(value)
        return atoms


class JsonLogger(RedactingLogger):
    """PORTAL_LOG_FORMAT=json (gunicorn.conf.py picks it): gunicorn's error and access logs as one JSON object
    per line (portal/logs.py), each with the request id the app sent back in X-Request-ID, URLs redacted."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        from portal.logs import JsonFormatter

        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        atoms = cast(dict[str, object], self.atoms(resp, req, environ, request_time))
        request_id = atoms.get("{x-request-id}o")
        try:
            status = int(str(atoms["s"]))
        except ValueError:
            status = 0
        fields = {
            "request_id": request_id if isinstance(request_id, str) else None,
            "remote_addr": atoms["h"],
            "method": atoms["m"],
            "path": atoms["U"],  # redacted by atoms()
            "query": atoms["q"] or "",
            "status": status,
            "bytes": atoms["B"],
            "duration_ms": atoms["M"],
            "referer": atoms["f"],
            "user_agent": atoms["a"],
        }
        self.access_log.info("%s %s %s", atoms["m"], atoms["U"], status, extra=fields)
