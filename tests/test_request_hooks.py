"""The fixed per-request hooks made cheaper without changing an answer (bench/notes/overhead3.md): the
security headers appended as one precomputed block, Flask-WTF's hook asked only for the methods it checks,
the request id and the metrics read without repeated context look-ups."""

from __future__ import annotations

import flask_wtf.csrf
import pytest
from flask import Response, g
from werkzeug.datastructures import Headers

from portal.metrics import REQUEST_SECONDS
from tests.tracking.test_page_cache import csrf_on  # noqa: F401 (a fixture)

SECURITY = [
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
    "Permissions-Policy",
]


def _hook(app, name: str):
    return next(hook for hook in app.after_request_funcs[None] if hook.__name__ == name)


def test_the_security_headers_are_each_sent_once_in_their_order(client):
    response = client.get("/healthz")
    names = [name for name, _ in response.headers if name in SECURITY]
    assert names == SECURITY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(self)"


def test_a_plain_answer_gets_the_block_without_a_header_checked_again(app, monkeypatch):
    """Fails on the old code: each of the six headers went through werkzeug's `add` (its value check)."""
    added: list[str] = []
    add = Headers.add

    def counted(self, key, value, **kwargs):
        added.append(key)
        return add(self, key, value, **kwargs)

    with app.test_request_context("/healthz"):
        response = Response("ok")
        monkeypatch.setattr(Headers, "add", counted)
        _hook(app, "set_security_headers")(response)
    assert added == []
    assert [name for name, _ in response.headers if name in SECURITY] == SECURITY


def test_a_view_that_set_one_of_them_keeps_its_policy_and_gets_ours_for_the_rest(app):
    with app.test_request_context("/healthz"):
        response = Response(
            "ok", headers={"Content-Security-Policy": "default-src 'none'", "X-Frame-Options": "x"}
        )
        _hook(app, "set_security_headers")(response)
    assert response.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert response.headers.getlist("X-Frame-Options") == ["DENY"]
    assert [name for name, _ in response.headers if name in SECURITY][-1] == "Permissions-Policy"


@pytest.mark.usefixtures("csrf_on")
def test_flask_wtfs_hook_is_not_asked_about_a_get(app, client, monkeypatch):
    """Fails on the old code: Flask-WTF looked up the view's exemption on every GET, then checked nothing."""
    asked: list[str] = []
    exempt = flask_wtf.csrf.CSRFProtect._is_exempt

    def counted(self):
        asked.append("asked")
        return exempt(self)

    monkeypatch.setattr(flask_wtf.csrf.CSRFProtect, "_is_exempt", counted)
    assert client.get("/healthz").status_code == 200
    assert asked == []
    assert client.post("/login", data={"email": "x@example.com", "password": "x"}).status_code == 400
    assert asked == ["asked"]  # a POST: Flask-WTF's own check, exemptions first


@pytest.mark.usefixtures("csrf_on")
def test_an_exempt_view_is_still_exempt(app, client):
    """/sms/inbound is exempt (its own signature): a POST without a token is not refused for the token."""
    response = client.post("/sms/inbound", data=b"{}", content_type="application/json")
    assert response.status_code != 400


def test_the_request_id_header_is_the_one_the_request_used(app):
    with app.test_request_context("/healthz"):
        g.request_id = "abcdef0123456789"
        response = _hook(app, "send_request_id")(Response("ok"))
    assert response.headers["X-Request-ID"] == "abcdef0123456789"


def test_a_request_id_from_a_proxy_follows_the_settings_of_the_moment(app, client, monkeypatch):
    from dataclasses import replace

    sent = {"X-Request-ID": "proxy-id-1234567890"}
    assert client.get("/healthz", headers=sent).headers["X-Request-ID"] != sent["X-Request-ID"]
    trusting = replace(app.config["PORTAL_SETTINGS"], trusted_proxies=1)
    monkeypatch.setitem(app.config, "PORTAL_SETTINGS", trusting)
    assert client.get("/healthz", headers=sent).headers["X-Request-ID"] == sent["X-Request-ID"]


@pytest.mark.parametrize(
    ("method", "path", "endpoint", "status"),
    [
        ("GET", "/healthz", "healthz", "2xx"),
        ("POST", "/no-such-page", "unmatched", "4xx"),
    ],
)
def test_latency_is_counted_per_endpoint_method_and_status_class(client, method, path, endpoint, status):
    def count() -> float:
        samples = REQUEST_SECONDS.labels(endpoint, method, status).collect()[0].samples
        return next(sample.value for sample in samples if sample.name.endswith("_count"))

    before = count()
    client.open(path, method=method)
    assert count() == before + 1
