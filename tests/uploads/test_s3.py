"""The S3 store when the store misbehaves: unreachable, or accepting connections and never answering. A
request then answers a translated 503 (with Retry-After), never a stack trace, and is not held for ever:
the client's timeouts and retries are bounded (portal.uploads.s3). Each test sets its own store, so it
runs once (own_store), whatever store the app was built with."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from babel.support import Translations

from portal.settings import ROOT
from portal.uploads import s3, storage
from portal.uploads.s3 import S3Store
from tests.support.clients import fresh_client, signed_in
from tests.support.feedback import feedback_count, make_item, web_submit
from tests.support.files import jpeg_bytes

VI = Translations.load(str(ROOT / "translations"), ["vi"])
TITLE = "Files are unavailable"

pytestmark = [pytest.mark.own_store, pytest.mark.usefixtures("s3_server")]  # s3_server: credentials


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture
def silent_server() -> Iterator[str]:
    """An address that accepts connections (the kernel completes them) and never answers a byte."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def use_store(app, monkeypatch, endpoint: str) -> S3Store:
    store = S3Store("portal-uploads", "uploads/", endpoint, "us-east-1")
    monkeypatch.setitem(app.extensions, storage.EXTENSION, store)
    return store


def assert_translated_503(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    text = response.get_data(as_text=True)
    assert VI.gettext(TITLE) != TITLE and VI.gettext(TITLE) in text
    assert "Traceback" not in text and "botocore" not in text and "Endpoint" not in text


def test_the_client_is_bounded_by_timeouts_and_retries(app, monkeypatch):
    config = use_store(app, monkeypatch, f"http://127.0.0.1:{closed_port()}").client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (s3.CONNECT_TIMEOUT, s3.READ_TIMEOUT)
    assert config.retries == {"total_max_attempts": s3.ATTEMPTS, "mode": "standard"}
    assert s3.ATTEMPTS * (s3.CONNECT_TIMEOUT + s3.READ_TIMEOUT) < 60  # gunicorn.conf.py's timeout


def test_an_unreachable_store_makes_a_download_a_translated_503(app, monkeypatch):
    item = make_item(photos=(jpeg_bytes(),))  # stored in the app's own store
    use_store(app, monkeypatch, f"http://127.0.0.1:{closed_port()}")
    assert_translated_503(signed_in(app, "processor").get(f"/feedback/photos/{item.photos[0].stored_name}"))


def test_an_unreachable_store_makes_an_upload_a_translated_503_and_stores_no_row(app, monkeypatch):
    use_store(app, monkeypatch, f"http://127.0.0.1:{closed_port()}")
    before = feedback_count()
    assert_translated_503(web_submit(fresh_client(app), photos=[(jpeg_bytes(), "a.jpg")]))
    assert feedback_count() == before


def test_a_store_that_never_answers_times_out_into_a_503(app, monkeypatch, silent_server):
    monkeypatch.setattr(s3, "READ_TIMEOUT", 1)  # the bound is what is tested, not its length
    item = make_item(photos=(jpeg_bytes(),))
    use_store(app, monkeypatch, silent_server)
    assert_translated_503(signed_in(app, "processor").get(f"/feedback/photos/{item.photos[0].stored_name}"))


def test_check_files_reports_an_unreachable_store_without_a_traceback(app, monkeypatch):
    use_store(app, monkeypatch, f"http://127.0.0.1:{closed_port()}")
    result = app.test_cli_runner().invoke(args=["check-files"])
    assert result.exit_code == 1
    assert "the upload store could not be read" in result.output and "Traceback" not in result.output
