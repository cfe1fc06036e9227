"""Several app nodes behind the shipped nginx, for tests/deployment/test_two_nodes.py.

`nginx_config` turns deploy/nginx/portal.conf into a whole nginx.conf that Debian's nginx runs unprivileged
(`-p <folder> -c <file>`): only what ties the file to a real machine changes (listen addresses, TLS, paths,
the nodes' addresses); the upstream's passive health checks, the maps that redact the access log, the
limits, timeouts, buffering, X-Request-ID and /metrics refusal are the shipped ones. Besides the shipped
server (both nodes, as in production) it adds one copy of that same server block per node, so a test can
send a request to the node it chooses and still go through the shipped configuration.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from portal.settings import ROOT

NGINX = "/usr/sbin/nginx"
SHIPPED = ROOT / "deploy" / "nginx" / "portal.conf"


def _server_block(shipped: str) -> str:
    """The shipped https server block (the last one), without its listen and TLS lines."""
    servers = [match.start() for match in re.finditer(r"^server \{", shipped, re.MULTILINE)]
    block = shipped[servers[-1] :]
    block = re.sub(r"^\s*listen .*\n", "", block, flags=re.MULTILINE)
    return re.sub(r"^\s*ssl_\w+ .*\n", "", block, flags=re.MULTILINE)


def nginx_config(prefix: Path, port: int, nodes: dict[str, tuple[int, int]]) -> str:
    """nginx on 127.0.0.1:`port` for all nodes; `nodes` maps a name to (its app port, its own nginx port)."""
    shipped = SHIPPED.read_text()
    head = shipped[: re.search(r"^server \{", shipped, re.MULTILINE).start()]  # type: ignore[union-attr]
    upstream = re.search(r"upstream portal_app \{.*?\n\}", head, re.DOTALL)
    assert upstream is not None, "deploy/nginx/portal.conf has no upstream portal_app"
    shipped_servers = re.findall(r"^(\s*server )(\S+)( [^;]*)?;", upstream[0], re.MULTILINE)
    assert len(shipped_servers) >= 2, "the shipped upstream should list several nodes"
    assert all("max_fails=" in (params or "") for _, _, params in shipped_servers), "passive health checks"
    ports = iter(app_port for app_port, _ in nodes.values())
    assert len(shipped_servers) == len(nodes), "one test node per shipped upstream server"
    listed = re.sub(
        r"^(\s*server )(\S+)( [^;]*)?;",
        lambda match: f"{match[1]}127.0.0.1:{next(ports)}{match[3] or ''};",
        upstream[0],
        flags=re.MULTILINE,
    )
    head = head.replace(upstream[0], listed)
    block = _server_block(shipped)
    block = block.replace("alias /srv/portal/static/", f"alias {ROOT / 'static'}/")
    block = block.replace(
        "access_log /var/log/nginx/portal.access.log", f"access_log {prefix / 'access.log'}"
    )
    servers = [block.replace("server {", f"server {{\n    listen 127.0.0.1:{port};", 1)]
    for name, (app_port, own_port) in nodes.items():
        head += f"upstream portal_node_{name} {{\n    server 127.0.0.1:{app_port};\n    keepalive 4;\n}}\n"
        copy = block.replace("proxy_pass http://portal_app;", f"proxy_pass http://portal_node_{name};")
        assert copy != block, "the shipped server no longer proxies to portal_app"
        servers.append(copy.replace("server {", f"server {{\n    listen 127.0.0.1:{own_port};", 1))
    temporary = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    body = "\n".join(servers)
    # What Debian's /etc/nginx/nginx.conf puts around a sites-enabled file.
    return f"""daemon off;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
    sendfile on;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix / "default-access.log"};
    gzip on;
{temporary}
{head}
{body}
}}
"""


def wait_for(url_host: str, port: int, path: str, process: subprocess.Popen, seconds: float = 90) -> None:
    """Until GET `path` answers below 500 (the process must stay alive meanwhile)."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {path} answered on {port}")
        connection = http.client.HTTPConnection(url_host, port, timeout=2)
        try:
            connection.request("GET", path)
            if connection.getresponse().status < 500:
                return
        except OSError:
            pass
        finally:
            connection.close()
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path} on port {port} did not answer within {seconds} s")
        time.sleep(0.3)


def stop(process: subprocess.Popen, seconds: float = 30) -> None:
    """SIGTERM the process (its own process group: gunicorn's workers too), then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
