"""Two app nodes behind the shipped nginx, on real parts (issue 17 item 9): PostgreSQL, Redis, an S3 server
(moto), two gunicorn processes started with gunicorn.conf.py, each with its own instance folder, and Debian's
nginx running deploy/nginx/portal.conf.

A citizen reports with a photo on node A and opens it on node B; an officer signs in on A and acts on B
with the same cookie; wrong tracking digits sent to A and B add up to one lock; the address the app sees is
the one nginx forwarded, whatever the client claims; and the operations side (request ids in JSON logs,
/metrics over several workers, /readyz) holds on a real deployment.

Without nginx, PostgreSQL (TEST_DATABASE_URL), Redis or moto the test is skipped with the reason; CI sets
PORTAL_REQUIRE_NODES=1 and then a missing part is a failure (see tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import http.cookiejar
import io
import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from portal.settings import ROOT
from portal.settings_secrets import new_storage_key
from tests.support import nodes
from tests.support.databases import POSTGRES_URL, throwaway_database
from tests.support.double_post import hidden_fields
from tests.support.services import REDIS_URL, free_port

REQUIRED = os.environ.get("PORTAL_REQUIRE_NODES") == "1"
REDIS_SERVER = REDIS_URL.rsplit("/", 1)[0]
PHONE, DIGITS = "0912 345 678", "5678"
BUCKET = "portal-two-nodes"


def missing_part() -> str:
    """Why the two-node deployment cannot be started here, or ''."""
    if not os.access(nodes.NGINX, os.X_OK):
        return f"Debian's nginx is not installed ({nodes.NGINX}; apt-get install nginx)"
    if not POSTGRES_URL:
        return "TEST_DATABASE_URL (PostgreSQL) is not set"
    try:
        import redis

        redis.Redis.from_url(REDIS_SERVER + "/0", socket_connect_timeout=0.5).ping()
    except Exception:  # noqa: BLE001 - any failure means no Redis to test with
        return f"no Redis answering at {REDIS_SERVER}"
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
    except ImportError:
        return "moto[server] and boto3 are not installed"
    return ""


@pytest.fixture(scope="module", autouse=True)
def _parts_present():
    reason = missing_part()
    if reason and REQUIRED:
        pytest.fail(f"PORTAL_REQUIRE_NODES=1 but {reason}")
    if reason:
        pytest.skip(reason)


# --- a client with its own cookies and source address --------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class FromAddress(urllib.request.HTTPHandler):
    """Connects from a chosen loopback address, so nginx's $remote_addr is that address."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def http_open(self, req):
        return self.do_open(
            functools.partial(http.client.HTTPConnection, source_address=(self.source, 0)), req
        )


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """One browser: one cookie jar, used against whichever node a request names."""

    def __init__(self, source: str = "127.0.0.1") -> None:
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            FromAddress(source), urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def request(self, url: str, data=None, headers: dict | None = None, files=None) -> Answer:
        body, extra = None, {}
        if files is not None:
            body, extra = multipart(data or {}, files)
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(url, data=body, headers={**(headers or {}), **extra})
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, error.headers, error.read())

    def form(self, url: str) -> tuple[dict[str, str], str]:
        answer = self.request(url)
        assert answer.status == 200, (url, answer.status)
        return hidden_fields(answer.text), answer.text


def multipart(fields: dict[str, str], files: list[tuple[str, str, str, bytes]]) -> tuple[bytes, dict]:
    boundary = "portal" + secrets.token_hex(12)
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, kind, content in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {kind}\r\n\r\n".encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def photo_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


# --- the deployment ------------------------------------------------------------------------------------


@dataclass
class Cluster:
    folder: Path
    urls: dict[str, str]  # "both" (the shipped server, both nodes), "a", "b": through nginx
    direct: dict[str, str]  # "a", "b": the gunicorn of each node, not through nginx
    logs: dict[str, Path]  # each node's stdout (the JSON access log)
    nginx_log: Path


def start(command: list[str], env: dict, log: Path, cwd: Path = ROOT) -> subprocess.Popen:
    with log.open("wb") as output:
        return subprocess.Popen(  # noqa: S603 - our own commands
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def claim_redis_database() -> tuple[str, object]:
    """An empty Redis database of our own (marked, emptied afterwards): the counters of this run only."""
    import redis

    for number in range(1, 15):
        client = redis.Redis.from_url(f"{REDIS_SERVER}/{number}", socket_connect_timeout=1)
        if client.dbsize() == 0 and client.set("portal-test:two-nodes", "1", nx=True, ex=3600):
            return f"{REDIS_SERVER}/{number}", client
        client.close()
    pytest.fail("no empty Redis database among 1-14 for the two-node test")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-nodes")
    folder.chmod(0o755)  # nginx's workers write their temporary files below it
    with contextlib.ExitStack() as stack:
        processes: list[subprocess.Popen] = []
        stack.callback(lambda: [nodes.stop(process) for process in reversed(processes)])

        s3_port = free_port()
        moto = start(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
            dict(os.environ),
            folder / "s3.log",
        )
        processes.append(moto)
        nodes.wait_for("127.0.0.1", s3_port, "/", moto)
        endpoint = f"http://127.0.0.1:{s3_port}"
        credentials = {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.devnull,  # never this machine's own AWS set-up
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
        import boto3

        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).create_bucket(Bucket=BUCKET)

        redis_url, redis_client = claim_redis_database()
        stack.callback(redis_client.close)
        stack.callback(redis_client.flushdb)
        database_url = stack.enter_context(throwaway_database(folder, "two_nodes"))

        base_env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PORTAL_", "PROMETHEUS_", "AWS_"))
            and key not in ("WEB_CONCURRENCY", "REDIS_URL")
        }
        base_env |= credentials | {
            "SECRET_KEY": secrets.token_urlsafe(48),  # the same on every node
            "PORTAL_STORAGE_KEYS": new_storage_key("k1"),  # so are the upload store's keys
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "PORTAL_STORAGE_URL": f"s3://{BUCKET}/run-{secrets.token_hex(4)}",
            "PORTAL_S3_ENDPOINT_URL": endpoint,
            "PORTAL_TRUSTED_PROXIES": "1",
            "PORTAL_LOG_FORMAT": "json",
        }
        node_env = {
            "a": base_env | {"PORTAL_INSTANCE_PATH": str(folder / "node-a"), "WEB_CONCURRENCY": "2"},
            "b": base_env | {"PORTAL_INSTANCE_PATH": str(folder / "node-b"), "WEB_CONCURRENCY": "1"},
        }
        flask = [sys.executable, "-m", "flask", "--app", "portal"]
        for command in (["db", "upgrade"], ["seed-demo"]):
            done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
                [*flask, *command], cwd=ROOT, env=node_env["a"], capture_output=True, text=True, timeout=300
            )
            assert done.returncode == 0, done.stderr[-3000:]

        app_ports = {name: free_port() for name in node_env}
        logs = {}
        for name, env in node_env.items():
            logs[name] = folder / f"node-{name}.log"
            command = [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{app_ports[name]}",
                "wsgi:app",
            ]
            processes.append(start(command, env, logs[name]))
        for name, process in zip(node_env, processes[-2:], strict=True):
            try:
                nodes.wait_for("127.0.0.1", app_ports[name], "/healthz", process)
            except RuntimeError as problem:
                pytest.fail(f"node {name}: {problem}\n{logs[name].read_text()[-3000:]}")

        prefix = folder / "nginx"
        prefix.mkdir(mode=0o755)
        ports = {"both": free_port(), "a": free_port(), "b": free_port()}
        config = prefix / "nginx.conf"
        config.write_text(
            nodes.nginx_config(
                prefix, ports["both"], {name: (app_ports[name], ports[name]) for name in ("a", "b")}
            )
        )
        base = [nodes.NGINX, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config)]
        checked = subprocess.run([*base, "-t"], capture_output=True, text=True, timeout=30)  # noqa: S603
        assert checked.returncode == 0, checked.stderr
        nginx = start(base, dict(os.environ), prefix / "stdout.log")
        processes.append(nginx)
        nodes.wait_for("127.0.0.1", ports["both"], "/healthz", nginx)
        yield Cluster(
            folder=folder,
            urls={name: f"http://127.0.0.1:{port}" for name, port in ports.items()},
            direct={name: f"http://127.0.0.1:{port}" for name, port in app_ports.items()},
            logs=logs,
            nginx_log=prefix / "access.log",
        )


@dataclass
class Report:
    browser: Browser
    code: str
    token: str


@pytest.fixture(scope="module")
def report(cluster) -> Report:
    """A citizen's report with a photo, sent to node A."""
    browser = Browser()
    fields, page = browser.form(cluster.urls["a"] + "/feedback/new")
    category = re.search(r'name="category" value="(\d+)"', page, re.S)[1]
    fields |= {
        "category": category,
        "title": "Đèn đường hỏng trước chợ",
        "commune": "03646",  # Phường Tô Hiệu
        "description": "Đèn ở ngã ba trước chợ không sáng từ tuần trước.",
        "address": "Ngã ba chợ Tô Hiệu",
        "phone": PHONE,
        "consent": "y",
    }
    sent = browser.request(
        cluster.urls["a"] + "/feedback/new",
        fields,
        files=[("photos", "den.jpg", "image/jpeg", photo_bytes())],
    )
    assert sent.status == 302, sent.text[-2000:]
    assert sent.headers["Location"] == "/feedback/receipt"
    receipt = browser.request(cluster.urls["a"] + "/feedback/receipt")
    assert receipt.status == 200
    code = re.search(r"PA-\d{6}-\d{4}", receipt.text)[0]
    token = re.search(r"/feedback/t/([A-Za-z0-9_-]+)", receipt.text)[1]
    return Report(browser, code, token)


def served_by(cluster: Cluster, answer: Answer) -> str:
    """Which node answered, from nginx's access log ($request_id, $upstream_addr)."""
    request_id = answer.headers["X-Request-ID"]
    line = eventually(
        lambda: next(
            (line for line in cluster.nginx_log.read_text().splitlines() if request_id in line), None
        )
    )
    assert line is not None, f"nginx logged no request {request_id}"
    port = int(line.rsplit(":", 1)[1])
    return next(name for name, url in cluster.direct.items() if url.endswith(f":{port}"))


# --- the tests -------------------------------------------------------------------------------------------


def test_upload_on_one_node_download_from_the_other(cluster, report):
    opened = report.browser.request(f"{cluster.urls['b']}/feedback/t/{report.token}")
    assert opened.status == 302 and served_by(cluster, opened) == "b"
    private = report.browser.request(f"{cluster.urls['b']}{opened.headers['Location']}")
    assert private.status == 200
    names = re.findall(r'href="/feedback/photos/([^"]+)"', private.text)
    assert names, "the private page lists the photo"
    photo = report.browser.request(f"{cluster.urls['b']}/feedback/photos/{names[0]}")
    assert photo.status == 200
    assert photo.body[:3] == b"\xff\xd8\xff"  # a JPEG (re-encoded by the portal)
    assert served_by(cluster, photo) == "b"
    assert report.code in private.text  # the tracking page, opened on B
    for node in ("node-a", "node-b"):  # nothing in either node's own folder: the file lives in the bucket
        uploads = cluster.folder / node / "uploads"
        assert not uploads.exists() or not any(uploads.iterdir()), f"{node} kept the upload locally"


def test_an_officer_signs_in_on_one_node_and_acts_on_the_other(cluster, report):
    officer = Browser()
    fields, _ = officer.form(cluster.urls["a"] + "/login")
    signed = officer.request(
        # The demo province administrator: the report went to a department that has no demo officer.
        cluster.urls["a"] + "/login",
        fields | {"email": "admin@demo.sonla.vn", "password": "SonLa-demo-2026"},
    )
    assert signed.status == 302, signed.text[-1500:]
    page = officer.request(f"{cluster.urls['a']}/staff/feedback/{report.code}")
    assert page.status == 200
    forms = dict(
        re.findall(
            rf'<form method="post" action="/staff/feedback/{report.code}/([a-z_]+)"[^>]*>(.*?)</form>',
            page.text,
            re.S,
        )
    )
    assert "accept" in forms, sorted(forms)
    acted = officer.request(
        f"{cluster.urls['b']}/staff/feedback/{report.code}/accept", hidden_fields(forms["accept"])
    )
    assert acted.status == 302, acted.text[-1500:]
    assert served_by(cluster, acted) == "b"
    after = officer.request(f"{cluster.urls['a']}/staff/feedback/{report.code}")
    assert after.status == 200
    assert f'action="/staff/feedback/{report.code}/accept"' not in after.text  # accepted once, seen on A


def test_wrong_tracking_digits_on_both_nodes_add_up_to_one_lock(cluster, report):
    stranger = Browser()
    outcomes = []
    for node in ("a", "b", "a", "b", "a"):  # 5 wrong answers: 3 on A, 2 on B
        fields, _ = stranger.form(cluster.urls[node] + "/track")
        outcomes.append(
            stranger.request(
                cluster.urls[node] + "/track", fields | {"code": report.code, "phone_digits": "0000"}
            ).status
        )
    assert outcomes == [404, 404, 404, 404, 429]  # the fifth, counted across both nodes, locks the code
    fields, _ = stranger.form(cluster.urls["b"] + "/track")
    right = stranger.request(
        cluster.urls["b"] + "/track", fields | {"code": report.code, "phone_digits": DIGITS}
    )
    assert right.status == 429  # even the right digits, on the node that counted only 2
    assert "Retry-After" in right.headers


def eventually(find, seconds: float = 10):
    """gunicorn writes its access line after the answer has gone out: look again for a few seconds."""
    deadline = time.monotonic() + seconds
    while True:
        found = find()
        if found is not None or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def access_lines(log: Path) -> list[dict]:
    lines = []
    for line in log.read_text().splitlines():
        with contextlib.suppress(ValueError):
            parsed = json.loads(line)
            if isinstance(parsed, dict):
                lines.append(parsed)
    return lines


def test_the_app_sees_the_address_nginx_forwarded(cluster):
    spoofer = Browser(source="127.0.0.2")
    answer = spoofer.request(
        cluster.urls["a"] + "/healthz",
        headers={"X-Forwarded-For": "203.0.113.77", "X-Request-ID": "made-up-by-the-client"},
    )
    assert answer.status == 200
    request_id = answer.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, not the client's
    line = eventually(
        lambda: next(
            (
                line
                for line in access_lines(cluster.logs["a"])
                if line.get("request_id") == request_id and line.get("path") == "/healthz"
            ),
            None,
        )
    )
    assert line is not None, "no access line with the request id"
    assert line["remote_addr"] == "127.0.0.2"
    nginx_line = eventually(
        lambda: next(
            (line for line in cluster.nginx_log.read_text().splitlines() if request_id in line), None
        )
    )
    assert nginx_line is not None
    assert nginx_line.startswith("127.0.0.2 ")


def test_json_logs_name_every_request(cluster, report):
    for name in ("a", "b"):
        lines = access_lines(cluster.logs[name])
        requests = [line for line in lines if "status" in line and "path" in line]
        assert requests, f"node {name} wrote no JSON access line"
        assert all(re.fullmatch(r"[0-9a-f]{32}", line["request_id"] or "") for line in requests)
        assert any(
            line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines
        )
        assert report.token not in cluster.logs[name].read_text()  # private links stay redacted
        text = [line for line in cluster.logs[name].read_text().splitlines() if line.strip()]
        assert len(text) == len(lines), [line for line in text if not line.startswith("{")][:3]  # all JSON


def count_of(text: str, endpoint: str) -> float:
    labels = f'endpoint="{re.escape(endpoint)}",method="GET",status="2xx"'
    pattern = rf"portal_request_duration_seconds_count\{{{labels}\}} ([0-9.e+]+)"
    match = re.search(pattern, text)
    return float(match[1]) if match else 0.0


def test_metrics_add_up_over_workers_and_are_not_public(cluster):
    browser = Browser()
    assert browser.request(cluster.urls["both"] + "/metrics").status == 404  # nginx never passes it on
    before = browser.request(cluster.direct["a"] + "/metrics")
    assert before.status == 200
    for _ in range(20):  # a new connection each time: the two workers of node A share them out
        assert Browser().request(cluster.direct["a"] + "/readyz").status == 200
    after = browser.request(cluster.direct["a"] + "/metrics").text
    assert count_of(after, "readyz") - count_of(before.text, "readyz") == 20


def test_each_node_is_ready(cluster):
    for name in ("a", "b"):
        ready = Browser().request(cluster.direct[name] + "/readyz")
        assert ready.status == 200
        assert json.loads(ready.body) == {
            "status": "ok",
            "checks": {"database": "ok", "redis": "ok", "storage": "ok"},
        }
