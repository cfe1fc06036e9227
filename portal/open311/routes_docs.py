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


EXAMPLES = """curl '{base}/open311/v2/services.xml'
curl '{base}/open311/v2/requests.json?status=open&page_size=50&lang=en'
curl -d api_key=$KEY -d service_code=giao-thong -d lat=21.3256 -d long=103.9188 \\
  -d 'attribute[commune]=03670' -d 'attribute[consent]=yes' -d phone=0912345678 \\
  --data-urlencode 'description=Sạt lở đường vào bản Hua La' \\
  '{base}/open311/v2/requests.json'"""


@bp.get("/api")
def page():
    base = current_app.config["PORTAL_SETTINGS"].base_url
    return render_template(
        "open311/api.html", examples=EXAMPLES.format(base=base), jurisdiction=jurisdiction()
    )
