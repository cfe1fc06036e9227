"""/openapi.json (the machine endpoints' OpenAPI 3.1 description) and /api (a page for developers)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, render_template

from portal import http_cache

from .openapi import document
from .routes import jurisdiction

bp = Blueprint("open311_docs", __name__, template_folder="templates")


@bp.get("/openapi.json")
@http_cache.sessionless
def openapi():
    body = json.dumps(document(current_app.config["PORTAL_SETTINGS"].base_url), ensure_ascii=False, indent=1)
    return Response(body, content_type="application/json; charset=utf-8")


@bp.get("/api")
def page():
    base = current_app.config["PORTAL_SETTINGS"].base_url
    return render_template("open311/api.html", base=base, jurisdiction=jurisdiction())
