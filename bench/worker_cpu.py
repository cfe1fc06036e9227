"""CPU time per request of the real gunicorn worker (gunicorn.conf.py: gevent, one worker) serving a page of a
built data set under wrk: what bench/run.py's ratios are made of, gevent's hub, the HTTP server, psycopg's
cooperative waits and the access log included (the in-process scripts see none of these).

    PYTHONPATH=$PWD .venv/bin/python bench/worker_cpu.py --dataset bench/.data/bench_pg_1m.json \
        [--pages feedback_status,dossier_status,queue_1,queue_status,submission,bare] [--seconds 2] \
        [--connections 4] \
        [--compare OLD_CHECKOUT] [--rounds 5]

The worker's user + system CPU (/proc/<pid>/stat) over a wrk run, divided by the requests wrk completed: a
count and a CPU time, so a machine busy with other work changes it little (wall time and req/s would
measure the machine). `bare` is bench/bare.py under the same server. The officer's session is made as
bench/queue_profile.py makes it (nothing is written to the data set: no sign-in record, no TOTP step); the
citizen's by opening the private links, as bench/run.py does. All servers run at once (--compare: the other
checkout's portal too) and each page is driven on each server in turn, `--rounds` short wrk runs apiece, so
that every server meets the machine's load of the same moments; CPU and requests are summed over the runs.
The ratio printed is bench/run.py's: bare Flask's CPU per request over the page's (for `submission`, bench/run.py's
Lua script, a GET + POST pair is one submission: its CPU per wrk request is per half pair). Under each page, the
CPU of all PostgreSQL processes per request in the same runs: on this 2-core machine the database's CPU is
taken from the same two cores as the worker's (with SQLite it is the machine's other PostgreSQL work: ~0).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import run as bench_run  # noqa: E402  (bench/run.py)

TICK = os.sysconf("SC_CLK_TCK")


def worker_pid(master: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15 of stat)


def postgres_seconds() -> float:
    """User + system CPU of every PostgreSQL process on the machine (its backends, WAL writer, checkpointer):
    the database's share of a page's cost, which the worker's CPU leaves out."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended
            continue
        if "(postgres)" in text:
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def officer_cookie(samples: dict) -> str:
    """The signed-in officer's session cookie, made in this process with the data set's secret key."""
    from queue_profile import sign_in_dataset

    from portal import create_app
    from portal.settings import Settings

    settings = Settings.for_tests(
        Path(samples["instance_path"]), samples["url"], secret_key=samples["secret_key"], testing=False
    )
    app = create_app(settings)
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = bench_run.USER_AGENT
    sign_in_dataset(app, client, samples["officer"])
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    return f"{cookie.key}={cookie.value}"


def pages_of(base: str, samples: dict, wanted: list[str], staff_cookie: str) -> dict[str, bench_run.Page]:
    pages: dict[str, bench_run.Page] = {}
    feedback = next(s for s in samples["feedback"] if s["status"] in ("closed", "answered"))
    dossier = next(s for s in samples["dossiers"] if s["status"] == 10)
    if "feedback_status" in wanted:
        path, cookie = bench_run.citizen_page(base, feedback["url"])
        pages["feedback_status"] = bench_run.Page("feedback_status", path, {"Cookie": cookie})
    if "dossier_status" in wanted:
        path, cookie = bench_run.citizen_page(base, dossier["url"])
        pages["dossier_status"] = bench_run.Page("dossier_status", path, {"Cookie": cookie})
    if "queue_1" in wanted:
        pages["queue_1"] = bench_run.Page("queue_1", "/staff/queue", {"Cookie": staff_cookie})
    if "queue_status" in wanted:
        pages["queue_status"] = bench_run.Page(
            "queue_status", "/staff/queue?status=accepted", {"Cookie": staff_cookie}
        )
    if "bare" in wanted:
        pages["bare"] = bench_run.Page("bare", "/healthz")
    if "submission" in wanted:  # bench/run.py's Lua script: GET the form, POST it, alternately
        script, note = bench_run.submission_script(base, Path(tempfile.mkdtemp(prefix="worker_cpu-")))
        pages["submission"] = bench_run.Page("submission", "/feedback/new", script=str(script), note=note)
    for page in pages.values():
        headers = {"User-Agent": bench_run.USER_AGENT, **page.headers}
        response = requests.get(base + page.path, headers=headers, allow_redirects=False, timeout=60)
        if response.status_code != 200:
            raise RuntimeError(f"{page.key}: {page.path} answered {response.status_code}")
    return pages


class Server:
    """One checkout's portal (or bench/bare.py) under gunicorn.conf.py, with its worker's pid."""

    def __init__(self, checkout: Path, app_name: str, samples: dict) -> None:
        self.checkout, self.app_name = checkout, app_name
        port = bench_run.free_port()
        env = bench_run.server_env(samples, port)
        env["PYTHONPATH"] = str(checkout)
        log = Path(tempfile.gettempdir()) / f"worker_cpu-{os.getpid()}-{port}.log"
        self.process = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "gunicorn", "--config", str(checkout / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{port}", app_name],
            cwd=checkout, env=env, stdout=open(log, "ab"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if requests.get(self.base + "/healthz", timeout=5).status_code < 500:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        self.worker = worker_pid(self.process.pid)

    def stop(self) -> None:
        bench_run.stop_server(self.process)


def measure(servers: list[Server], samples: dict, wanted: list[str], args, staff_cookie: str) -> dict:
    """For each page, short wrk runs against each server in turn (`--rounds` times): every server sees the
    machine's load of the same moments. Returns {server index: {page: CPU ms a request}}."""
    pages = {
        index: (
            {"bare": bench_run.Page("bare", "/healthz")}
            if server.app_name == "bench.bare:app"
            else pages_of(server.base, samples, [k for k in wanted if k != "bare"], staff_cookie)
        )
        for index, server in enumerate(servers)
    }
    results: dict[int, dict[str, float]] = {index: {} for index in range(len(servers))}
    for key in wanted:
        targets = [i for i in range(len(servers)) if key in pages[i]]
        cpu = dict.fromkeys(targets, 0.0)
        database = dict.fromkeys(targets, 0.0)
        done = dict.fromkeys(targets, 0)
        for index in targets:
            run_wrk(servers[index].base, pages[index][key], 1, args.connections)  # warm-up
        for _ in range(args.rounds):
            for index in targets:
                before, before_database = cpu_seconds(servers[index].worker), postgres_seconds()
                done[index] += run_wrk(servers[index].base, pages[index][key], args.seconds, args.connections)
                cpu[index] += cpu_seconds(servers[index].worker) - before
                database[index] += postgres_seconds() - before_database
        for index in targets:
            results[index][key] = cpu[index] / done[index] * 1000
            results[index][key + " postgres"] = database[index] / done[index] * 1000
    return results


def run_wrk(base: str, page: bench_run.Page, seconds: int, connections: int) -> int:
    sample = bench_run.wrk(base + page.path, page, seconds, connections)
    if sample.errors:
        raise RuntimeError(f"{page.key}: {sample.errors} errors")
    return sample.requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--pages", default="feedback_status,dossier_status,queue_1,queue_status,bare")
    parser.add_argument("--seconds", type=int, default=2, help="each wrk run")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--compare", default="")
    parser.add_argument("--rounds", type=int, default=5, help="wrk runs per page and server, alternating")
    args = parser.parse_args()
    samples = json.loads(Path(args.dataset).read_text(encoding="utf-8"))
    wanted = args.pages.split(",")
    staff_cookie = officer_cookie(samples) if any(k.startswith("queue") for k in wanted) else ""
    checkouts = [HERE.parent] if not args.compare else [Path(args.compare).resolve(), HERE.parent]
    servers: list[Server] = []
    try:
        for checkout in checkouts:
            if any(k != "bare" for k in wanted):
                servers.append(Server(checkout, "wsgi:app", samples))
        if "bare" in wanted:
            servers.append(Server(HERE.parent, "bench.bare:app", samples))
        results = measure(servers, samples, wanted, args, staff_cookie)
    finally:
        for server in servers:
            server.stop()
    portal = [i for i, server in enumerate(servers) if server.app_name == "wsgi:app"]
    bare = next((results[i]["bare"] for i, s in enumerate(servers) if s.app_name == "bench.bare:app"), None)
    names = [str(servers[i].checkout)[-24:] for i in portal]
    print(f"{'page':16} " + " ".join(f"{n:>24}" for n in names) + "   (worker CPU ms/request)")
    for key in wanted:
        if key == "bare":
            continue
        values = [results[i][key] for i in portal]
        change = f"  ({values[1] / values[0]:.2f})" if len(values) == 2 else ""
        # A submission is two of wrk's requests (the GET and the POST): bench/run.py halves its rate.
        pair = 2 if key == "submission" else 1
        shares = (
            "" if bare is None else "   ratio " + " ".join(f"{100 * bare / v / pair:.1f}%" for v in values)
        )
        print(f"{key:16} " + " ".join(f"{v:24.3f}" for v in values) + change + shares)
        database = [results[i][key + " postgres"] for i in portal]
        print(f"{'  PostgreSQL':16} " + " ".join(f"{v:24.3f}" for v in database) + "   (all its processes)")
    if bare is not None:
        print(
            f"{'bare Flask':16} {bare:24.3f}   (bench/run.py's ratio: bare Flask's CPU per request / the page's)"
        )


if __name__ == "__main__":
    main()
