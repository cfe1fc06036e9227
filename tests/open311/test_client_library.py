"""An Open311 client nobody here wrote, against a live server: `georeport` 0.3.1 from PyPI.

georeport lists services, reads service definitions and reads requests; it has no method to create one, so
the report is posted as the GeoReport v2 spec describes (a form post with `requests`, the library's own
HTTP client), then read back through georeport in JSON and XML once the agency has published its answer
(unpublished reports are nobody's to read but the key that sent them: privacy, OPEN311.md §6). PyPI's two
Open311 clients that can post, `three` 0.8.0 and `open311` 1.1, are Python 2 code and fail to import on
Python 3 (`from itertools import ifilter`; `from api import API`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import requests
from georeport import GeoReport
from sqlalchemy import select

from portal.extensions import db
from portal.feedback.models import Feedback
from tests.support.databases import throwaway_database
from tests.support.feedback import publish
from tests.support.open311 import issue_key, report


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[tuple[str, object]]:
    from werkzeug.serving import make_server

    from tests.conftest import build_app, migrate_and_seed

    folder = tmp_path_factory.mktemp("open311-live")
    with throwaway_database(folder, "open311") as url:
        application = build_app(folder, url)
        migrate_and_seed(application)
        server = make_server("127.0.0.1", 0, application, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="open311-live-server", daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}", application
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            with application.app_context():
                db.engine.dispose()


def _first(value):
    """xmltodict gives one element as a dict and several as a list."""
    return value[0] if isinstance(value, list) else value


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_lists_services_creates_and_reads_back(live, fmt):
    base, application = live
    root = f"{base}/open311/v2"
    with application.app_context():
        _key, secret = issue_key(f"georeport {fmt}")
        db.session.commit()
    client = GeoReport(root, jurisdiction="localhost", api_key=secret, output_format=fmt)

    services = client.get_service_list()
    codes = [service["service_code"] for service in (services if isinstance(services, list) else [services])]
    assert "giao-thong" in codes
    definition = client.get_service_definition("giao-thong")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert {"commune", "consent"} <= {attribute["code"] for attribute in attributes}

    description = f"Cống thoát nước bị tắc trước chợ, nước tràn ra đường ({fmt})."
    posted = requests.post(f"{root}/requests.{fmt}", data=report(secret, description=description), timeout=30)
    assert posted.status_code == 201
    assert posted.headers["Content-Type"] == (
        "application/json; charset=utf-8" if fmt == "json" else "text/xml; charset=utf-8"
    )
    if fmt == "json":
        code = posted.json()[0]["service_request_id"]
    else:
        import xmltodict

        code = xmltodict.parse(posted.content)["service_requests"]["request"]["service_request_id"]

    with pytest.raises(requests.HTTPError):  # not published yet: as if it did not exist
        client.get_service_request(code)
    # The key that sent it may read it back before publication (georeport sends no key on a GET).
    own = requests.get(f"{root}/requests/{code}.{fmt}", params={"api_key": secret}, timeout=30)
    assert own.status_code == 200 and own.headers["Cache-Control"] == "private, no-store"
    assert code in own.text and "Cống thoát nước" in own.text
    with application.app_context():
        item = db.session.scalar(select(Feedback).where(Feedback.code == code))
        publish(item, answer="Đã cho công nhân thông cống.")
        db.session.commit()

    record = client.get_service_request(code)
    assert record["service_request_id"] == code
    assert record["service_code"] == "giao-thong" and record["description"] == description
    assert record["status"] == "closed" and record["status_notes"] == "Đã cho công nhân thông cống."
    assert record["requested_datetime"].endswith("+07:00")
    listed = client.get_service_requests(service_request_id=code)
    assert _first(listed)["service_request_id"] == code
    recent = client.get_service_requests(service_code="giao-thong", status="closed")
    assert code in [r["service_request_id"] for r in (recent if isinstance(recent, list) else [recent])]
