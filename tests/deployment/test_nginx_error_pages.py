"""nginx's own errors are the portal's pages (issue 18 item 1): a body over client_max_body_size (413) and
no app node answering (502) get static/errors/*.html in Vietnamese and English, through the shipped
deploy/nginx/portal.conf, never nginx's bare English page. The pages' texts are the catalogue's.

Runs Debian's nginx with the shipped server block (tests/support/nodes.py) and no app node at all.
"""

from __future__ import annotations

import http.client
import os
import subprocess

import pytest
from babel.messages.pofile import read_po

from portal.errors import MESSAGES
from portal.settings import ROOT
from tests.support import nodes
from tests.support.services import free_port

pytestmark = pytest.mark.skipif(not os.access(nodes.NGINX, os.X_OK), reason="Debian's nginx is not installed")


@pytest.fixture(scope="module")
def nginx_port(tmp_path_factory):
    prefix = tmp_path_factory.mktemp("nginx-errors")
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / kind).mkdir()
    port = free_port()
    dead = {name: (free_port(), free_port()) for name in ("a", "b")}  # nothing listens on the app ports
    config = prefix / "nginx.conf"
    config.write_text(nodes.nginx_config(prefix, port, dead))
    base = [nodes.NGINX, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config)]
    checked = subprocess.run([*base, "-t"], capture_output=True, text=True, timeout=30)  # noqa: S603
    assert checked.returncode == 0, checked.stderr
    with (prefix / "stdout.log").open("wb") as log:
        nginx = subprocess.Popen(base, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603
    try:
        nodes.wait_for("127.0.0.1", port, "/static/css/portal.css", nginx, seconds=30)
        yield port
    finally:
        nodes.stop(nginx)


def catalogue() -> dict[str, str]:
    with (ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {message.id: message.string for message in read_po(po) if message.id}


def expected_texts(status: int) -> list[str]:
    title, message = MESSAGES[status]
    vi = catalogue()
    return [str(title._args[0]), str(message._args[0]), vi[title._args[0]], vi[message._args[0]]]


def test_a_body_over_the_limit_gets_the_portals_413_page(nginx_port):
    connection = http.client.HTTPConnection("127.0.0.1", nginx_port, timeout=10)
    # Only the headers: nginx refuses from Content-Length alone, before any byte of the body.
    connection.putrequest("POST", "/feedback/new")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(30 * 1024 * 1024))
    connection.endheaders()
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    assert response.status == 413
    assert "<center>" not in body  # nginx's bare page: <center><h1>413 Request Entity Too Large
    for text in expected_texts(413):
        assert text in body


def test_no_app_node_gets_the_portals_502_page(nginx_port):
    connection = http.client.HTTPConnection("127.0.0.1", nginx_port, timeout=20)
    connection.request("GET", "/feedback")
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    assert response.status == 502
    assert "<center>" not in body  # nginx's bare page: <center><h1>413 Request Entity Too Large
    for text in expected_texts(503):
        assert text in body


def test_the_shipped_config_buffers_request_bodies():
    shipped = nodes.SHIPPED.read_text()
    assert "proxy_request_buffering on;" in shipped
    assert "error_page 413 /static/errors/413.html;" in shipped
