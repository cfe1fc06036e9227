"""The two wire formats of GeoReport v2: XML (required) and JSON (its mechanical mapping), errors, dates.

XML: UTF-8 with its declaration, no namespace, `text/xml; charset=utf-8`. JSON: the same names, lists at
the top level, `application/json; charset=utf-8`. A list's items are named by ITEM (services/service, …);
None is an empty element (JSON null); booleans are `true`/`false`.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from flask import Response

from portal.domain.working_days import LOCAL_TZ

FORMATS = ("xml", "json")
MIMETYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
ITEM = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "notes": "note",
    "photos": "photo",
}
# XML 1.0 cannot carry these control characters even escaped: they are dropped from the output.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class Open311Error(Exception):
    """An error answered in the Open311 format: HTTP `status`, body [{code, description}, …]."""

    def __init__(self, status: int, description: str, code: int | None = None, retry_after: int = 0):
        super().__init__(description)
        self.status = status
        self.errors = [(code or status, description)]
        self.retry_after = retry_after


def w3c(moment: datetime | None) -> str | None:
    """A W3C datetime in the province's zone: 2026-12-06T14:30:00+07:00."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).replace(microsecond=0).isoformat()


_W3C = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")


def parse_w3c(text: str) -> datetime:
    """A W3C datetime (a date alone is its midnight in the province); ValueError when it is not one.
    A time without a zone is read in the province's zone."""
    text = text.strip()
    if not _W3C.match(text):
        raise ValueError(text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC)


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return escape(_NOT_XML.sub("", str(value)))


def _element(name: str, value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        out.append(f"<{name}>")
        for key, child in value.items():
            _element(key, child, out)
        out.append(f"</{name}>")
    elif isinstance(value, list | tuple):
        out.append(f"<{name}>")
        for child in value:
            _element(ITEM.get(name, "item"), child, out)
        out.append(f"</{name}>")
    elif value is None or value == "":
        out.append(f"<{name}/>")
    else:
        out.append(f"<{name}>{_scalar(value)}</{name}>")


def to_xml(root: str, value: Any) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>']
    _element(root, value, out)
    return "".join(out)


def respond(fmt: str, root: str, value: Any, status: int = 200, headers: dict | None = None) -> Response:
    """`value` under the XML root `root` (a list's items named by ITEM[root]), or as JSON."""
    if fmt == "json":
        body = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    else:
        body = to_xml(root, value)
    response = Response(body.encode(), status=status, headers=headers or {})
    response.headers["Content-Type"] = MIMETYPES[fmt]
    return response


def error_response(fmt: str, error: Open311Error) -> Response:
    errors = [{"code": code, "description": description} for code, description in error.errors]
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after else {}
    return respond(fmt if fmt in FORMATS else "xml", "errors", errors, error.status, headers)
