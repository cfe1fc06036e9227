"""Slow clients against the portal: home-page latency while N connections send their request very slowly.

Usage (see bench/README.md):
    .venv/bin/python bench/slow_clients.py [--connections 50] [--seconds 60] [--setups old,gevent,nginx]

For each set-up (old: `gunicorn --workers 3 wsgi:app`, sync, as `make run` was; gevent: gunicorn with
gunicorn.conf.py, as `make run` is; nginx: deploy/nginx/portal.conf in front of the gevent set-up) it
serves the demo data from a throwaway SQLite instance on loopback ports and, for each attack:
- none: a few seconds of plain requests, for reference;
- slow-body: N connections each POST /feedback/new with Content-Length 10 MB, then send 1 byte every 2 s;
- slow-headers (slowloris): N connections each send a request line, then one header line every 2 s;
measures `/` and `/procedures` with plain sequential requests (10 s timeout each) and prints the latency
percentiles and the error count. A connection the server closes is reopened at the next tick, so the
attack stays at N. Attack connections come from 127.0.1.x (one address each, like a distributed
attack; nginx's per-address limit is the shipped one), the measuring client from 127.0.0.2.

Afterwards it requests private links with made-up tokens and checks that no token reached gunicorn's or
nginx's access log. Everything stops by itself; the run is bounded by the set-ups x attacks x --seconds.
"""

from __future__ import annotations

import argparse
import http.client
import secrets
import select
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import serving_harness as harness

ATTACKS = ("none", "slow-body", "slow-headers")
SETUPS = ("old", "gevent", "nginx")
DESCRIPTIONS = {
    "old": "gunicorn --workers 3 (sync), no proxy",
    "gevent": "gunicorn -c gunicorn.conf.py (1 process, gevent), no proxy",
    "nginx": "nginx (deploy/nginx/portal.conf) -> gunicorn -c gunicorn.conf.py",
}
PAGES = ("/", "/procedures")
REQUEST_TIMEOUT = 10.0
MEASURING_ADDRESS = "127.0.0.2"


class Attack(threading.Thread):
    """`count` connections that each trickle a request to 127.0.0.1:`port`, one piece every `interval` s."""

    def __init__(self, port: int, kind: str, count: int, interval: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.port, self.kind, self.count, self.interval = port, kind, count, interval
        self.stopping = threading.Event()
        self.ready = threading.Event()
        self.opened = self.closed_by_server = self.refused = 0

    def head(self) -> bytes:
        host = f"Host: 127.0.0.1:{self.port}\r\n"
        if self.kind == "slow-body":
            return (
                f"POST /feedback/new HTTP/1.1\r\n{host}Content-Length: 10000000\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
            ).encode()
        return f"GET / HTTP/1.1\r\n{host}".encode()

    def piece(self, tick: int) -> bytes:
        return b"a" if self.kind == "slow-body" else f"X-Slow-{tick}: 1\r\n".encode()

    def open(self, index: int) -> socket.socket | None:
        try:
            sock = socket.create_connection(
                ("127.0.0.1", self.port), timeout=3, source_address=(f"127.0.1.{index % 250 + 1}", 0)
            )
            sock.sendall(self.head())
            sock.setblocking(False)
            self.opened += 1
            return sock
        except OSError:
            self.refused += 1
            return None

    def run(self) -> None:
        sockets: list[socket.socket | None] = [self.open(i) for i in range(self.count)]
        self.ready.set()
        tick = 0
        while not self.stopping.wait(self.interval):
            tick += 1
            for index, sock in enumerate(sockets):
                if sock is not None and self._server_gave_up(sock):
                    sock.close()
                    sock = sockets[index] = None
                    self.closed_by_server += 1
                if sock is None:
                    sockets[index] = self.open(index)
                    continue
                try:
                    sock.send(self.piece(tick))
                except OSError:
                    sock.close()
                    sockets[index] = None
                    self.closed_by_server += 1
        for sock in sockets:
            if sock is not None:
                sock.close()

    @staticmethod
    def _server_gave_up(sock: socket.socket) -> bool:
        """True when the server answered (408, 413, 429...) or closed: an attacker would reconnect."""
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        try:
            sock.recv(65536)
        except BlockingIOError:
            return False
        except OSError:
            pass
        return True


@dataclass
class Samples:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {page: [] for page in PAGES})
    errors: dict[str, int] = field(default_factory=lambda: {page: 0 for page in PAGES})


def measure(port: int, seconds: float) -> Samples:
    """Sequential GETs of the pages in turn for `seconds`; a failure counts at the time it took."""
    samples = Samples()
    deadline = time.monotonic() + seconds
    turn = 0
    while time.monotonic() < deadline:
        page = PAGES[turn % len(PAGES)]
        turn += 1
        start = time.perf_counter()
        try:
            connection = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=REQUEST_TIMEOUT, source_address=(MEASURING_ADDRESS, 0)
            )
            connection.request("GET", page, headers={"Accept-Encoding": "gzip", "Connection": "close"})
            response = connection.getresponse()
            response.read()
            connection.close()
            ok = response.status == 200
        except OSError:
            ok = False
        samples.latencies[page].append(time.perf_counter() - start)
        if not ok:
            samples.errors[page] += 1
    return samples


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(fraction * len(ordered))) - 1))]


def summary(values: list[float], errors: int) -> str:
    if not values:
        return "no request completed"
    ms = [value * 1000 for value in values]
    return (
        f"n={len(ms):4d}  p50 {percentile(ms, 0.5):7.0f} ms  p95 {percentile(ms, 0.95):7.0f} ms  "
        f"p99 {percentile(ms, 0.99):7.0f} ms  max {max(ms):7.0f} ms  errors {errors}"
    )


def run_attack(port: int, kind: str, connections: int, seconds: float) -> None:
    attack = None
    if kind != "none":
        attack = Attack(port, kind, connections)
        attack.start()
        attack.ready.wait(60)
    samples = measure(port, seconds if attack else min(seconds, 10))
    if attack:
        attack.stopping.set()
        attack.join(30)
    for page in PAGES:
        print(f"    {kind:12} {page:12} {summary(samples.latencies[page], samples.errors[page])}", flush=True)
    if attack:
        print(
            f"    {'':12} attack: {attack.opened} connections opened, {attack.closed_by_server} closed by "
            f"the server, {attack.refused} refused",
            flush=True,
        )


def leak_probe(port: int) -> list[str]:
    """Request private links with made-up secrets; return the secrets (to look for in the logs)."""
    feedback, dossier, query = secrets.token_urlsafe(24), secrets.token_hex(24), secrets.token_hex(12)
    for path in (
        f"/feedback/t/{feedback}",
        f"/feedback/t/{feedback}/qr.svg",
        f"/dossiers/t/HS-1/{dossier}",
        f"/track?reset_token={query}",
    ):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(
                "GET", path, headers={"Referer": f"http://127.0.0.1:{port}/feedback/t/{feedback}"}
            )
            connection.getresponse().read()
        except OSError as error:  # a server still busy with the attack's leftovers: say so, go on
            print(f"    probe {path.split('/')[1]}: {error!r}", flush=True)
        finally:
            connection.close()
    return [feedback, dossier, query]


def report_logs(logs: list[Path], secrets_: list[str]) -> None:
    for log in logs:
        text = log.read_text(errors="replace") if log.exists() else ""
        leaked = [secret for secret in secrets_ if secret in text]
        problems = sum(text.count(word) for word in ("Traceback", "[ERROR]", "[CRITICAL]"))
        print(
            f"    log {log.name}: {'TOKENS LEAKED' if leaked else 'no token'} "
            f"({text.count('[redacted]')} redactions), {problems} error lines",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--setups", default=",".join(SETUPS))
    parser.add_argument("--attacks", default=",".join(ATTACKS))
    args = parser.parse_args()
    setups, attacks = args.setups.split(","), args.attacks.split(",")
    if not set(setups) <= set(SETUPS) or not set(attacks) <= set(ATTACKS) or not 0 < args.connections <= 1000:
        parser.error(f"setups from {SETUPS}, attacks from {ATTACKS}, 1-1000 connections")
    with tempfile.TemporaryDirectory(prefix="slow-clients-") as folder:
        work = Path(folder)
        env = harness.portal_env(work / "instance")
        print("building the demo instance (SQLite)...", flush=True)
        harness.build_demo(env)
        for setup in setups:
            app_port = harness.free_port()
            log = work / f"gunicorn-{setup}.log"
            print(f"\n{setup}: {DESCRIPTIONS[setup]}", flush=True)
            with harness.gunicorn(env, app_port, log, old=setup == "old"):
                if setup == "nginx":
                    proxy_port = harness.free_port()
                    with harness.nginx(work / "nginx", proxy_port, app_port):
                        for kind in attacks:
                            run_attack(proxy_port, kind, args.connections, args.seconds)
                        probe = leak_probe(proxy_port)
                else:
                    for kind in attacks:
                        run_attack(app_port, kind, args.connections, args.seconds)
                    probe = leak_probe(app_port)
            report_logs([log] + ([work / "nginx" / "access.log"] if setup == "nginx" else []), probe)


if __name__ == "__main__":
    sys.exit(main())
