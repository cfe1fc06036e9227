"""The request id: taken from a trusted proxy only when well formed, returned in X-Request-ID, quoted on the
error pages, and on every JSON log line of the app and of gunicorn (PORTAL_LOG_FORMAT=json)."""

from __future__ import annotations

import json
import logging
import re
import runpy
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from portal import create_app, logs
from portal.access_log import REDACTED
from portal.settings import ROOT, Settings, SettingsError

NGINX_ID = "0f3c2b1a9d8e7f6a5b4c3d2e1f0a9b8c"  # the shape of nginx's $request_id
GENERATED = re.compile(r"[0-9a-f]{32}")


def client_of(tmp_path, **overrides):
    app = create_app(Settings.for_tests(tmp_path, **overrides))

    @app.get("/_log")
    def log_something():
        app.logger.warning("something to log")
        return "logged"

    @app.get("/_boom")
    def boom():
        raise RuntimeError("secret detail /feedback/t/abc")

    return app, app.test_client()


def test_made_here_without_a_trusted_proxy(tmp_path):
    _, client = client_of(tmp_path)
    response = client.get("/healthz", headers={"X-Request-ID": NGINX_ID})
    assert response.headers["X-Request-ID"] != NGINX_ID  # a client cannot choose it
    assert GENERATED.fullmatch(response.headers["X-Request-ID"])
    assert client.get("/healthz").headers["X-Request-ID"] != response.headers["X-Request-ID"]


def test_taken_from_a_trusted_proxy_when_well_formed(tmp_path):
    _, client = client_of(tmp_path, trusted_proxies=1)
    assert client.get("/healthz", headers={"X-Request-ID": NGINX_ID}).headers["X-Request-ID"] == NGINX_ID
    uuid = "123e4567-e89b-12d3-a456-426614174000"
    assert client.get("/healthz", headers={"X-Request-ID": uuid}).headers["X-Request-ID"] == uuid
    for malformed in (
        "short",
        "a" * 65,
        "abc def ghi jkl",
        "<script>alert(1)</script>",
        "id;X-Evil=1",
        "0f3c2b1a 9d8e7f6a",
    ):
        seen = client.get("/healthz", headers={"X-Request-ID": malformed}).headers["X-Request-ID"]
        assert GENERATED.fullmatch(seen), malformed


@pytest.mark.parametrize(("lang", "line"), [("vi", "Mã tham chiếu: "), ("en", "Reference code: ")])
def test_error_pages_show_the_request_id(tmp_path, lang, line):
    _, client = client_of(tmp_path, trusted_proxies=1)
    response = client.get(f"/khong-co-trang-nay?lang={lang}", headers={"X-Request-ID": NGINX_ID})
    assert response.status_code == 404
    assert f"{line}{NGINX_ID}" in response.get_data(as_text=True)


def test_a_crash_shows_the_id_and_logs_the_trace_not_the_user(tmp_path, caplog):
    _, client = client_of(tmp_path)
    with caplog.at_level(logging.ERROR, logger="portal"):
        response = client.get("/_boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert f"Mã tham chiếu: {request_id}" in body
    assert "Traceback" not in body and "secret detail" not in body and "RuntimeError" not in body
    assert any(record.exc_info for record in caplog.records)  # the operator has the trace, in the log


@pytest.fixture
def json_logs():
    """JSON logging changes process-wide loggers (root's handler, the "portal" logger): restore them."""
    from flask.logging import default_handler

    portal_logger = logging.getLogger("portal")
    handlers, level = list(portal_logger.handlers), portal_logger.level
    yield
    logs.remove_json_handler()
    portal_logger.handlers[:] = handlers
    portal_logger.setLevel(level)
    assert default_handler in handlers or not handlers


def test_json_log_lines_of_the_app_carry_the_request_id(tmp_path, capsys, json_logs):
    _, client = client_of(tmp_path, log_format="json")
    logging.getLogger("huey.consumer").warning("a library speaks")
    response = client.get("/_log")
    crash = client.get("/_boom")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    warning = next(line for line in lines if line["message"] == "something to log")
    assert warning["request_id"] == response.headers["X-Request-ID"]
    assert warning["level"] == "warning" and warning["logger"] == "portal"
    error = next(line for line in lines if line["message"] == "unhandled error")
    assert error["request_id"] == crash.headers["X-Request-ID"]
    assert "RuntimeError" in error["exception"]  # the whole trace in one JSON string, one line
    library = next(line for line in lines if line["message"] == "a library speaks")
    assert library["logger"] == "huey.consumer" and library["request_id"] is None


def test_text_logs_stay_the_default(tmp_path, caplog):
    _, client = client_of(tmp_path)
    with caplog.at_level(logging.WARNING, logger="portal"):
        client.get("/_log")
    assert "something to log" in caplog.messages
    assert not any(getattr(handler, "_portal_json", False) for handler in logging.getLogger().handlers)


def test_log_format_setting(tmp_path):
    base = {"PORTAL_INSTANCE_PATH": str(tmp_path)}
    assert Settings.from_env(base).log_format == "text"
    assert Settings.from_env({**base, "PORTAL_LOG_FORMAT": "json"}).log_format == "json"
    with pytest.raises(SettingsError, match="PORTAL_LOG_FORMAT must be 'text' or 'json'"):
        Settings.from_env({**base, "PORTAL_LOG_FORMAT": "xml"})


def gunicorn_lines(tmp_path, monkeypatch) -> tuple[list[dict], list[dict]]:
    """One request through the logger gunicorn.conf.py picks with PORTAL_LOG_FORMAT=json; both logs' lines."""
    monkeypatch.setenv("PORTAL_LOG_FORMAT", "json")
    shipped = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert shipped["logger_class"] == "portal.access_log.JsonLogger"
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("errorlog", str(tmp_path / "error.log"))
    config.set("logger_class", shipped["logger_class"])
    logger = config.logger_class(config)
    token = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/feedback/t/{token}?lang=vi",
        "PATH_INFO": f"/feedback/t/{token}",
        "QUERY_STRING": "lang=vi",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://dichvucong.sonla.gov.vn/feedback/t/{token}",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    response = SimpleNamespace(status="200 OK", headers=[("X-Request-ID", NGINX_ID)], sent=1234)
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))
    logger.info("Booting worker with pid: %s", 42)
    for log in (logger.access_log, logger.error_log):  # gunicorn's loggers are global: leave them clean
        for handler in list(log.handlers):
            log.removeHandler(handler)
            handler.close()
    assert token not in (tmp_path / "access.log").read_text()

    def read(name):
        return [json.loads(line) for line in (tmp_path / name).read_text().splitlines()]

    return read("access.log"), read("error.log")


def test_gunicorn_json_logs(tmp_path, monkeypatch):
    access, error = gunicorn_lines(tmp_path, monkeypatch)
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == NGINX_ID
    assert line["path"] == f"/feedback/t/{REDACTED}"
    assert line["referer"] == f"https://dichvucong.sonla.gov.vn/feedback/t/{REDACTED}"
    assert (line["status"], line["bytes"], line["duration_ms"], line["remote_addr"]) == (
        200,
        1234,
        12,
        "203.0.113.9",
    )
    assert error == [
        {
            "time": error[0]["time"],
            "level": "info",
            "logger": "gunicorn.error",
            "message": "Booting worker with pid: 42",
            "request_id": None,
        }
    ]


def test_gunicorn_text_logs_by_default(monkeypatch):
    monkeypatch.delenv("PORTAL_LOG_FORMAT", raising=False)
    assert (
        runpy.run_path(str(ROOT / "gunicorn.conf.py"))["logger_class"] == "portal.access_log.RedactingLogger"
    )
