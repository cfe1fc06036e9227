"""Prometheus metrics at /metrics: request latency by route and status class, and whatever other parts of
the portal register (the job queue's depth and failures), for every gunicorn worker of this node at once.

Several workers: gunicorn.conf.py points PROMETHEUS_MULTIPROC_DIR at one folder before the workers start,
prometheus_client then keeps each worker's counts in a file there, and a scrape (answered by any worker)
adds them up. Without it (flask run, the tests) the counts are this process's.

Labels never hold a raw path: private links carry their token in the path, so requests are labelled by
the route's endpoint name (`feedback.track_private`), or `unmatched` for a 404 that matched no route.

/metrics is not public: it answers only a client whose every address (the one nginx forwarded and the one
that connected) is in PORTAL_METRICS_ALLOW (default loopback), or that sends
`Authorization: Bearer <PORTAL_METRICS_TOKEN>`. Anyone else gets the ordinary 404 page.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

EXTENSION = "portal_metrics"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_SECONDS = Histogram(
    "portal_request_duration_seconds",
    "Time to answer a request, by route endpoint, method and status class.",
    ["endpoint", "method", "status"],
    # Our goals are p99 <= 30 ms (tracking) and <= 60 ms (queue); slow uploads take seconds.
    buckets=(0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0),
)


@dataclass(frozen=True)
class Reading:
    """A value read when /metrics is scraped: `read()` is called then (a queue's length, a failure count)."""

    name: str
    documentation: str
    kind: str  # "gauge" or "counter"
    read: Callable[[], float]


def register(
    app: Flask, name: str, documentation: str, read: Callable[[], float], kind: str = "gauge"
) -> None:
    """Add a value read at every scrape. Lower parts of the portal (the job queue) do not import this module:
    create_app passes their plain functions here."""
    if kind not in ("gauge", "counter"):
        raise ValueError(f"a reading is a gauge or a counter, not {kind!r}")
    readings: list[Reading] = app.extensions.setdefault(EXTENSION, [])
    if any(reading.name == name for reading in readings):
        raise ValueError(f"metric {name!r} is registered twice")
    readings.append(Reading(name, documentation, kind, read))


class _Readings:
    """The registered readings as Prometheus metrics; one that fails is left out (and logged)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Metric]:
        for reading in self.app.extensions.get(EXTENSION, []):
            try:
                value = float(reading.read())
            except Exception:  # noqa: BLE001 - a scrape must not fail because one source is away
                self.app.logger.warning("metric %s could not be read", reading.name, exc_info=True)
                continue
            family = CounterMetricFamily if reading.kind == "counter" else GaugeMetricFamily
            yield family(reading.name, reading.documentation, value=value)


class _Default:
    """This process's own registry (no multiprocess folder)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def exposition(app: Flask) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    if folder:
        MultiProcessCollector(registry, path=folder)
    else:
        registry.register(_Default())
    registry.register(_Readings(app))
    return generate_latest(registry)


def _addresses() -> set[str]:
    """Every address this request is seen from: the client's (after ProxyFix) and the connecting peer's."""
    original = request.environ.get("werkzeug.proxy_fix.orig", {}).get("REMOTE_ADDR")
    return {address for address in (request.remote_addr, original) if address}


def allowed() -> bool:
    settings = current_app.config["PORTAL_SETTINGS"]
    token = settings.metrics_token
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[len("Bearer ") :].strip().encode(), token.encode())
    networks = [ipaddress.ip_network(network) for network in settings.metrics_allow]
    addresses = _addresses()
    if not addresses:
        return False
    for text in addresses:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if not any(address in network for network in networks):
            return False
    return True


def init_app(app: Flask) -> None:
    # The histogram's child for each (endpoint, method, status class), the same objects `labels()` returns,
    # kept here so that a request does not pay labels()' validation, lock and look-up.
    children: dict[tuple[str, str, str], Histogram] = {}

    @app.before_request
    def start_clock() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def observe(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        if started is not None:
            current = request._get_current_object()  # type: ignore[attr-defined]  # (one proxy look-up)
            rule = current.url_rule
            endpoint = rule.endpoint if rule is not None else "unmatched"
            method = current.method if current.method in METHODS else "other"
            key = (endpoint, method, f"{response.status_code // 100}xx")
            child = children.get(key)
            if child is None:
                child = children[key] = REQUEST_SECONDS.labels(*key)
            child.observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        if not allowed():
            abort(404)
        response = Response(exposition(app), mimetype=None, content_type=CONTENT_TYPE_LATEST)
        response.headers["Cache-Control"] = "no-store"
        return response
