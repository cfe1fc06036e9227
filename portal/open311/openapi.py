"""The OpenAPI 3.1 description of the portal's machine endpoints, served at /openapi.json.

Open311 (both formats; XML bodies are described as strings, their element names are the JSON ones), the
bank webhook, and the health checks. tests/open311/test_openapi.py runs schemathesis against it.
"""

from __future__ import annotations

from typing import Any

from .openapi_exports import exports
from .openapi_schemas import NULLABLE_STRING, SCHEMAS

API = "/open311/v2"
XML = {"text/xml": {"schema": {"type": "string"}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _error(description: str) -> dict:
    return {"description": description, "content": {**_json(_ref("Errors")), **XML}}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


COMMON = [
    _query(
        "jurisdiction_id", "Optional: this server has one jurisdiction (its host name); any other is 404."
    ),
    _query("lang", "vi or en: the language of names, statuses and notes (anything else: Vietnamese)."),
]
WINDOW = [
    _query(
        "start_date",
        "W3C datetime; with end_date at most 90 days apart (default: the last 90 days).",
    ),
    _query("end_date", "W3C datetime."),
]
PAGING = [
    _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "maximum": 100000}),
    _query(
        "page_size",
        "Items per page (default and largest: 1000).",
        {"type": "integer", "minimum": 1, "maximum": 1000},
    ),
]


def _get(summary: str, schema: dict, parameters: list, *, not_found: bool = True, bad: bool = True) -> dict:
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {**_json(schema), **XML}}}
    if bad:
        responses["400"] = _error("Invalid parameter")
    responses["404"] = (
        _error("Unknown resource or jurisdiction") if not_found else _error("Unknown jurisdiction")
    )
    return {"get": {"summary": summary, "parameters": COMMON + parameters, "responses": responses}}


def _both(paths: dict, template: str, item: dict) -> None:
    for fmt in ("json", "xml"):
        paths[f"{API}/{template}.{fmt}"] = item


def _path_parameter(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "minLength": 1, "pattern": "^[^/.]+$"},
    }


POST_FIELDS = {
    "type": "object",
    "required": ["api_key", "service_code"],
    "properties": {
        "api_key": {"type": "string", "description": "Issued by the province administrator."},
        "service_code": {"type": "string"},
        "lat": {"type": "string", "description": "WGS84, with long; inside Sơn La."},
        "long": {"type": "string"},
        "address_string": {"type": "string"},
        "address_id": {"type": "string", "description": "A commune's code (stands for attribute[commune])."},
        "attribute[commune]": {"type": "string", "description": "Required: the commune's 5-digit code."},
        "attribute[consent]": {
            "type": "string",
            "enum": ["yes"],
            "description": "Required: the reporter's consent.",
        },
        "attribute[title]": {"type": "string"},
        "attribute[show_name]": {"type": "string", "enum": ["yes", "no"]},
        "attribute[client_reference]": {
            "type": "string",
            "description": "Your id: a resend creates nothing.",
        },
        "description": {"type": "string", "description": "10 to 4,000 characters, plain text."},
        "phone": {"type": "string", "description": "Required: the reporter's Vietnamese mobile number."},
        "email": {"type": "string", "description": "For the receipt and updates."},
        "first_name": {"type": "string"},
        "last_name": {"type": "string"},
        "device_id": {"type": "string"},
        "account_id": {"type": "string"},
        "media_url": {"type": "string", "description": "Ignored: the portal fetches no remote file."},
        "jurisdiction_id": {"type": "string"},
    },
}


def document(base_url: str) -> dict:
    paths: dict[str, Any] = {}
    _both(paths, "discovery", _get("Service discovery", _ref("Discovery"), [], not_found=False, bad=False))
    _both(
        paths,
        "services",
        _get(
            "Service list: the feedback categories",
            {"type": "array", "items": _ref("Service")},
            [],
            not_found=False,
            bad=False,
        ),
    )
    definition = _get(
        "Service definition: the attributes a report needs",
        _ref("ServiceDefinition"),
        [_path_parameter("service_code", "A service_code")],
        bad=False,
    )
    _both(paths, "services/{service_code}", definition)
    requests = _get(
        "Published requests (the public feed)",
        {"type": "array", "items": _ref("Request")},
        [
            _query("service_request_id", "Comma-separated codes; overrides every other filter."),
            _query("service_code", "Comma-separated service codes."),
            _query(
                "status",
                "open, closed or both, comma-separated.",
                {"type": "string", "pattern": "^(open|closed)?(,(open|closed))?$"},
            ),
            *WINDOW,
            *PAGING,
            _query("extensions", "true: add title and extended_attributes (anything else: not)."),
        ],
        not_found=False,
    )
    post = {
        "summary": "Create a report (the web form's operation)",
        "parameters": COMMON[1:],
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": POST_FIELDS}},
        },
        "responses": {
            "201": {"description": "Created", "content": {**_json(_ref("Created")), **XML}},
            "200": {
                "description": "The same report was sent before: its id",
                "content": {**_json(_ref("Created")), **XML},
            },
            "400": _error("Invalid report"),
            "403": _error("api_key missing, wrong or revoked, or out of its agency's scope"),
            "404": _error("Unknown service_code or jurisdiction"),
            "429": _error("Over the key's or the phone number's limit (Retry-After)"),
        },
    }
    for fmt in ("json", "xml"):
        paths[f"{API}/requests.{fmt}"] = {**requests, "post": post}
    one = _get(
        "One published request, or one this api_key created (published or not)",
        {"type": "array", "items": _ref("Request"), "maxItems": 1},
        [
            _path_parameter("service_request_id", "A service_request_id (PA-YYMMDD-NNNN)"),
            _query("extensions", "true: add title and extended_attributes (anything else: not)."),
            _query(
                "api_key",
                "The key that created the request: it is then shown before publication too (no-store).",
            ),
        ],
    )
    _both(paths, "requests/{service_request_id}", one)
    token = _get(
        "Id from a token (none exist: requests are realtime)",
        _ref("Errors"),
        [_path_parameter("token", "A token")],
        bad=False,
    )
    _both(paths, "tokens/{token}", token)
    updates = _get(
        "Public timeline lines of published requests (mySociety's extension)",
        {"type": "array", "items": _ref("Update")},
        [
            _query("service_request_id", "One request's whole timeline (then no date window)."),
            *WINDOW,
            *PAGING,
        ],
    )
    _both(paths, "servicerequestupdates", updates)
    paths["/healthz"] = {
        "get": {
            "summary": "Liveness",
            "responses": {
                "200": {
                    "description": "OK",
                    "content": _json(
                        {"type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}}
                    ),
                }
            },
        }
    }
    ready = {
        "type": "object",
        "required": ["status", "checks"],
        "properties": {
            "status": {"enum": ["ok", "unavailable"]},
            "checks": {"type": "object", "additionalProperties": {"enum": ["ok", "unavailable"]}},
        },
    }
    paths["/readyz"] = {
        "get": {
            "summary": "Readiness",
            "responses": {
                "200": {"description": "Ready", "content": _json(ready)},
                "503": {"description": "Not ready", "content": _json(ready)},
            },
        }
    }
    paths["/webhooks/bank"] = {
        "post": {
            "summary": "A credit to the fee account, signed by the bank (see README, Fees by VietQR)",
            "parameters": [
                {
                    "name": "X-Portal-Timestamp",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string"},
                },
                {
                    "name": "X-Portal-Signature",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string"},
                },
            ],
            "requestBody": {
                "required": True,
                "content": _json(
                    {
                        "type": "object",
                        "required": ["transaction_id", "amount"],
                        "properties": {
                            "transaction_id": {"type": ["string", "integer"]},
                            "amount": {"type": ["integer", "string"]},
                            "description": {"type": "string"},
                            "account_number": {"type": "string"},
                            "occurred_at": {"type": "string", "format": "date-time"},
                        },
                    }
                ),
            },
            "responses": {
                "200": {
                    "description": "Stored once, matched or not",
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["status", "duplicate"],
                            "properties": {
                                "status": {"type": "string"},
                                "duplicate": {"type": "boolean"},
                                "reference": NULLABLE_STRING,
                            },
                        }
                    ),
                },
                "400": {
                    "description": "Signed but not a credit",
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["error"],
                            "properties": {"error": {"const": "malformed"}, "reason": {"type": "string"}},
                        }
                    ),
                },
                "401": {
                    "description": "Missing, stale or wrong signature",
                    "content": _json(
                        {
                            "type": "object",
                            "required": ["error"],
                            "properties": {"error": {"const": "unauthorized"}},
                        }
                    ),
                },
            },
        }
    }
    paths.update(exports())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sơn La citizen portal: machine interfaces",
            "version": "2026-12-06",
            "description": (
                "Open311 GeoReport v2 (with the mySociety updates extension), the bank webhook and the health checks."
            ),
        },
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }
