"""gunicorn settings for the portal: `make run`, and production behind deploy/nginx/portal.conf.

gunicorn reads this file by itself when started from the repository root (`gunicorn wsgi:app`), or with
`-c /path/to/gunicorn.conf.py`. Command-line options override it, but the worker-count check below
runs on the final value.

Why these values:
- gevent workers: one greenlet per connection, so a client that sends its request a byte at a time
  ties up a greenlet, not a whole worker (with sync workers three such clients took the site down).
- ONE process unless REDIS_URL is set: without Redis the rate limits count in the process's memory
  (portal/throttle.py), and several processes would each allow the full number. gevent gives that one
  process its concurrency. With Redis the counters are shared and more processes are safe.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

# The portal's own settings are read by the app (portal/settings.py); this file only needs these two,
# and must not import the portal: the master process would load Flask and the database driver before
# the gevent workers patch the standard library.
REDIS = bool(os.environ.get("REDIS_URL", "").strip())


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use, not all the machine's
    except AttributeError:
        return os.cpu_count() or 1


def _workers() -> int:
    text = os.environ.get("WEB_CONCURRENCY", "").strip()
    if not text:
        return 2 * _cpu_count() + 1 if REDIS else 1
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        sys.exit(f"WEB_CONCURRENCY must be a number of worker processes (1 or more), not {text!r}")
    return int(text)


def refusal(worker_count: int, redis: bool = REDIS) -> str:
    """Why this many workers cannot run, or "" when they can."""
    if worker_count > 1 and not redis:
        return (
            f"Refusing to start {worker_count} worker processes without REDIS_URL: each process "
            "would count rate limits (sign-in, tracking, submissions) on its own, so the limits would "
            "not hold. Set REDIS_URL to share the counters, or run one process (WEB_CONCURRENCY=1, the "
            "default; gevent serves many connections in it)."
        )
    return ""


bind = ["127.0.0.1:8000"]  # behind nginx; `--bind unix:/run/portal/gunicorn.sock` works as well
workers = _workers()
if refusal(workers):
    sys.exit(refusal(workers))
worker_class = "gevent"
# Open connections per worker process (greenlets). nginx's limit_conn keeps one address well below it.
worker_connections = 1000

# gevent workers: `timeout` only concerns the worker's heartbeat. It kills a worker whose event loop has
# been blocked that long (a CPU-bound request), never a slow upload, which waits on the network and lets
# the loop run. A 20 MB upload over a mountain link can take minutes and is not cut short here; without
# nginx in front nothing bounds how long a client may take (nginx's client_body_timeout does).
timeout = 60
# On restart, in-flight requests (an upload in progress) get this long to finish.
graceful_timeout = 60
# Idle keep-alive connections close after 10 s (nginx's upstream keepalive_timeout is shorter). In gevent
# workers this is also how long a request's line and headers may take to arrive: a slowloris client that
# sends a header line every few seconds is dropped after 10 s, as nginx's client_header_timeout does.
keepalive = 10

# Request line and header limits: our longest URL is a private link (about 100 characters).
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

# X-Forwarded-* handling is done in one place, the app (PORTAL_TRUSTED_PROXIES, werkzeug's ProxyFix):
# gunicorn must not also believe X-Forwarded-Proto from any address it considers a front end.
forwarded_allow_ips = ""
secure_scheme_headers = {}

# gunicorn's run-time control socket is unused here, and its default path ($HOME/.gunicorn/gunicorn.ctl)
# would be shared by every gunicorn of the same user on the machine.
control_socket_disable = True

# The access log on stdout, with private-link tokens redacted (portal/access_log.py); with
# PORTAL_LOG_FORMAT=json both logs are one JSON object per line with the request id (portal/logs.py).
accesslog = "-"
errorlog = "-"
JSON_LOGS = os.environ.get("PORTAL_LOG_FORMAT", "").strip() == "json"
logger_class = "portal.access_log.JsonLogger" if JSON_LOGS else "portal.access_log.RedactingLogger"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


# Prometheus metrics (portal/metrics.py) add up over the worker processes through files in one folder
# (prometheus_client's multiprocess mode). on_starting sets PROMETHEUS_MULTIPROC_DIR in the master, before
# any worker is forked and imports prometheus_client: the operator's folder if given (emptied at start, as
# the library asks), else a private temporary folder removed when gunicorn exits.
metrics_folder: dict[str, Path] = {}


def prepare_metrics_folder() -> Path:
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    folder = Path(given) if given else Path(tempfile.mkdtemp(prefix="portal-metrics-"))
    if not given:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
        metrics_folder["owned"] = folder
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):  # the counts of processes of an earlier run
        stale.unlink(missing_ok=True)
    metrics_folder["path"] = folder
    return folder


def on_starting(server):
    """Check the final worker count: `--workers` or `-w` on the command line bypasses WEB_CONCURRENCY."""
    problem = refusal(server.cfg.workers)
    if problem:
        server.log.error(problem)
        sys.exit(2)
    prepare_metrics_folder()
    if server.cfg.worker_class_str != "gevent":
        server.log.warning(
            "worker class %r instead of gevent: slow clients can hold a worker each",
            server.cfg.worker_class_str,
        )


def nworkers_changed(server, new_value, old_value):
    """`kill -TTIN` adds workers at run time; without Redis that would split the rate-limit counters."""
    problem = refusal(new_value) if old_value is not None else ""  # None: the start, on_starting checks
    if problem:
        server.log.error(problem)
        server.num_workers = old_value


def child_exit(server, worker):
    """A worker's gauges die with it (its counters and histograms keep counting in the total)."""
    from prometheus_client import multiprocess

    if "path" in metrics_folder:
        multiprocess.mark_process_dead(worker.pid, str(metrics_folder["path"]))


def on_exit(server):
    if "owned" in metrics_folder:
        shutil.rmtree(metrics_folder["owned"], ignore_errors=True)


def post_request(worker, req, environ, resp):
    """Let the other connections' requests run before this connection's next one (gevent fairness).

    A gevent worker reads a keep-alive connection's next request as soon as it has answered one; when the
    client has already sent it, the read returns at once without passing through the event loop, and a
    few busy connections can keep the worker while the others wait: with 16 connections, bare Flask's
    p50 was 0.5 ms and its p99 480 ms (bench/run.py, SQLite, whose calls never yield either). Yielding to
    the hub once per request lets every ready connection have its turn.
    """
    import gevent

    gevent.sleep(0)


def post_worker_init(worker):
    """Leave the objects of start-up out of the garbage collector's full passes (bench/notes/tracking4.md).

    A loaded worker holds ~220,000 objects the collector tracks (modules, functions, SQLAlchemy's tables,
    compiled templates), all alive until it exits. A full (generation 2) collection walks every one of them:
    130-240 ms measured, during which every connection of the worker waits. Frozen here (once the app is
    loaded, after one collection so that no garbage is kept forever), they are never walked again: a full
    collection then costs what the objects made since start-up cost (the kept pages' caches)."""
    import gc

    gc.collect()
    gc.freeze()


def worker_exit(server, worker):
    """Give the frozen objects back to the collector before the worker's interpreter shuts down: left
    frozen, they were finalised only at teardown, after gevent's modules were cleared, and each stop
    printed logging's "Exception ignored in _removeHandlerRef … TypeError: 'NoneType' object is not
    callable" (seen on SIGTERM of `make run`)."""
    import gc

    gc.unfreeze()
