"""Issue 17 item 5: p50 of the tracking page and the queue's page 1 at several data-set sizes.

    .venv/bin/python bench/scaling.py --database postgresql --sizes 100000,1000000,10000000 [--reuse]

For each size it builds (or, with --reuse, reuses) the bench/dataset.py data set and runs bench/run.py's
measurement on those two pages (wrk, 16 connections, interleaved with bare Flask), then prints p50 per
size and the ratio of the largest to the smallest, against the goal: within 1.5x from 100k to 10M.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import dataset  # noqa: E402  (bench/dataset.py)
import run  # noqa: E402  (bench/run.py)

PAGES = ("feedback_status", "dossier_status", "queue_1")
GOAL = 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated row counts")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--server-url", default=dataset.DEFAULT_SERVER)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    results = {}
    for rows in sizes:
        options = run.arguments().parse_args(
            ["--database", args.database, "--rows", str(rows), "--seconds", str(args.seconds),
             "--rounds", str(args.rounds), "--pages", ",".join(PAGES), "--no-page-500",
             "--server-url", args.server_url] + (["--reuse"] if args.reuse else [])
        )  # fmt: skip
        results[rows] = run.run(options)
    lines = [
        f"`bench/scaling.py {' '.join(sys.argv[1:])}` — {args.database}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        "| page | "
        + " | ".join(f"p50 at {dataset.size_name(rows)}" for rows in sizes)
        + " | largest / smallest | goal |",
        "|---|" + "---:|" * len(sizes) + "---:|---|",
    ]
    for key in PAGES:
        p50 = [next(row["p50_ms"] for row in results[rows]["pages"] if row["key"] == key) for rows in sizes]
        growth = p50[-1] / p50[0]
        lines.append(
            f"| {run.GOALS[key][0]} | "
            + " | ".join(f"{value:.1f} ms" for value in p50)
            + f" | {growth:.2f}x | ≤ {GOAL}x: {'pass' if growth <= GOAL else 'FAIL'} |"
        )
    loads = ", ".join(
        f"{dataset.size_name(rows)}: {'/'.join(map(str, results[rows]['load_average_before']))}"
        for rows in sizes
    )
    lines += ["", f"Load average before each size: {loads}."]
    table = "\n".join(lines) + "\n"
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    stem = run.RESULTS / f"scaling-{args.database}-{datetime.now(UTC):%Y-%m-%dT%H%M}"
    stem.with_suffix(".md").write_text(table, encoding="utf-8")
    stem.with_suffix(".json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
