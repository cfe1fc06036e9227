"""The response schemas of /openapi.json (portal/open311/openapi.py): the JSON shapes; the XML bodies carry the
same element names."""

from __future__ import annotations

from typing import Any

from portal.domain.open311_status import EXTENDED_STATUSES

NULLABLE_STRING = {"type": ["string", "null"]}

SCHEMAS: dict[str, Any] = {
    "Errors": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        },
    },
    "Discovery": {
        "type": "object",
        "required": ["changeset", "contact", "key_service", "endpoints"],
        "properties": {
            "changeset": {"type": "string", "format": "date-time"},
            "contact": {"type": "string"},
            "key_service": {"type": "string"},
            "endpoints": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["specification", "url", "changeset", "type", "formats"],
                    "properties": {
                        "specification": {"type": "string"},
                        "url": {"type": "string"},
                        "changeset": {"type": "string", "format": "date-time"},
                        "type": {"enum": ["production", "test"]},
                        "formats": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    },
    "Service": {
        "type": "object",
        "additionalProperties": False,
        "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
        "properties": {
            "service_code": {"type": "string"},
            "service_name": {"type": "string"},
            "description": {"type": "string"},
            "metadata": {"type": "boolean"},
            "type": {"enum": ["realtime", "batch", "blackbox"]},
            "keywords": {"type": "string"},
            "group": {"type": "string"},
        },
    },
    "ServiceDefinition": {
        "type": "object",
        "required": ["service_code", "attributes"],
        "properties": {
            "service_code": {"type": "string"},
            "attributes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "variable",
                        "code",
                        "datatype",
                        "required",
                        "datatype_description",
                        "order",
                        "description",
                        "values",
                    ],
                    "properties": {
                        "variable": {"type": "boolean"},
                        "code": {"type": "string"},
                        "datatype": {
                            "enum": [
                                "string",
                                "number",
                                "datetime",
                                "text",
                                "singlevaluelist",
                                "multivaluelist",
                            ]
                        },
                        "required": {"type": "boolean"},
                        "datatype_description": {"type": "string"},
                        "order": {"type": "integer"},
                        "description": {"type": "string"},
                        "values": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["key", "name"],
                                "properties": {"key": {"type": "string"}, "name": {"type": "string"}},
                            },
                        },
                    },
                },
            },
        },
    },
    "Request": {
        "type": "object",
        "additionalProperties": False,
        "required": ["service_request_id", "status", "service_code", "requested_datetime"],
        "properties": {
            "service_request_id": {"type": "string"},
            "status": {"enum": ["open", "closed"]},
            "status_notes": NULLABLE_STRING,
            "service_name": {"type": "string"},
            "service_code": {"type": "string"},
            "description": {"type": "string"},
            "agency_responsible": {"type": "string"},
            "service_notice": NULLABLE_STRING,
            "requested_datetime": {"type": "string", "format": "date-time"},
            "updated_datetime": {"type": ["string", "null"], "format": "date-time"},
            "expected_datetime": {"type": ["string", "null"], "format": "date-time"},
            "address": {"type": "string"},
            "address_id": NULLABLE_STRING,
            "zipcode": NULLABLE_STRING,
            "lat": {"type": ["number", "null"]},
            "long": {"type": ["number", "null"]},
            "media_url": NULLABLE_STRING,
            "title": {"type": "string"},
            "extended_attributes": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "portal_status": {
                        "enum": ["new", "accepted", "info_requested", "answered", "refused", "closed"]
                    },
                    "extended_status": {"enum": list(EXTENDED_STATUSES)},
                    "status_label": {"type": "string"},
                    "reporter_name": NULLABLE_STRING,
                    "public_url": {"type": "string"},
                    "photos": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
    "Created": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["service_request_id"],
            "properties": {
                "service_request_id": {"type": "string"},
                "service_notice": NULLABLE_STRING,
                "account_id": NULLABLE_STRING,
            },
        },
    },
    "Update": {
        "type": "object",
        "additionalProperties": False,
        "required": ["update_id", "service_request_id", "status", "updated_datetime", "description"],
        "properties": {
            "update_id": {"type": "string"},
            "service_request_id": {"type": "string"},
            "status": {"enum": list(EXTENDED_STATUSES)},
            "updated_datetime": {"type": "string", "format": "date-time"},
            "description": {"type": "string"},
            "media_url": NULLABLE_STRING,
        },
    },
}
