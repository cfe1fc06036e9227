"""The floor of issue 17's submission row: what ratio ANY Flask app on this stack reaches for a GET form + POST
that writes, doing the least a real submission must do (bench/floor_apps.py's kinds, in increasing realism).

    PYTHONPATH=$PWD .venv/bin/python bench/submission_floor.py [--rounds 2] [--seconds 5] \
        [--apps static,session_csrf,write_core,write_raw]

Starts bench/bare.py and each floor app under the very same gunicorn settings as bench/run.py (gunicorn.conf.py:
one gevent worker; run.py's `server_env`), drives each with run.py's own submission: `submission_script` (one
checked POST, then wrk's Lua script: GET the form, POST it, alternately, the CSRF token reused, a fresh nonce,
phone and X-Forwarded-For per POST) and `wrk` (16 connections), bare Flask with the same script in every round
just before each app, as run.py does. A GET + POST pair is one submission: ratio = pairs/s / bare req/s. Also
the worker's CPU per pair and all PostgreSQL processes' CPU per pair over the timed runs (/proc, as
bench/worker_cpu.py). The write apps write to a scratch database `portal_floor_<pid>`, created and dropped here.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import floor_apps  # noqa: E402  (bench/floor_apps.py)
import run as bench_run  # noqa: E402  (bench/run.py)
import worker_cpu  # noqa: E402  (bench/worker_cpu.py)

SERVER = "postgresql://postgres@127.0.0.1:5432"


@dataclass
class Served:
    """One gunicorn (bare or a floor app) and what its timed runs gave."""

    kind: str
    process: subprocess.Popen
    base: str
    worker: int
    samples: list[bench_run.Sample] = field(default_factory=list)
    bare_samples: list[bench_run.Sample] = field(default_factory=list)  # bare Flask's runs just before
    cpu: float = 0.0  # worker CPU seconds over the timed runs
    database: float = 0.0  # PostgreSQL CPU seconds over the timed runs


def scratch_database() -> str:
    name = f"portal_floor_{os.getpid()}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    with psycopg.connect(f"{SERVER}/{name}", autocommit=True) as connection:
        connection.execute(floor_apps.TABLES)
    return name


def drop_database(name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def start(kind: str, samples: dict, logs: Path) -> Served:
    port = bench_run.free_port()
    env = bench_run.server_env(samples, port)
    env["PYTHONPATH"] = str(HERE.parent)
    env["FLOOR_APP"] = kind
    target = "bench.bare:app" if kind == "bare" else "bench.floor_apps:app"
    process = bench_run.start_server(target, port, env, logs / f"{kind}.log")
    return Served(kind, process, f"http://127.0.0.1:{port}", worker_cpu.worker_pid(process.pid))


def timed(served: Served, page: bench_run.Page, seconds: int) -> None:
    cpu, database = worker_cpu.cpu_seconds(served.worker), worker_cpu.postgres_seconds()
    sample = bench_run.wrk(served.base + page.path, page, seconds)
    served.cpu += worker_cpu.cpu_seconds(served.worker) - cpu
    served.database += worker_cpu.postgres_seconds() - database
    if sample.errors:
        raise RuntimeError(f"{served.kind}: {sample.errors} errors")
    served.samples.append(sample)
    bench_run.drain(served.base)


def table(bare: Served, apps: list[Served], rows_written: int) -> str:
    done = sum(s.requests for s in bare.samples)
    lines = [
        "| app | pairs/s | bare req/s | ratio | p50 ms | p99 ms | worker CPU ms/pair | PostgreSQL CPU ms/pair |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for served in apps:
        pairs = sum(s.requests for s in served.samples) / 2
        rate = statistics.mean(s.requests_per_second for s in served.samples) / 2
        bare_rate = statistics.mean(s.requests_per_second for s in served.bare_samples)
        lines.append(
            f"| {served.kind} | {rate:,.0f} | {bare_rate:,.0f} | **{rate / bare_rate:.1%}** "
            f"| {statistics.median(s.p50_ms for s in served.samples):.1f} "
            f"| {statistics.median(s.p99_ms for s in served.samples):.1f} "
            f"| {1000 * served.cpu / pairs:.3f} | {1000 * served.database / pairs:.3f} |"
        )
    lines.append(
        f"\nbare Flask (same Lua script): worker CPU {1000 * bare.cpu / done:.3f} ms a request; "
        f"rows written by the write apps: {rows_written:,}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=5, help="each wrk run")
    parser.add_argument("--apps", default=",".join(floor_apps.KINDS))
    args = parser.parse_args()
    kinds = args.apps.split(",")
    if set(kinds) - set(floor_apps.KINDS):
        raise SystemExit(f"--apps: choose from {', '.join(floor_apps.KINDS)}")
    print(f"load average before: {os.getloadavg()}", file=sys.stderr)
    name = scratch_database()
    folder = Path(tempfile.mkdtemp(prefix="submission_floor-"))
    samples = {"url": f"{SERVER}/{name}", "secret_key": secrets.token_hex(24), "instance_path": str(folder)}
    servers: list[Served] = []
    try:
        bare = start("bare", samples, folder)
        servers.append(bare)
        apps = [start(kind, samples, folder) for kind in kinds]
        servers += apps
        pages = {}
        for served in apps:  # run.py's own set-up: the citizen's cookie and token, one checked POST
            script, note = bench_run.submission_script(served.base, Path(tempfile.mkdtemp(dir=folder)))
            pages[served.kind] = bench_run.Page("submission", "/feedback/new", script=str(script), note=note)
            bench_run.wrk(served.base + "/feedback/new", pages[served.kind], 2)  # warm-up
            bench_run.drain(served.base)
        bench_run.wrk(bare.base + "/feedback/new", pages[kinds[0]], 1)
        for round_number in range(1, args.rounds + 1):
            for served in apps:
                timed(bare, pages[served.kind], args.seconds)
                served.bare_samples.append(bare.samples[-1])
                timed(served, pages[served.kind], args.seconds)
                last = served.samples[-1]
                print(f"  round {round_number} {served.kind:13} {last.requests_per_second / 2:7.1f} pairs/s "
                      f"bare {bare.samples[-1].requests_per_second:7.1f} req/s", file=sys.stderr)  # fmt: skip
        with psycopg.connect(samples["url"]) as connection:
            written = connection.execute("SELECT count(*) FROM floor_items").fetchone()
    finally:
        for served in servers:
            bench_run.stop_server(served.process)
        drop_database(name)
    print(f"load average after: {os.getloadavg()}", file=sys.stderr)
    print(table(bare, apps, written[0] if written else 0))


if __name__ == "__main__":
    main()
