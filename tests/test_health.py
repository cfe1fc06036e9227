"""/healthz (liveness, touches nothing) and /readyz (database, Redis when configured, file storage)."""

from __future__ import annotations

from portal import create_app, health
from portal.settings import Settings

CLOSED_REDIS = "redis://127.0.0.1:1/0"


def test_readyz_names_redis_when_configured_and_down(tmp_path):
    app = create_app(Settings.for_tests(tmp_path, redis_url=CLOSED_REDIS))
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"] == "unavailable"
    body = response.get_data(as_text=True)
    for leak in ("127.0.0.1", ":1", "redis://", "Connection", "refused", "Error"):
        assert leak not in body, leak
    assert client.get("/healthz").status_code == 200


def test_readyz_with_redis_up(tmp_path):
    app = create_app(Settings.for_tests(tmp_path, redis_url="redis://127.0.0.1:6379/15"))
    with app.app_context():
        from portal.extensions import db

        db.create_all()
    response = app.test_client().get("/readyz")
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "storage": "ok"},
    }


def test_a_failing_storage_check_makes_the_node_unready(tmp_path):
    app = create_app(Settings.for_tests(tmp_path))

    def unreachable() -> None:
        raise OSError("bucket away")

    health.add_check(app, "storage", unreachable)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["storage"] == "unavailable"
    assert "bucket" not in response.get_data(as_text=True)


def test_readyz_checks_the_s3_store(tmp_path, s3_server):
    bucket = s3_server.new_bucket()
    ready = create_app(Settings.for_tests(tmp_path / "up", **s3_server.settings(bucket)))
    with ready.app_context():
        from portal.extensions import db

        db.create_all()
    assert ready.test_client().get("/readyz").get_json()["checks"]["storage"] == "ok"
    closed = {**s3_server.settings(bucket), "s3_endpoint_url": "http://127.0.0.1:1"}
    away = create_app(Settings.for_tests(tmp_path / "away", **closed))
    response = away.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["storage"] == "unavailable"
    assert bucket not in response.get_data(as_text=True)
