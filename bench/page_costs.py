"""In-process cost of bench/run.py's pages on a built data set (bench/dataset.py): CPU ms per request of this
process, wall ms, SQL statements and the driver's own commands (BEGIN/COMMIT/ROLLBACK: with the statements,
the round trips to PostgreSQL) per request, through the WSGI app without a network.

Usage:
    .venv/bin/python bench/page_costs.py --dataset bench/.data/bench_pg_1m.json [--requests 300]
        [--pages feedback_status,feedback_status_gzip,dossier_status,dossier_status_gzip,queue_1,
                 queue_status,feed_1,feed_search_none,catalogue_search,qr_png,qr_png_etag,form,submission]
        [--compare OLD_CHECKOUT --rounds 3] [--profile PAGE]

A `_gzip` page is the page asked with a browser's `Accept-Encoding` (wrk, and the other pages here, send
none, so they never pay for the compression a browser's request does).

On a shared, busy machine wall time measures the machine; CPU time and the counts measure the code.
--compare runs the same script from an older checkout and this one alternately (each a fresh process,
`--rounds` times) and prints the median of the runs' medians: before/after under the same load. The old
checkout needs this file and bench/inprocess.py copied in. Nothing is changed in the data set except by
the submission page, which adds a report per request, as bench/run.py does.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PAGES = (
    "feedback_status,feedback_status_gzip,dossier_status,dossier_status_gzip,queue_1,queue_status,feed_1,"
    "feed_search_none,catalogue_search,qr_png,qr_png_etag,form,submission"
)
USER_AGENT = "portal-bench"
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # what a browser sends


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="the .json bench/dataset.py wrote")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--pages", default=PAGES)
    parser.add_argument("--compare", default="", help="an older checkout to run alternately with this one")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", default="", help="a page name: print a pyinstrument profile of it")
    args = parser.parse_args()
    if args.compare:
        compare(args)
    else:
        run(args)


def compare(args) -> None:
    from bench.inprocess import compare_checkouts, print_comparison

    arguments = ["--dataset", str(Path(args.dataset).resolve()), "--requests", str(args.requests)]
    results = compare_checkouts("page_costs.py", args.compare, arguments, args.pages, args.rounds)
    print_comparison(results, args.pages)


def run(args) -> None:
    import dataset as dataset_module
    from queue_profile import sign_in_dataset
    from sqlalchemy import event

    from bench.inprocess import DriverCommands, StatementCounter, timed_row
    from portal import create_app
    from portal.extensions import db
    from portal.settings import Settings

    samples = json.loads(Path(args.dataset).read_text(encoding="utf-8"))
    settings = Settings.for_tests(
        Path(samples["instance_path"]), samples["url"], secret_key=samples["secret_key"], testing=False
    )
    app = create_app(settings)
    app.config["WTF_CSRF_ENABLED"] = False  # the submission posts without scraping a token
    counter = StatementCounter()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", counter)
    wanted = args.pages.split(",")
    pages = build_pages(app, samples, wanted, sign_in_dataset, dataset_module.payable_reference)
    DriverCommands.install()
    print(f"{'page':18} {'CPU median':>10} {'CPU p95':>8} {'stmts':>6} {'driver':>7} {'wall ms':>8}")
    for name in wanted:
        if name not in pages:
            continue
        request = pages[name]
        runs = args.requests if name != "submission" else max(args.requests // 5, 20)
        for _ in range(10):
            request()
        print(timed_row(name, request, runs, counter))
        if args.profile == name:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
            with profiler:
                for _ in range(min(runs, 200)):
                    request()
            print(profiler.output_text(unicode=True, color=False, show_all=False))
    with app.app_context():
        db.engine.dispose()


def build_pages(app, samples: dict, wanted: list[str], sign_in, payable) -> dict[str, Callable[[], object]]:
    def get(client, url: str, status: int = 200, **kwargs) -> Callable[[], object]:
        def request():
            response = client.get(url, headers={"User-Agent": USER_AGENT, **kwargs})
            response.get_data()
            response.close()
            assert response.status_code == status, (url, response.status_code)

        return request

    def private(link: str):
        client = app.test_client()
        response = client.get(link, headers={"User-Agent": USER_AGENT})
        assert response.status_code == 302, (link, response.status_code)
        return client, response.headers["Location"]

    pages: dict[str, Callable[[], object]] = {}
    feedback = next(s for s in samples["feedback"] if s["status"] in ("closed", "answered"))
    dossier = next(s for s in samples["dossiers"] if s["status"] == 10)
    for kind, sample in (("feedback_status", feedback), ("dossier_status", dossier)):
        if kind in wanted or f"{kind}_gzip" in wanted:
            client, path = private(sample["url"])
            pages[kind] = get(client, path)
            pages[f"{kind}_gzip"] = get(client, path, **BROWSER)
    if "queue_1" in wanted or "queue_status" in wanted:
        officer = app.test_client()
        officer.environ_base["HTTP_USER_AGENT"] = USER_AGENT
        sign_in(app, officer, samples["officer"])
        pages["queue_1"] = get(officer, "/staff/queue")
        pages["queue_status"] = get(officer, "/staff/queue?status=accepted")
    public = app.test_client()
    pages["feed_1"] = get(public, "/feedback")
    pages["feed_search_none"] = get(public, "/feedback?q=" + samples["feed_search"]["none"].replace(" ", "+"))
    pages["catalogue_search"] = get(
        public, "/procedures?q=" + samples["catalogue_search"]["match"].replace(" ", "+")
    )
    if "qr_png" in wanted or "qr_png_etag" in wanted:
        png = f"/payments/{payable(samples)}/qr.png"
        first = public.get(png)
        etag = first.headers.get("ETag", '"none"')
        first.close()
        pages["qr_png"] = get(public, png)
        pages["qr_png_etag"] = get(public, png, 304, **{"If-None-Match": etag})
    citizen = app.test_client()
    pages["form"] = get(citizen, "/feedback/new")
    sent = [0]

    def submission() -> None:
        page = citizen.get("/feedback/new", headers={"User-Agent": USER_AGENT}).get_data(as_text=True)
        category = re.search(
            r'<input type="radio" name="category" value="(\d+)"', page
        )  # radio buttons since issue 13
        commune = re.search(r'<select[^>]*name="commune".*?<option[^>]*value="(\d{5})"', page, re.S)
        nonce = re.search(r'name="nonce"[^>]*value="([^"]+)"', page)
        assert category and commune and nonce
        sent[0] += 1
        response = citizen.post(
            "/feedback/new",
            headers={"User-Agent": USER_AGENT, "X-Forwarded-For": f"10.9.{sent[0] // 250}.{sent[0] % 250}"},
            data={
                "category": category[1],
                "commune": commune[1],
                "title": f"Đèn đường hỏng số {sent[0]}",
                "description": "Đèn đường trước nhà văn hoá không sáng từ ba hôm nay.",
                "phone": f"09{(os.getpid() * 1000 + sent[0]) % 100000000:08d}",
                "consent": "y",
                "nonce": nonce[1],
            },
        )
        assert response.status_code == 302, response.status_code
        from portal.throttle import reset_memory  # one address sending many: not what is measured

        reset_memory()

    pages["submission"] = submission
    return pages


if __name__ == "__main__":
    main()
