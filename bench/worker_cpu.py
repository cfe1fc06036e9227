"""CPU time per request of the real gunicorn worker (gunicorn.conf.py: gevent, one worker) serving a page of a
built data set under wrk: what bench/run.py's ratios are made of, gevent's hub, the HTTP server, psycopg's
cooperative waits and the access log included (the in-process scripts see none of these).

    PYTHONPATH=$PWD .venv/bin/python bench/worker_cpu.py --dataset bench/.data/bench_pg_1m.json \
        [--pages feedback_status,dossier_status,queue_1,queue_status,bare] [--seconds 4] [--connections 4] \
        [--compare OLD_CHECKOUT --rounds 3]

The worker's user + system CPU (/proc/<pid>/stat) over a wrk run, divided by the requests wrk completed: a
count and a CPU time, so a machine busy with other work changes it little (wall time and req/s would
measure the machine). `bare` is bench/bare.py under the same server. The officer's session is made as
bench/queue_profile.py makes it (nothing is written to the data set: no sign-in record, no TOTP step); the
citizen's by opening the private links, as bench/run.py does. --compare starts the other checkout's server
and this one's alternately, `--rounds` times each, and prints the medians side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
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
    for page in pages.values():
        headers = {"User-Agent": bench_run.USER_AGENT, **page.headers}
        response = requests.get(base + page.path, headers=headers, allow_redirects=False, timeout=60)
        if response.status_code != 200:
            raise RuntimeError(f"{page.key}: {page.path} answered {response.status_code}")
    return pages


def measure(checkout: Path, samples: dict, wanted: list[str], args, staff_cookie: str) -> dict[str, float]:
    """Start the checkout's portal (and bare Flask for `bare`), drive each page, return CPU ms a request."""
    results: dict[str, float] = {}
    log_folder = Path("/tmp") / f"worker_cpu-{os.getpid()}"
    log_folder.mkdir(exist_ok=True)
    for app_name, keys in (("wsgi:app", [k for k in wanted if k != "bare"]), ("bench.bare:app", ["bare"])):
        keys = [k for k in keys if k in wanted]
        if not keys:
            continue
        port = bench_run.free_port()
        env = bench_run.server_env(samples, port)
        env["PYTHONPATH"] = str(checkout)
        process = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "gunicorn", "--config", str(checkout / "gunicorn.conf.py"),
             "--bind", f"127.0.0.1:{port}", app_name],
            cwd=checkout, env=env, stdout=open(log_folder / "server.log", "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    if requests.get(base + "/healthz", timeout=5).status_code < 500:
                        break
                except requests.RequestException:
                    time.sleep(0.3)
            worker = worker_pid(process.pid)
            if app_name == "bench.bare:app":
                pages = {"bare": bench_run.Page("bare", "/healthz")}
            else:
                pages = pages_of(base, samples, keys, staff_cookie)
            for key in keys:
                page = pages[key]
                run_wrk(base, page, 1, args.connections)  # warm-up
                before = cpu_seconds(worker)
                done = run_wrk(base, page, args.seconds, args.connections)
                results[key] = (cpu_seconds(worker) - before) / done * 1000
        finally:
            bench_run.stop_server(process)
    return results


def run_wrk(base: str, page: bench_run.Page, seconds: int, connections: int) -> int:
    saved = bench_run.CONNECTIONS
    bench_run.CONNECTIONS = connections
    try:
        sample = bench_run.wrk(base + page.path, page, seconds)
    finally:
        bench_run.CONNECTIONS = saved
    if sample.errors:
        raise RuntimeError(f"{page.key}: {sample.errors} errors")
    return sample.requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--pages", default="feedback_status,dossier_status,queue_1,queue_status,bare")
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--compare", default="")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    samples = json.loads(Path(args.dataset).read_text(encoding="utf-8"))
    wanted = args.pages.split(",")
    staff_cookie = officer_cookie(samples) if any(k.startswith("queue") for k in wanted) else ""
    checkouts = [HERE.parent] if not args.compare else [Path(args.compare).resolve(), HERE.parent]
    runs: dict[Path, list[dict[str, float]]] = {c: [] for c in checkouts}
    for round_number in range(args.rounds):
        for checkout in checkouts:
            result = measure(checkout, samples, wanted, args, staff_cookie)
            runs[checkout].append(result)
            print(f"round {round_number + 1} {checkout}: "
                  + ", ".join(f"{k} {v:.3f}" for k, v in result.items()), file=sys.stderr)  # fmt: skip
    print(f"{'page':16} " + " ".join(f"{str(c)[-24:]:>24}" for c in checkouts) + "   (worker CPU ms/request)")
    for key in wanted:
        medians = [statistics.median(r[key] for r in runs[c]) for c in checkouts]
        ratio = f"  ({medians[1] / medians[0]:.2f})" if len(medians) == 2 else ""
        print(f"{key:16} " + " ".join(f"{m:24.3f}" for m in medians) + ratio)
    if "bare" in wanted:  # bench/run.py's ratio: bare Flask's CPU per request over the page's, same round
        print("\nbare Flask CPU / page CPU (the benchmark's ratio), median of the rounds")
        for key in wanted:
            if key == "bare":
                continue
            shares = [statistics.median(r["bare"] / r[key] for r in runs[c]) for c in checkouts]
            print(f"{key:16} " + " ".join(f"{100 * s:23.1f}%" for s in shares))


if __name__ == "__main__":
    main()
