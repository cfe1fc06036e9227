"""The two wire formats of GeoReport v2: XML (required) and JSON (its mechanical mapping), errors, dates.

XML: UTF-8 with its declaration, no namespace, `text/xml; charset=utf-8`. JSON: the same names, lists at
the top level, `application/json; charset=utf-8`. A list's items are named by ITEM (services/service, …);
None is an empty element (JSON null); booleans are `true`/`false`.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.sax.saxutils import escape

from flask import Response

from portal.domain.w3c import parse_w3c, w3c

__all__ = ["parse_w3c", "w3c"]  # with the wire formats, for the routes

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
