"""/metrics: latency by route endpoint (never the raw path), registered readings, and not public."""

from __future__ import annotations

import pytest

from portal import create_app, metrics
from portal.settings import Settings, SettingsError

TOKEN = "metrics-token-" + "t" * 32
LOOPBACK = {"REMOTE_ADDR": "127.0.0.1"}
PUBLIC = {"REMOTE_ADDR": "203.0.113.5"}


def app_with(tmp_path, **overrides):
    return create_app(Settings.for_tests(tmp_path, **overrides))


def test_a_public_request_gets_404(tmp_path):
    client = app_with(tmp_path).test_client()
    response = client.get("/metrics", environ_base=PUBLIC)
    assert response.status_code == 404
    assert "portal_request" not in response.get_data(as_text=True)
    assert client.get("/metrics", environ_base=LOOPBACK).status_code == 200


def test_through_a_proxy_every_address_must_be_allowed(tmp_path):
    """nginx connects from loopback but forwards a public client: 404. And a client that connects from
    outside cannot claim loopback with a header of its own."""
    client = app_with(tmp_path, trusted_proxies=1).test_client()
    forwarded_public = client.get(
        "/metrics", environ_base=LOOPBACK, headers={"X-Forwarded-For": "203.0.113.5"}
    )
    assert forwarded_public.status_code == 404
    spoofed = client.get("/metrics", environ_base=PUBLIC, headers={"X-Forwarded-For": "127.0.0.1"})
    assert spoofed.status_code == 404
    local = client.get("/metrics", environ_base=LOOPBACK, headers={"X-Forwarded-For": "127.0.0.1"})
    assert local.status_code == 200


def test_bearer_token(tmp_path):
    client = app_with(tmp_path, metrics_token=TOKEN, metrics_allow=()).test_client()
    assert client.get("/metrics", environ_base=LOOPBACK).status_code == 404  # no address is allowed
    good = client.get("/metrics", environ_base=PUBLIC, headers={"Authorization": f"Bearer {TOKEN}"})
    assert good.status_code == 200
    assert good.headers["Cache-Control"] == "no-store"
    wrong = client.get("/metrics", environ_base=PUBLIC, headers={"Authorization": f"Bearer {TOKEN}x"})
    assert wrong.status_code == 404


def test_latency_by_endpoint_never_by_path(tmp_path):
    client = app_with(tmp_path).test_client()
    token = "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA"
    client.get(f"/feedback/t/{token}")
    client.get("/healthz")
    client.get("/no-such-page-xyz")
    text = client.get("/metrics", environ_base=LOOPBACK).get_data(as_text=True)
    assert 'portal_request_duration_seconds_count{endpoint="health.healthz"' not in text  # not a blueprint
    assert 'endpoint="healthz",method="GET",status="2xx"' in text
    assert 'endpoint="unmatched",method="GET",status="4xx"' in text
    assert token not in text and "no-such-page" not in text


def test_registered_readings(tmp_path):
    app = app_with(tmp_path)
    metrics.register(app, "portal_test_depth", "Jobs waiting.", lambda: 7)
    metrics.register(app, "portal_test_failures", "Jobs that failed.", lambda: 3, kind="counter")

    def away() -> float:
        raise ConnectionError("redis away")

    metrics.register(app, "portal_broken", "A source that is away.", away)
    text = app.test_client().get("/metrics", environ_base=LOOPBACK).get_data(as_text=True)
    assert "portal_test_depth 7.0" in text
    assert "portal_test_failures_total 3.0" in text
    assert "portal_broken" not in text  # left out; the scrape still answers
    with pytest.raises(ValueError, match="registered twice"):
        metrics.register(app, "portal_test_depth", "again", lambda: 1)


def test_metrics_settings(tmp_path):
    base = {"PORTAL_INSTANCE_PATH": str(tmp_path)}
    assert Settings.from_env(base).metrics_allow == ("127.0.0.0/8", "::1/128")
    assert Settings.from_env({**base, "PORTAL_METRICS_ALLOW": "10.0.0.5, 192.168.1.0/24"}).metrics_allow == (
        "10.0.0.5/32",
        "192.168.1.0/24",
    )
    assert Settings.from_env({**base, "PORTAL_METRICS_ALLOW": ""}).metrics_allow == ()
    with pytest.raises(SettingsError, match="PORTAL_METRICS_ALLOW: 'prometheus' is not an IP"):
        Settings.from_env({**base, "PORTAL_METRICS_ALLOW": "prometheus"})
    with pytest.raises(SettingsError, match="PORTAL_METRICS_TOKEN must be at least 32"):
        Settings.from_env({**base, "PORTAL_METRICS_TOKEN": "short"})


def test_gunicorn_prepares_and_removes_the_metrics_folder(monkeypatch, tmp_path):
    """gunicorn.conf.py: a private folder when none is given (removed at exit); an operator's folder is
    emptied of the last run's files; a dead worker's live gauges go with it."""
    import os
    import runpy
    from types import SimpleNamespace

    from portal.settings import ROOT

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "placeholder")  # restored (removed) after the test
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ  # loading the file sets nothing
    private = config["prepare_metrics_folder"]()
    assert private.is_dir() and os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(private)
    config["on_exit"](SimpleNamespace())
    assert not private.exists()

    given = tmp_path / "metrics"
    given.mkdir()
    (given / "counter_123.db").write_bytes(b"old run")
    (given / "gauge_livesum_456.db").write_bytes(b"a live gauge")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(given))
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["prepare_metrics_folder"]() == given
    assert list(given.iterdir()) == []
    (given / "gauge_livesum_456.db").write_bytes(b"a live gauge")
    config["child_exit"](SimpleNamespace(), SimpleNamespace(pid=456))
    assert not (given / "gauge_livesum_456.db").exists()
    config["on_exit"](SimpleNamespace())
    assert given.is_dir()  # the operator's folder stays


def test_the_job_queue_is_on_metrics(app, client):
    """Read from the outbox at each scrape (the suite's transaction is rolled back afterwards)."""
    from portal.db_types import utcnow
    from portal.extensions import db
    from portal.jobs.models import DONE, FAILED, PENDING, OutboxJob

    def values() -> tuple[float, float]:
        lines = client.get("/metrics", environ_base=LOOPBACK).get_data(as_text=True).splitlines()
        depth = next(line for line in lines if line.startswith("portal_job_queue_depth "))
        failed = next(line for line in lines if line.startswith("portal_jobs_failed "))
        return float(depth.split()[1]), float(failed.split()[1])

    depth, failed = values()
    now = utcnow()
    for number, status in enumerate((PENDING, PENDING, FAILED, DONE)):
        db.session.add(
            OutboxJob(
                kind="mail", key=f"test:metrics:{number}", status=status, created_at=now, next_attempt_at=now
            )
        )
    db.session.flush()
    assert values() == (depth + 2, failed + 1)
