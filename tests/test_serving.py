"""Serving set-up: gunicorn.conf.py (worker count vs Redis), the redacting access log, PORTAL_TRUSTED_PROXIES,
and the nginx configuration in deploy/."""

from __future__ import annotations

import importlib.util
import os
import runpy
import secrets
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import request
from gunicorn.config import Config
from gunicorn.glogging import Logger

from portal import create_app
from portal.access_log import REDACTED, redact
from portal.settings import ROOT, Settings, SettingsError

GUNICORN_CONF = ROOT / "gunicorn.conf.py"
FEEDBACK_TOKEN = secrets.token_urlsafe(24)  # as feedback/operations.py makes them
DOSSIER_TOKEN = secrets.token_hex(24)  # as dossiers/operations.py makes them


# --- gunicorn.conf.py ------------------------------------------------------------------------------------


def load_config(monkeypatch, **env: str) -> dict:
    for name in ("REDIS_URL", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_one_gevent_process_without_redis(monkeypatch):
    config = load_config(monkeypatch)
    assert config["workers"] == 1
    assert config["worker_class"] == "gevent"
    assert config["accesslog"] == "-"  # make run keeps the access log on stdout
    assert config["bind"] == ["127.0.0.1:8000"]


def test_with_redis_the_usual_two_per_core_plus_one(monkeypatch):
    config = load_config(monkeypatch, REDIS_URL="redis://127.0.0.1:6379/0")
    assert config["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert load_config(monkeypatch, REDIS_URL="redis://127.0.0.1:6379/0", WEB_CONCURRENCY="3")["workers"] == 3


@pytest.mark.parametrize("value", ["3", "2"])
def test_several_processes_without_redis_are_refused(monkeypatch, value):
    with pytest.raises(SystemExit) as refused:
        load_config(monkeypatch, WEB_CONCURRENCY=value)
    assert f"Refusing to start {value} worker processes without REDIS_URL" in str(refused.value.code)


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_a_meaningless_worker_count_is_refused(monkeypatch, value):
    with pytest.raises(SystemExit) as refused:
        load_config(monkeypatch, REDIS_URL="redis://127.0.0.1:6379/0", WEB_CONCURRENCY=value)
    assert "WEB_CONCURRENCY must be a number of worker processes" in str(refused.value.code)


def test_gunicorn_refuses_workers_given_on_the_command_line_without_redis(tmp_path):
    """`gunicorn --workers 3 wsgi:app` (the old make run) reads gunicorn.conf.py and stops before serving."""
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "WEB_CONCURRENCY")}
    env["PORTAL_INSTANCE_PATH"] = str(tmp_path)
    command = [sys.executable, "-m", "gunicorn", "--workers", "3", "--bind", "127.0.0.1:0", "wsgi:app"]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # noqa: S603
    assert result.returncode == 2
    assert "Refusing to start 3 worker processes without REDIS_URL" in result.stdout + result.stderr
    assert "Booting worker" not in result.stdout + result.stderr


def test_adding_workers_at_run_time_is_undone_without_redis(monkeypatch):
    config = load_config(monkeypatch)
    errors = []
    server = SimpleNamespace(num_workers=2, log=SimpleNamespace(error=errors.append))
    config["nworkers_changed"](server, 2, 1)  # kill -TTIN
    assert server.num_workers == 1
    assert errors and "REDIS_URL" in errors[0]


# --- the access log ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "logged"),
    [
        (f"GET /feedback/t/{FEEDBACK_TOKEN} HTTP/1.1", f"GET /feedback/t/{REDACTED} HTTP/1.1"),
        (f"/feedback/t/{FEEDBACK_TOKEN}/qr.svg", f"/feedback/t/{REDACTED}/qr.svg"),
        (f"/dossiers/t/HS-2026-0001/{DOSSIER_TOKEN}", f"/dossiers/t/HS-2026-0001/{REDACTED}"),
        ("/feedback/t/short", f"/feedback/t/{REDACTED}"),  # a private-link segment whatever its length
        ("/reset/Im5vbmNlIg.Z1x2y3.abc_DEF-123?next=/staff", f"/reset/{REDACTED}?next=/staff"),
        (
            f"https://dichvucong.sonla.gov.vn/feedback/t/{FEEDBACK_TOKEN}",
            f"https://dichvucong.sonla.gov.vn/feedback/t/{REDACTED}",
        ),
        ("GET /login?token=abc&next=/x HTTP/1.1", f"GET /login?token={REDACTED}&next=/x HTTP/1.1"),
        ("reset_token=abc&lang=vi", f"reset_token={REDACTED}&lang=vi"),  # the bare query string atom
        ("/api?API_KEY=k1;password=p2", f"/api?API_KEY={REDACTED};password={REDACTED}"),
        (f"/files/{'a' * 32}-{'b' * 16}.pdf", f"/files/{REDACTED}.pdf"),  # any long token-like segment
    ],
)
def test_redact_removes_secrets(original, logged):
    assert redact(original) == logged


@pytest.mark.parametrize(
    "harmless",
    [
        "GET / HTTP/1.1",
        "/procedures/1.001193",
        "/dossiers/HS-2026-0001/receipt",
        "/track?code=PA-20261205-0001",
        "/feedback?q=duong+hong&category=giao-thong",
        "/static/vendor/leaflet/leaflet.css",
        "/payments/SL2612050001/qr.png",
    ],
)
def test_redact_leaves_ordinary_urls_alone(harmless):
    assert redact(harmless) == harmless


def access_log_line(tmp_path, logger_class: str | None = None) -> str:
    """One request through the logger of gunicorn.conf.py (or `logger_class`), called as gunicorn does."""
    shipped = runpy.run_path(str(GUNICORN_CONF))
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("access_log_format", shipped["access_log_format"])
    config.set("logger_class", logger_class or shipped["logger_class"])
    logger = config.logger_class(config)
    raw_uri = f"/dossiers/t/HS-2026-0001/{DOSSIER_TOKEN}?token={FEEDBACK_TOKEN}"
    referer = f"https://dichvucong.sonla.gov.vn/feedback/t/{FEEDBACK_TOKEN}"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "PATH_INFO": raw_uri.split("?")[0],
        "QUERY_STRING": raw_uri.split("?")[1],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    response = SimpleNamespace(status="302 FOUND", headers=[("Location", "/dossiers/HS-2026-0001")], sent=0)
    request_ = SimpleNamespace(headers=[("REFERER", referer), ("USER-AGENT", "Mozilla/5.0")])
    logger.access(response, request_, environ, timedelta(milliseconds=12))
    for log in (logger.access_log, logger.error_log):  # gunicorn's loggers are global: leave them clean
        for handler in list(log.handlers):
            log.removeHandler(handler)
            handler.close()
    return (tmp_path / "access.log").read_text()


def test_gunicorn_access_log_never_holds_a_private_link_token(tmp_path):
    line = access_log_line(tmp_path)
    assert FEEDBACK_TOKEN not in line and DOSSIER_TOKEN not in line
    assert f'"GET /dossiers/t/HS-2026-0001/{REDACTED}?token={REDACTED} HTTP/1.1" 302' in line
    assert f'"https://dichvucong.sonla.gov.vn/feedback/t/{REDACTED}"' in line
    assert line.startswith("203.0.113.9 ")


def test_gunicorn_default_logger_would_log_the_token(tmp_path):
    """The reason for the class: gunicorn's own logger writes the request line as it came."""
    line = access_log_line(tmp_path, logger_class=f"{Logger.__module__}.{Logger.__name__}")
    assert DOSSIER_TOKEN in line


# --- PORTAL_TRUSTED_PROXIES -----------------------------------------------------------------------------


def test_trusted_proxies_setting(tmp_path):
    base = {"PORTAL_INSTANCE_PATH": str(tmp_path)}
    assert Settings.from_env(base).trusted_proxies == 0
    assert Settings.from_env({**base, "PORTAL_TRUSTED_PROXIES": "1"}).trusted_proxies == 1
    assert Settings.from_env({**base, "PORTAL_TRUSTED_PROXIES": " "}).trusted_proxies == 0
    for bad in ("-1", "one", "1.5", "6", "１"):
        with pytest.raises(SettingsError) as refused:
            Settings.from_env({**base, "PORTAL_TRUSTED_PROXIES": bad})
        assert "PORTAL_TRUSTED_PROXIES must be the number of reverse proxies" in str(refused.value)


def client_seen_from(tmp_path, hops: int):
    """A test client of an app with `hops` trusted proxies and a page that answers what the app sees."""
    app = create_app(Settings.for_tests(tmp_path, trusted_proxies=hops))

    @app.get("/_seen")
    def seen():
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    return app.test_client()


def test_without_trusted_proxies_forwarded_headers_are_ignored(tmp_path):
    client = client_seen_from(tmp_path, 0)
    seen = client.get(
        "/_seen",
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
        headers={
            "X-Forwarded-For": "198.51.100.1",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "evil.example",
        },
    ).json
    assert seen == {"addr": "203.0.113.9", "scheme": "http", "host": "localhost"}


def test_one_trusted_proxy_gives_the_address_it_appended(tmp_path):
    client = client_seen_from(tmp_path, 1)
    # nginx appends the address it saw to whatever the client sent: only that last entry is believed.
    seen = client.get(
        "/_seen",
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={
            "X-Forwarded-For": "198.51.100.1, 203.0.113.9",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "dichvucong.sonla.gov.vn",
        },
    ).json
    assert seen == {"addr": "203.0.113.9", "scheme": "https", "host": "dichvucong.sonla.gov.vn"}


# --- deploy/nginx/portal.conf ---------------------------------------------------------------------------


def _harness():
    spec = importlib.util.spec_from_file_location("serving_harness", ROOT / "bench" / "serving_harness.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not shutil.which("nginx", path="/usr/sbin:/usr/bin"), reason="nginx is not installed")
def test_nginx_access_log_never_holds_a_private_link_token(tmp_path):
    """The shipped file, run by nginx (gunicorn absent: a 502 is logged like any answer)."""
    harness = _harness()
    port, upstream = harness.free_port(), harness.free_port()
    referer = f"https://dichvucong.sonla.gov.vn/feedback/t/{FEEDBACK_TOKEN}"
    with harness.nginx(tmp_path / "nginx", port, upstream):
        for path in (
            f"/feedback/t/{FEEDBACK_TOKEN}",
            f"/dossiers/t/HS-2026-0001/{DOSSIER_TOKEN}?x=1",
            f"/track?reset_token={FEEDBACK_TOKEN}",
        ):
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(
                    urllib.request.Request(  # noqa: S310 - a loopback URL of ours
                        f"http://127.0.0.1:{port}{path}", headers={"Referer": referer}
                    ),
                    timeout=10,
                )
            assert answer.value.code == 502
            answer.value.close()
    log = (tmp_path / "nginx" / "access.log").read_text()
    assert FEEDBACK_TOKEN not in log and DOSSIER_TOKEN not in log
    assert f'/feedback/t/{REDACTED} HTTP/1.1" 502' in log
    assert f'/dossiers/t/HS-2026-0001/{REDACTED}?x=1 HTTP/1.1" 502' in log
    assert f'/track?{REDACTED} HTTP/1.1" 502' in log
    assert '"https://dichvucong.sonla.gov.vn"' in log  # the Referer's origin only


def test_each_request_lets_the_other_connections_run(monkeypatch):
    """After answering, the worker passes through gevent's hub before the connection's next request.

    Without it a keep-alive connection whose next request has already arrived is served again at once,
    and a few busy connections starve the rest (bare Flask under wrk: p50 0.5 ms, p99 480 ms).
    """
    import gevent

    config = load_config(monkeypatch)
    waiting = []
    gevent.spawn(waiting.append, "another connection's turn")
    config["post_request"](None, None, {}, None)
    assert waiting == ["another connection's turn"]


def test_a_loaded_worker_freezes_its_start_up_objects(monkeypatch):
    """Once the app is loaded, its objects are left out of the collector's full passes (gc.freeze), after a
    collection (no garbage frozen): a full collection no longer walks the ~220,000 objects of start-up."""
    import gc

    config = load_config(monkeypatch)
    gc.unfreeze()
    calls: list[str] = []
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append("collect") or 0)
    try:
        config["post_worker_init"](None)
        assert calls == ["collect"]
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_worker_stops_without_a_traceback(tmp_path):
    """Frozen objects left to the interpreter's teardown were finalised after gevent's modules were cleared:
    every stop printed "Exception ignored in _removeHandlerRef … TypeError" (worker_exit unfreezes them)."""
    import signal
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "WEB_CONCURRENCY")}
    env["PORTAL_INSTANCE_PATH"] = str(tmp_path)
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # any answer: the worker has loaded the app and frozen it
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)  # noqa: S310
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer")
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert "Booting worker" in output and "Worker exiting" in output
    assert "Traceback" not in output and "Exception ignored" not in output, output[-2000:]
