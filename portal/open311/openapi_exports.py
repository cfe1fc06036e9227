"""The exports' part of /openapi.json (portal/exports): the dossier export and the Decision 766 feed."""

from __future__ import annotations

from portal.exports.dossiers import FIELDS as EXPORT_FIELDS


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    schema = schema or {"type": "string"}
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def exports() -> dict:
    """The dossier export (portal/exports): key in the X-API-Key header."""
    error = {
        "description": "Refused",
        "content": _json(
            {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
        ),
    }
    record = {
        "type": "object",
        "required": list(EXPORT_FIELDS),
        "properties": {name: {} for name in EXPORT_FIELDS},
    }
    body = {
        "type": "object",
        "required": ["version", "records", "next_after"],
        "properties": {
            "version": {"const": "1"},
            "records": {"type": "array", "items": record},
            "next_after": {"type": ["integer", "null"]},
        },
    }
    parameters = [
        {"name": "X-API-Key", "in": "header", "required": True, "schema": {"type": "string"}},
        _query("updated_since", "W3C datetime: dossiers whose timeline changed after it."),
        _query(
            "after",
            "The last id of the previous page (X-Next-After).",
            {"type": "integer", "minimum": 0, "maximum": 99999999999},
        ),
    ]
    responses = {"400": error, "403": error, "429": error}
    stats_parameters = [
        parameters[0],
        _query("day", "A local day, YYYY-MM-DD (default: yesterday); not in the future."),
    ]
    figures = {
        "type": "object",
        "required": ["figures", "indicators", "groups", "total_points", "max_points"],
        "properties": {
            "figures": {"type": "object"},
            "indicators": {"type": "object"},
            "groups": {"type": "object"},
            "total_points": {"type": ["number", "null"]},
            "max_points": {"type": ["number", "null"]},
        },
    }
    feed = {
        "type": "object",
        "required": ["version", "day", "agencies"],
        "properties": {
            "version": {"const": "1"},
            "day": {"type": "string"},
            "agencies": {"type": "array", "items": figures},
            "province": figures,
        },
    }
    return {
        "/exports/v1/statistics.json": {
            "get": {
                "summary": "Decision 766 figures and points per agency for one day (the IOC's feed), version 1",
                "parameters": stats_parameters,
                "responses": {"200": {"description": "OK", "content": _json(feed)}, **responses},
            }
        },
        "/exports/v1/dossiers.json": {
            "get": {
                "summary": "Dossiers in the national portal's synchronisation layout, version 1 (JSON)",
                "parameters": parameters,
                "responses": {"200": {"description": "OK", "content": _json(body)}, **responses},
            }
        },
        "/exports/v1/dossiers.csv": {
            "get": {
                "summary": "The same as CSV (UTF-8 with BOM, the same field order)",
                "parameters": parameters,
                "responses": {
                    "200": {"description": "OK", "content": {"text/csv": {"schema": {"type": "string"}}}},
                    **responses,
                },
            }
        },
    }
