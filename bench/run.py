"""Issue 17's benchmark in one command: the portal against a bare Flask "hello", measured from outside.

    .venv/bin/python bench/run.py --database postgresql --rows 1000000 [--reuse] [--seconds 10] [--rounds 2]
    .venv/bin/python bench/run.py --database sqlite --rows 100000 --pages feedback_status,queue_1

Builds the data set with bench/dataset.py (or, with --reuse, uses the one already built), starts the
portal (`gunicorn -c gunicorn.conf.py wsgi:app`: gevent, one worker) and bench/bare.py with the very same
settings, signs in the benchmark's officer (password + TOTP code, as a real officer does), opens the
sample private links as a citizen's browser would, follows the queue's "next page" links to page 500,
then runs wrk (16 connections, --latency) against each page, alternating with the bare app in every
round so that the machine's noise hits both. Before each timed run of a signed-in page the officer's
browser asks for it once and wrk sends the cookie it was given, as a browser does (`refresh_cookie`).
Prints the table (req/s, ratio to bare Flask, p50, p99, the issue's goal and pass/fail) and writes it as
JSON and markdown under bench/results/.

The feedback submission row is driven by wrk too, with a Lua script (bench/submit.lua) that sends GET
/feedback/new then a POST, alternately. That works because both tokens can be reused or made up by a
client: Flask-WTF's CSRF token is valid for the whole session (an hour), so one token taken from one
GET serves every POST of that session, and the form nonce only has to be well formed and new (the
portal stores a hash of it to refuse a second send), so the script draws a fresh random one per POST,
with a fresh phone number. The portal runs with PORTAL_TRUSTED_PROXIES=1 (production's setting behind
nginx) and each POST carries its own X-Forwarded-For address, as many citizens behind nginx would: the
per-address and per-phone submission limits then apply to each simulated citizen, not to the benchmark.
Every POST creates a real feedback item (the data set grows by that many rows).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import dataset  # noqa: E402  (bench/dataset.py)

WRK = "/usr/bin/wrk"
RESULTS = ROOT / "bench" / "results"
CONNECTIONS = 16
# One browser identity for the set-up requests and wrk: Flask-Login's strong session protection ties a
# signed-in session to the address and User-Agent it was made with (another one is signed out).
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) portal-bench/1"

# page key: (label, goal ratio, goal p99 ms or None) — from issue 17's table.
GOALS = {
    "feedback_status": ("feedback tracking page", 0.40, 30),
    "dossier_status": ("dossier tracking page", 0.40, 30),
    "queue_1": ("staff queue, page 1", 0.20, 60),
    "queue_500": ("staff queue, page 500", 0.20, 60),
    "queue_status": ("staff queue filtered by status", 0.20, 60),
    "feed_1": ("public feed, page 1", 0.30, None),
    "feed_search_none": ("public feed, a search that matches nothing", 0.20, None),
    "catalogue_search": ("catalogue search", 0.30, None),
    "qr_png": ("payment QR PNG, same reference again", 0.60, None),
    "qr_png_etag": ("payment QR PNG with If-None-Match", 0.60, None),
    "submission": ("feedback submission (GET form + POST)", 0.15, None),
}


@dataclass
class Page:
    key: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    script: str | None = None  # a wrk Lua script
    note: str = ""
    expected_bytes: int = 0  # body size of the checked answer: wrk's bytes per response must match it
    # The browser whose cookie the page sends: its cookie is brought up to date before each timed run.
    browser: requests.Session | None = None


@dataclass
class Sample:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int
    bytes_per_response: float


# --- servers -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(app: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    output = open(log, "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(  # noqa: S603 - our own command
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            app,
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{app} exited with {process.returncode}; see {log}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code < 500:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.3)
    stop_server(process)
    raise RuntimeError(f"{app} did not answer within 90 s; see {log}")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server_env(samples: dict, port: int, redis_url: str = "", workers: int = 0) -> dict[str, str]:
    """The servers' environment: gunicorn.conf.py's default (one gevent worker, no Redis) unless `redis_url`
    is given, which is production's configuration: limits, account versions and caches shared through Redis,
    and gunicorn's worker count for it (2 x cores + 1, or `workers`). Both apps get the same environment."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "WEB_CONCURRENCY", "DATABASE_URL", "SECRET_KEY", "PORTAL_ENV")
    }
    env.update(
        DATABASE_URL=samples["url"],
        SECRET_KEY=samples["secret_key"],
        PORTAL_INSTANCE_PATH=samples["instance_path"],
        PORTAL_BASE_URL=f"http://127.0.0.1:{port}",
        PORTAL_TRUSTED_PROXIES="1",  # production behind nginx; the submission row sends X-Forwarded-For
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    return env


def clear_redis(url: str) -> None:
    """Empty the benchmark's Redis database before a run: counts of an earlier run's limits must not refuse
    this run's sign-in or submissions."""
    import redis

    redis.Redis.from_url(url).flushdb()


# --- browser-side set-up -----------------------------------------------------------------------------


def browser_session() -> requests.Session:
    browser = requests.Session()
    browser.headers["User-Agent"] = USER_AGENT
    return browser


def cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    if not match:
        raise RuntimeError("no CSRF token in the page")
    return match[1]


def citizen_page(base: str, link: str) -> tuple[str, str]:
    """Open a private link as the citizen's browser: returns (status page path, its Cookie header)."""
    browser = browser_session()
    response = browser.get(base + link, allow_redirects=False, timeout=60)
    if response.status_code != 302:
        raise RuntimeError(f"{link}: expected a redirect, got {response.status_code}")
    target = response.headers["Location"].removeprefix(base)
    if browser.get(base + target, timeout=60).status_code != 200:
        raise RuntimeError(f"{target} did not open")
    return target, cookie_header(browser)


def officer_session(base: str, officer: dict) -> requests.Session:
    """Sign in with the password, then the authenticator's current code (two-step sign-in is on)."""
    import pyotp

    browser = browser_session()
    page = browser.get(f"{base}/login", timeout=60).text
    response = browser.post(
        f"{base}/login",
        data={"csrf_token": csrf_of(page), "email": officer["email"], "password": officer["password"]},
        allow_redirects=False,
        timeout=60,
    )
    if response.status_code != 302 or "two-factor" not in response.headers.get("Location", ""):
        raise RuntimeError(f"sign-in: expected the two-step page, got {response.status_code}")
    page = browser.get(f"{base}/login/two-factor", timeout=60).text
    totp = pyotp.TOTP(officer["totp_secret"])
    for _attempt in range(3):  # a code is single-use: wait for the next step if this one was used
        response = browser.post(
            f"{base}/login/two-factor",
            data={"csrf_token": csrf_of(page), "code": totp.now()},
            allow_redirects=False,
            timeout=60,
        )
        if response.status_code == 302:
            break
        time.sleep(31 - time.time() % 30)
    else:
        raise RuntimeError("two-step sign-in failed")
    if browser.get(f"{base}/staff/queue", timeout=120).status_code != 200:
        raise RuntimeError("the officer cannot open the queue")
    return browser


def page_500(base: str, browser: requests.Session, pages: int = 500) -> str:
    url, body = "/staff/queue", browser.get(f"{base}/staff/queue", timeout=120).text
    for number in range(2, pages + 1):
        match = re.search(r'href="(/staff/queue\?[^"]*after=[^"]+)"', body)
        if not match:
            raise RuntimeError(f"the queue has only {number - 1} pages")
        url = match[1].replace("&amp;", "&")
        body = browser.get(base + url, timeout=120).text
        if number % 100 == 0:
            print(f"  followed the queue to page {number}", file=sys.stderr)
    return url


SUBMIT_LUA = """-- GET /feedback/new and POST it, alternately (bench/run.py writes this file for each run).
local cookie, csrf, category, commune = "{cookie}", "{csrf}", "{category}", "{commune}"
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
local sent = 0

local function nonce()
  local out = {{}}
  for i = 1, 32 do
    local n = math.random(1, 64)
    out[i] = alphabet:sub(n, n)
  end
  return table.concat(out)
end

function setup(thread)
  thread:set("id", tostring(thread))
end

function init(args)
  math.randomseed(os.time() + tonumber(string.sub(tostring({{}}), 8), 16) % 100000)
end

function request()
  sent = sent + 1
  if sent % 2 == 1 then
    return wrk.format("GET", "/feedback/new", {{["Cookie"] = cookie, ["User-Agent"] = "{user_agent}"}})
  end
  local body = "csrf_token=" .. csrf .. "&category=" .. category .. "&commune=" .. commune
    .. "&title=" .. "%C4%90%C3%A8n+%C4%91%C6%B0%E1%BB%9Dng+kh%C3%B4ng+s%C3%A1ng"
    .. "&description=" .. "Ba+c%E1%BB%99t+%C4%91%C3%A8n+%C4%91%C3%A3+kh%C3%B4ng+s%C3%A1ng"
    .. "+h%C6%A1n+m%E1%BB%99t+tu%E1%BA%A7n."
    .. "&address=&contact_name=&email=&website=&consent=y"
    .. "&phone=09" .. string.format("%08d", math.random(0, 99999999))
    .. "&nonce=" .. nonce()
  local headers = {{
    ["Cookie"] = cookie,
    ["User-Agent"] = "{user_agent}",
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Forwarded-For"] = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254),
  }}
  return wrk.format("POST", "/feedback/new", headers, body)
end
"""


def submission_script(base: str, folder: Path) -> tuple[Path, str]:
    """A citizen's session and CSRF token, the form's first category and commune; one real POST to check."""
    browser = browser_session()
    page = browser.get(f"{base}/feedback/new", timeout=60).text
    category = re.search(  # radio buttons with icons since issue 13; a drop-down before
        r'<input type="radio" name="category" value="(\d+)"|<select[^>]*name="category".*?<option[^>]*value="(\d+)"',
        page,
        re.S,
    )
    commune = re.search(r'<select[^>]*name="commune".*?<option[^>]*value="(\d{5})"', page, re.S)
    if not category or not commune:
        raise RuntimeError("the feedback form has no category or commune choices")
    values = {
        "cookie": cookie_header(browser),
        "csrf": csrf_of(page),
        "category": category[1] or category[2],
        "commune": commune[1],
        "user_agent": USER_AGENT,
    }
    script = folder / "submit.lua"
    script.write_text(SUBMIT_LUA.format(**values), encoding="utf-8")
    # The same request by hand: it must create an item (302 to the receipt), not fail validation.
    check = browser.post(
        f"{base}/feedback/new",
        data={
            "csrf_token": values["csrf"],
            "category": values["category"],
            "commune": commune[1],
            "title": "Đèn đường không sáng",
            "description": "Ba cột đèn đã không sáng hơn một tuần.",
            "phone": "0912345678",
            "nonce": "bench" + os.urandom(16).hex(),
            "website": "",
            "consent": "y",
        },  # fmt: skip
        headers={"X-Forwarded-For": "10.255.255.1"},
        allow_redirects=False,
        timeout=60,
    )
    if check.status_code != 302 or "receipt" not in check.headers.get("Location", ""):
        raise RuntimeError(f"a submission was not accepted ({check.status_code})")
    return script, "wrk Lua script: CSRF token reused within its session, a fresh nonce and phone per POST"


def build_pages(base: str, samples: dict, wanted: list[str], folder: Path, deep: bool) -> list[Page]:
    pages: list[Page] = []
    # The submission's script first: it checks a real POST, and fails fast before the long set-up.
    submission = None
    if "submission" in wanted:
        script, note = submission_script(base, folder)
        submission = Page("submission", "/feedback/new", script=str(script), note=note)
    feedback = next(s for s in samples["feedback"] if s["status"] in ("closed", "answered"))
    dossier = next(s for s in samples["dossiers"] if s["status"] == 10)
    if "feedback_status" in wanted:
        path, cookie = citizen_page(base, feedback["url"])
        pages.append(
            Page("feedback_status", path, {"Cookie": cookie}, note=f"opened by {feedback['url'][:14]}…")
        )
    if "dossier_status" in wanted:
        path, cookie = citizen_page(base, dossier["url"])
        pages.append(Page("dossier_status", path, {"Cookie": cookie}, note="opened by its private link"))
    if any(key.startswith("queue") for key in wanted):
        officer = officer_session(base, samples["officer"])
        staff = {"Cookie": cookie_header(officer)}
        if "queue_1" in wanted:
            pages.append(Page("queue_1", "/staff/queue", dict(staff), browser=officer))
        if "queue_500" in wanted and deep:
            pages.append(Page("queue_500", page_500(base, officer), dict(staff), browser=officer))
        if "queue_status" in wanted:
            pages.append(Page("queue_status", "/staff/queue?status=accepted", dict(staff), browser=officer))
    if "feed_1" in wanted:
        pages.append(Page("feed_1", "/feedback"))
    if "feed_search_none" in wanted:
        pages.append(
            Page("feed_search_none", "/feedback?q=" + samples["feed_search"]["none"].replace(" ", "+"))
        )
    if "catalogue_search" in wanted:
        pages.append(
            Page(
                "catalogue_search", "/procedures?q=" + samples["catalogue_search"]["match"].replace(" ", "+")
            )
        )
    reference = dataset.payable_reference(samples) if any(k.startswith("qr_") for k in wanted) else ""
    if "qr_png" in wanted:
        pages.append(Page("qr_png", f"/payments/{reference}/qr.png"))
    if "qr_png_etag" in wanted:
        etag = browser_session().get(f"{base}/payments/{reference}/qr.png", timeout=60).headers.get("ETag")
        note = "revalidation (304)" if etag else "no ETag served: a made-up validator, full PNG each time"
        pages.append(
            Page(
                "qr_png_etag", f"/payments/{reference}/qr.png", {"If-None-Match": etag or '"none"'}, note=note
            )
        )
    if submission is not None:
        pages.append(submission)
    for page in pages:  # every page must answer as the benchmark expects before it is timed
        if page.script:
            continue
        headers = {"User-Agent": USER_AGENT, **page.headers}
        response = requests.get(base + page.path, headers=headers, allow_redirects=False, timeout=120)
        if response.status_code not in (200, 304):
            raise RuntimeError(f"{page.key}: {page.path} answered {response.status_code}")
        page.expected_bytes = len(response.content)
    return pages


# --- wrk ---------------------------------------------------------------------------------------------


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def refresh_cookie(base: str, page: Page) -> None:
    """An officer's browser keeps the cookie each answer sets: the portal rewrites a staff session's last
    activity at most once a minute (portal/accounts/sessions.py SEEN_RESOLUTION), and the browser sends the
    new cookie from then on. wrk replays one fixed header, so past a minute after the sign-in every request
    would carry a stale stamp and be answered with a freshly signed Set-Cookie, which no browser causes.
    Before each timed run the page's browser asks for it once (storing what is set), and wrk sends that."""
    if page.browser is not None:
        page.browser.get(
            base + page.path, headers={"User-Agent": USER_AGENT}, allow_redirects=False, timeout=120
        )
        page.headers["Cookie"] = cookie_header(page.browser)


def wrk(url: str, page: Page, seconds: int, connections: int = CONNECTIONS) -> Sample:
    command = [WRK, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in {"User-Agent": USER_AGENT, **page.headers}.items():
        command += ["-H", f"{name}: {value}"]
    if page.script:
        command += ["-s", page.script]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output)[1])  # type: ignore[index]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output)[1])  # type: ignore[index]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", output)
    total_match = re.search(r"(\d+) requests in [^,]+, ([\d.]+)([KMG]?B) read", output)
    total = int(total_match[1])  # type: ignore[index]
    read = float(total_match[2]) * {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}[total_match[3]]  # type: ignore[index]
    count = (int(errors[1]) if errors else 0) + (int(timeouts[1]) if timeouts else 0)
    return Sample(rate, p50, p99, count, total, round(read / max(total, 1)))


def spy(portal: subprocess.Popen, base: str, page: Page, seconds: int, output: Path) -> None:
    """Sample the portal's worker with py-spy while wrk drives one page: where a served request's time goes,
    the HTTP server and gevent included, which the in-process profile (profile_pages.py) does not see."""
    recorder = subprocess.Popen(  # noqa: S603 - our own command
        [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(portal.pid), "--subprocesses",
         "--nonblocking", "--rate", "500", "--duration", str(seconds), "--format", "raw", "--output", str(output)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(0.5)
    wrk(base + page.path, page, seconds)
    recorder.wait(timeout=seconds + 60)
    drain(base)
    print(f"  py-spy {page.key:18} -> {output}", file=sys.stderr)


def drain(base: str, limit: float = 120) -> None:
    """Wait until the server answers /healthz quickly twice in a row: requests that wrk left queued when its
    run ended (a full-scan search takes seconds each, and SQLite blocks the single gevent worker while it
    scans) must not be billed to the next page."""
    deadline, quick = time.monotonic() + limit, 0
    while quick < 2 and time.monotonic() < deadline:
        started = time.monotonic()
        try:
            requests.get(f"{base}/healthz", timeout=limit)
        except requests.RequestException:
            pass
        quick = quick + 1 if time.monotonic() - started < 0.05 else 0
        time.sleep(0.2)


def run(args: argparse.Namespace) -> dict:
    name = args.name or dataset.default_name(args.database, args.rows)
    if args.reuse and dataset.samples_path(name).exists():
        samples = dataset.load_samples(name)
        print(f"reusing {name} (built {samples['built_at']})", file=sys.stderr)
        dataset.upgrade_schema(samples)
    else:
        samples = dataset.build(args.database, args.rows, name, args.server_url, jobs=args.jobs)
    folder = RESULTS / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    portal_port, bare_port = free_port(), free_port()
    if args.workers and not args.redis_url:
        raise SystemExit("--workers needs --redis-url: the portal refuses several workers without Redis")
    if args.redis_url:
        clear_redis(args.redis_url)
    env = server_env(samples, portal_port, args.redis_url, args.workers)
    portal = start_server("wsgi:app", portal_port, env, folder / "portal.log")
    try:
        bare = start_server("bench.bare:app", bare_port, env, folder / "bare.log")
    except Exception:
        stop_server(portal)
        raise
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    try:
        portal_base, bare_base = f"http://127.0.0.1:{portal_port}", f"http://127.0.0.1:{bare_port}"
        wanted = args.pages.split(",") if args.pages else list(GOALS)
        unknown = set(wanted) - set(GOALS)
        if unknown:
            raise SystemExit(f"unknown pages: {', '.join(sorted(unknown))}; choose from {', '.join(GOALS)}")
        pages = build_pages(portal_base, samples, wanted, folder, deep=not args.no_page_500)
        for page in pages:  # warm-up: templates compiled, caches and connection pool filled
            wrk(portal_base + page.path, page, 2)
            drain(portal_base)
            wrk(bare_base + page.path, page, 1)
        measured: dict[str, dict[str, list[Sample]]] = {p.key: {"bare": [], "portal": []} for p in pages}
        for round_number in range(1, args.rounds + 1):
            for page in pages:
                refresh_cookie(portal_base, page)
                measured[page.key]["bare"].append(wrk(bare_base + page.path, page, args.seconds))
                measured[page.key]["portal"].append(wrk(portal_base + page.path, page, args.seconds))
                drain(portal_base)
                last = measured[page.key]["portal"][-1]
                print(f"  round {round_number} {page.key:18} {last.requests_per_second:9.1f} req/s "
                      f"p50 {last.p50_ms:7.1f} ms", file=sys.stderr)  # fmt: skip
        if args.py_spy:
            for page in pages:
                spy(portal, portal_base, page, args.seconds, folder / f"spy-{page.key}.txt")
    finally:
        stop_server(portal)
        stop_server(bare)
    rows = []
    for page in pages:
        portal_samples, bare_samples = measured[page.key]["portal"], measured[page.key]["bare"]
        rate = statistics.mean(s.requests_per_second for s in portal_samples)
        bare_rate = statistics.mean(s.requests_per_second for s in bare_samples)
        label, goal_ratio, goal_p99 = GOALS[page.key]
        ratio = rate / bare_rate
        p50 = statistics.median(s.p50_ms for s in portal_samples)
        p99 = statistics.median(s.p99_ms for s in portal_samples)
        passed = ratio >= goal_ratio and (goal_p99 is None or p99 <= goal_p99)
        if not sum(s.requests for s in portal_samples):  # wrk reports no latency when nothing finished
            p50 = p99 = float("nan")
            page.note = (
                page.note + "; " if page.note else ""
            ) + f"no request finished within {args.seconds} s"
        read = statistics.mean(s.bytes_per_response for s in portal_samples)
        if page.expected_bytes and 0 < read < page.expected_bytes * 0.8:  # redirects or errors, not the page
            page.note = (page.note + "; " if page.note else "") + (
                f"WRONG ANSWERS: {read:.0f} bytes per response, the page has {page.expected_bytes}"
            )
            passed = False
        if page.key == "submission":  # a GET + POST pair is one submission
            rate /= 2
            ratio = rate / bare_rate
            passed = ratio >= goal_ratio
        rows.append(
            dict(
                key=page.key, page=label, path=page.path if page.key not in ("feedback_status",) else page.path,
                requests_per_second=round(rate, 1), bare_requests_per_second=round(bare_rate, 1),
                ratio=round(ratio, 4), p50_ms=round(p50, 1), p99_ms=round(p99, 1),
                errors=sum(s.errors for s in portal_samples), requests=sum(s.requests for s in portal_samples),
                goal=f"≥ {goal_ratio:.0%}" + (f", p99 ≤ {goal_p99} ms" if goal_p99 else ""),
                passed=passed, note=page.note, rounds=[asdict(s) for s in portal_samples],
                bare_rounds=[asdict(s) for s in bare_samples],
            )
        )  # fmt: skip
    return {
        "database": samples["database"],
        "data_set": samples["name"],
        "rows": samples["rows"],
        "started_at": started.isoformat(timespec="seconds"),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "seconds": args.seconds,
        "rounds": args.rounds,
        "connections": CONNECTIONS,
        "servers": (
            f"Redis {args.redis_url}, {args.workers or 'gunicorn.conf.py default (2 x cores + 1)'} workers"
            if args.redis_url
            else "one gevent worker, no Redis (gunicorn.conf.py default)"
        ),
        "command": " ".join(["bench/run.py", *sys.argv[1:]]),
        "pages": rows,
    }


def markdown(result: dict) -> str:
    lines = [
        f"`{result['command']}` — {result['database']}, {result['rows']:,} + {result['rows']:,} rows "
        f"({result['data_set']}), {result['started_at']}, {result['rounds']} rounds of {result['seconds']} s, "
        f"{result['connections']} connections, {result.get('servers', 'one gevent worker')}, load average before/after "
        f"{'/'.join(map(str, result['load_average_before']))} → {'/'.join(map(str, result['load_average_after']))}",
        "",
        "| page | req/s | bare Flask req/s | ratio | p50 ms | p99 ms | errors | goal | |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in result["pages"]:
        lines.append(
            f"| {row['page']} | {row['requests_per_second']:,.1f} | {row['bare_requests_per_second']:,.0f} | "
            f"{row['ratio']:.1%} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['errors']} | {row['goal']} | "
            f"{'pass' if row['passed'] else 'FAIL'} |"
        )
    notes = [f"- {row['page']}: {row['note']}" for row in result["pages"] if row["note"]]
    return "\n".join(lines + ([""] + notes if notes else [])) + "\n"


def arguments() -> argparse.ArgumentParser:
    """The command line; bench/scaling.py parses its own run's options with it, so both know every option."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--rows", type=int, default=1_000_000, help="feedback items, and as many dossiers")
    parser.add_argument("--name", help="data set name (default bench_pg_<rows> / bench_sqlite_<rows>)")
    parser.add_argument(
        "--reuse", action="store_true", help="use the data set already built, if there is one"
    )
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (bare, portal) per page")
    parser.add_argument("--pages", default="", help=f"comma-separated subset of: {', '.join(GOALS)}")
    parser.add_argument("--no-page-500", action="store_true", help="skip following the queue to page 500")
    parser.add_argument("--server-url", default=dataset.DEFAULT_SERVER, help="PostgreSQL server")
    parser.add_argument("--jobs", type=int, default=2, help="generator processes when building")
    parser.add_argument(
        "--redis-url",
        default="",
        help="run both apps as production does, with REDIS_URL (e.g. redis://127.0.0.1:6379/13; the database "
        "is emptied first) and gunicorn's worker count for it; default: one worker, no Redis",
    )
    parser.add_argument("--workers", type=int, default=0, help="worker processes with --redis-url")
    parser.add_argument(
        "--py-spy",
        action="store_true",
        help="after the timed rounds, drive each page once more with wrk while py-spy samples the portal's "
        "worker; collapsed stacks in bench/results/logs/spy-<page>.txt (pip install py-spy)",
    )
    return parser


def main() -> None:
    args = arguments().parse_args()
    if not shutil.which(WRK):
        raise SystemExit(f"{WRK} is missing: apt-get install wrk")
    result = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "-redis" if args.redis_url else ""
    stem = RESULTS / f"{result['data_set']}-{result['started_at'][:16].replace(':', '')}{suffix}"
    stem.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    table = markdown(result)
    stem.with_suffix(".md").write_text(table, encoding="utf-8")
    print(table)
    print(f"written to {stem}.json and .md", file=sys.stderr)


if __name__ == "__main__":
    main()
