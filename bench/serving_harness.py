"""Start the portal the way `make run` does (gunicorn with gunicorn.conf.py), the old way, or behind nginx
with deploy/nginx/portal.conf, on loopback ports, each as a child process that is always stopped.

Used by bench/slow_clients.py and bench/gevent_walk.py; not a benchmark itself.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
NGINX = "/usr/sbin/nginx"
SHIPPED_NGINX = ROOT / "deploy" / "nginx" / "portal.conf"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def portal_env(instance: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of a development portal on a throwaway instance folder (no Redis: one process)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "WEB_CONCURRENCY", "DATABASE_URL", "PORTAL_TRUSTED_PROXIES")
    }
    env["PORTAL_INSTANCE_PATH"] = str(instance)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def build_demo(env: dict[str, str]) -> None:
    """`flask --app portal db upgrade` and `seed-demo`, as `make run` does."""
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(
            [PYTHON, "-m", "flask", "--app", "portal", *command],  # noqa: S603 - our own command
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=300,
        )


def wait_until_up(
    port: int, process: subprocess.Popen, seconds: float = 60, any_answer: bool = False
) -> None:  # noqa: E501
    """Wait for /healthz to answer below 500 (or at all: nginx is up even when its upstream is not)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status < 500 or any_answer:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port} within {seconds} s")


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path, old: bool = False) -> Iterator[subprocess.Popen]:
    """gunicorn on 127.0.0.1:`port` with gunicorn.conf.py, or (`old`) as `make run` did: 3 sync workers."""
    if old:
        empty = log.parent / "no-config.conf.py"  # keeps gunicorn from reading ./gunicorn.conf.py
        empty.write_text("")
        options = ["--config", str(empty), "--workers", "3", "--access-logfile", "-", "--no-control-socket"]
    else:
        options = ["--config", str(ROOT / "gunicorn.conf.py")]
    with open(log, "wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own command
            [PYTHON, "-m", "gunicorn", *options, "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_up(port, process)
            yield process
        finally:
            stop(process)


def nginx_config(shipped: str, prefix: Path, port: int, upstream_port: int) -> str:
    """deploy/nginx/portal.conf as a whole nginx.conf on 127.0.0.1:`port`, without TLS, logging into `prefix`.

    Only what ties the file to a real server changes (listen, certificates, paths, the upstream's port);
    the limits, timeouts, buffering and log format are the shipped ones. The plain-HTTP redirect server
    is left out.
    """
    servers = [match.start() for match in re.finditer(r"^server \{", shipped, re.MULTILINE)]
    main = shipped[servers[-1] :]
    head = shipped[: servers[0]]
    main = re.sub(r"^\s*listen .*\n", "", main, flags=re.MULTILINE)
    main = re.sub(r"^\s*ssl_\w+ .*\n", "", main, flags=re.MULTILINE)
    main = main.replace("server {", f"server {{\n    listen 127.0.0.1:{port};", 1)
    main = re.sub(r"alias /srv/portal/static/", f"alias {ROOT / 'static'}/", main)
    main = re.sub(r"access_log /var/log/nginx/portal.access.log", f"access_log {prefix / 'access.log'}", main)
    # The shipped upstream lists the app nodes; here one node, on `upstream_port`.
    upstream = re.search(r"upstream portal_app \{.*?\n\}", head, re.DOTALL)
    assert upstream is not None, "deploy/nginx/portal.conf has no upstream portal_app"
    nodes = re.sub(r"^\s*server \S+(?: [^;]*)?;.*\n", "", upstream[0], flags=re.MULTILINE)
    nodes = nodes.replace("{", f"{{\n    server 127.0.0.1:{upstream_port};", 1)
    head = head.replace(upstream[0], nodes)
    temporary = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Around it, what Debian's /etc/nginx/nginx.conf puts around a sites-enabled file (gzip on included,
    # so a duplicate directive in the shipped file would fail here as it would there).
    return f"""daemon off;
worker_processes auto;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 4096; }}
http {{
    sendfile on;
    tcp_nopush on;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix / "default-access.log"};
    gzip on;
{temporary}
{head}
{main}
}}
"""


@contextmanager
def nginx(prefix: Path, port: int, upstream_port: int) -> Iterator[subprocess.Popen]:
    prefix.mkdir(parents=True, exist_ok=True)
    prefix.chmod(0o755)  # nginx's workers (nobody) create their temporary files in here
    config = prefix / "nginx.conf"
    config.write_text(nginx_config(SHIPPED_NGINX.read_text(), prefix, port, upstream_port))
    base = [NGINX, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(config)]
    subprocess.run([*base, "-t", "-q"], check=True, timeout=30)  # noqa: S603 - our own command
    with open(prefix / "stdout.log", "wb") as output:
        process = subprocess.Popen(base, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603 - as above
        try:
            wait_until_up(port, process, any_answer=True)
            yield process
        finally:
            stop(process)  # SIGTERM: fast shutdown, open (slow) connections are dropped
