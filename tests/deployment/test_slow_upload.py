"""A slow upload never gets a gunicorn worker killed (issue 18 item 1), in the `make run` set-up without
nginx: gunicorn with the shipped gunicorn.conf.py (gevent workers).

The probe of issue 18 saw a worker killed at its timeout while a 4.9 MB photo trickled in for 34 s. With
gevent workers the timeout is only the worker's heartbeat, which keeps beating while a greenlet waits on the
network: here the timeout is cut to 2 s and a body sent over about 8 s still arrives whole, in the same
worker, with no "WORKER TIMEOUT" in gunicorn's log. (Behind nginx, proxy_request_buffering on means the body
reaches gunicorn only once it has all arrived: tests/deployment/test_nginx_error_pages.py.)
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time

import pytest

from portal.settings import ROOT
from tests.support import nodes
from tests.support.services import free_port

TIMEOUT = 2  # seconds: gunicorn's worker timeout for this test (the shipped one is 60)
CHUNKS, PAUSE, CHUNK = 16, 0.5, 4096  # 64 KB over 8 s: four times the timeout


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "WEB_CONCURRENCY")}
    with log.open("wb") as output:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                str(TIMEOUT),
                "tests.deployment.slow_body_app:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        nodes.wait_for("127.0.0.1", port, "/", server, seconds=60)
        yield port, log
    finally:
        nodes.stop(server)


def ask(port: int, body: bytes = b"", pause: float = 0.0) -> tuple[int, int]:
    """POST `body` (a chunk at a time, `pause` seconds apart); the bytes the app read and its worker's pid."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.putrequest("POST", "/feedback/new")
        connection.putheader("Content-Type", "application/octet-stream")
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders()
        for start in range(0, len(body), CHUNK):
            connection.send(body[start : start + CHUNK])
            time.sleep(pause)
        response = connection.getresponse()
        assert response.status == 200
        received, pid = response.read().decode().split()
        return int(received), int(pid)
    finally:
        connection.close()


def test_a_body_sent_slowly_arrives_whole_in_the_same_worker(gunicorn):
    port, log = gunicorn
    _, worker = ask(port)
    started = time.monotonic()
    received, same = ask(port, b"x" * (CHUNKS * CHUNK), PAUSE)
    assert time.monotonic() - started > 3 * TIMEOUT  # really slower than the timeout
    assert received == CHUNKS * CHUNK
    assert same == worker
    assert "WORKER TIMEOUT" not in log.read_text()
