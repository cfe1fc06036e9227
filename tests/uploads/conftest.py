"""Every test here that uses the app runs twice: with the local upload folder and with the S3 store on a
moto server (tests/support/s3.py), on the same database. Tests of the local folder's own mechanics
(temporary file, fsync, rename, paths) carry @pytest.mark.local_storage, and tests that set a store of their
own carry @pytest.mark.own_store: both run once."""

from __future__ import annotations

import pytest

from portal.extensions import db
from tests.conftest import build_app


@pytest.fixture(scope="session", params=["local", "s3"])
def app(request, app, tmp_path_factory):
    if request.param == "local":
        yield app
        return
    server = request.getfixturevalue("s3_server")
    folder = tmp_path_factory.mktemp("instance-s3")
    url = app.config["SQLALCHEMY_DATABASE_URI"]  # already migrated and seeded by the suite's app
    application = build_app(folder, url, **server.settings(server.new_bucket()))
    application.extensions["portal.tests.s3_server"] = server  # for tests that need a bucket of their own
    yield application
    with application.app_context():
        db.engine.dispose()


def pytest_collection_modifyitems(config, items):
    local_only = [
        item
        for item in items
        if (item.get_closest_marker("local_storage") or item.get_closest_marker("own_store"))
        and getattr(getattr(item, "callspec", None), "params", {}).get("app") == "s3"
    ]
    if local_only:
        config.hook.pytest_deselected(items=local_only)
        items[:] = [item for item in items if item not in local_only]
