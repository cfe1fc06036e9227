"""What the in-process benchmarks share (tracking_pages.py, public_pages.py, qr_images.py): counting SQL
statements, timing a request in CPU time, checking an answer, and sending one feedback report."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable


class StatementCounter:
    """An SQLAlchemy `before_cursor_execute` listener that counts the statements sent."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args) -> None:
        self.count += 1


class DriverCommands:
    """Counts the commands psycopg sends on its own (BEGIN before a transaction's first statement, COMMIT,
    ROLLBACK): with the statements, a request's round trips to PostgreSQL. SQLAlchemy's events do not see
    them. Zero on SQLite."""

    count = 0
    _installed = False

    @classmethod
    def install(cls) -> None:
        if cls._installed:
            return
        try:
            from psycopg._connection_base import BaseConnection
        except ImportError:
            return
        original = BaseConnection._exec_command

        def counted(self, *args, **kwargs):
            cls.count += 1
            return original(self, *args, **kwargs)

        BaseConnection._exec_command = counted  # type: ignore[method-assign]
        cls._installed = True


def measure(
    name: str, request: Callable[[], object], runs: int, counter: StatementCounter, warmups: int = 10
) -> float:
    """Print the median and p95 CPU ms and the median statements of `runs` requests; return the median."""
    DriverCommands.install()
    for _ in range(warmups):  # warm caches (templates, holidays, translations, kept pages and images)
        request()
    samples, walls, statements, commands = [], [], [], []
    for _ in range(runs):
        before, before_commands = counter.count, DriverCommands.count
        wall = time.perf_counter()
        start = time.process_time()  # CPU time: a busy shared machine stretches wall time, not this
        request()
        samples.append((time.process_time() - start) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
        statements.append(counter.count - before)
        commands.append(DriverCommands.count - before_commands)
    samples.sort()
    median = statistics.median(samples)
    p95 = samples[max(int(len(samples) * 0.95) - 1, 0)]
    print(
        f"{name:44} {median:9.3f} {p95:8.3f} {statistics.median(statements):>10}"
        f" {statistics.median(commands):>8} {statistics.median(walls):>9.3f}"
    )
    return median


def check(response, status: int = 200):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    return response


def submit_report(client, category: int, commune: str, number: int) -> None:
    """GET the feedback form and POST report `number` through it (the app runs with CSRF off)."""
    page = check(client.get("/feedback/new"))
    nonce = re.search(r'name="nonce"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    check(
        client.post(
            "/feedback/new",
            data={
                "category": str(category),
                "title": f"Đèn đường hỏng số {number}",
                "description": "Đèn đường trước nhà văn hoá không sáng từ ba hôm nay.",
                "commune": commune,
                "phone": f"09{number % 100000000:08d}",
                "consent": "y",
                "nonce": nonce[1] if nonce else "",
            },
        ),
        302,
    )
    from portal.throttle import reset_memory  # not throttled: a benchmark is one address sending many

    reset_memory()


def timed_row(name: str, request: Callable[[], object], runs: int, counter: StatementCounter) -> str:
    """`runs` requests timed one by one: "ROW <name> <CPU median> <CPU p95> <statements> <driver commands>
    <wall median>" (the line `compare_checkouts` reads back; page_costs.py and feed_pages.py print it)."""
    DriverCommands.install()
    cpu, wall, statements, commands = [], [], [], []
    for _ in range(runs):
        before, before_commands = counter.count, DriverCommands.count
        started_wall, started = time.perf_counter(), time.process_time()
        request()
        cpu.append((time.process_time() - started) * 1000)
        wall.append((time.perf_counter() - started_wall) * 1000)
        statements.append(counter.count - before)
        commands.append(DriverCommands.count - before_commands)
    cpu.sort()
    p95 = cpu[max(int(len(cpu) * 0.95) - 1, 0)]
    return (
        f"ROW {name} {statistics.median(cpu):.3f} {p95:.3f} {statistics.median(statements):g} "
        f"{statistics.median(commands):g} {statistics.median(wall):.3f}"
    )


def compare_checkouts(
    script: str, old: str, arguments: list[str], pages: str, rounds: int, extra_first_round: list[str] = ()
) -> dict[str, dict[str, list[list[str]]]]:
    """Run bench/<script> with `arguments` from the checkout `old` and from this one alternately (fresh
    processes, `rounds` times; `extra_first_round` added to the first round's commands) and print the
    median of the runs' median CPU ms per page with the first run's statements and driver commands, before
    → after. Returns every run's ROW values by checkout ("before", "after") and page, for extra columns."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    here = Path(__file__).resolve().parent.parent
    trees = {"before": Path(old).resolve(), "after": here}
    results: dict[str, dict[str, list[list[str]]]] = {"before": {}, "after": {}}
    for round_number in range(rounds):
        for label, tree in trees.items():
            command = [sys.executable, str(tree / "bench" / script), *arguments, "--pages", pages]
            if round_number == 0:
                command += list(extra_first_round)
            load = os.getloadavg()[0]
            environment = {**os.environ, "PYTHONPATH": str(tree)}
            output = subprocess.run(
                command, env=environment, cwd=tree, capture_output=True, text=True, check=True
            )
            print(f"round {round_number + 1} {label} (load {load:.1f})", file=sys.stderr)
            for line in output.stdout.splitlines():
                if line.startswith("ROW "):
                    name, *values = line.split()[1:]
                    results[label].setdefault(name, []).append(values)
    return results


def print_comparison(results: dict[str, dict[str, list[list[str]]]], pages: str, calls: bool = False) -> None:
    """The table of `compare_checkouts`' results: CPU ms before and after (medians of the runs' medians),
    their ratio, statements and driver commands (and with `calls`, Python calls: a ROW's sixth value)."""
    header = f"{'page':20} {'CPU ms before':>14} {'CPU ms after':>13} {'after/before':>13} {'stmts':>7} {'driver':>7}"
    print(header + (f" {'calls':>13}" if calls else ""))
    for name in pages.split(","):
        before_rows, after_rows = results["before"].get(name), results["after"].get(name)
        if not before_rows or not after_rows:
            continue
        before = statistics.median(float(values[0]) for values in before_rows)
        after = statistics.median(float(values[0]) for values in after_rows)
        line = (
            f"{name:20} {before:14.3f} {after:13.3f} {after / before:13.2f}"
            f" {before_rows[0][2] + '→' + after_rows[0][2]:>7} {before_rows[0][3] + '→' + after_rows[0][3]:>7}"
        )
        if calls:
            line += f" {before_rows[0][5] + '→' + after_rows[0][5]:>13}"
        print(line)


def compare_pages(before_path: str, after_path: str) -> int:
    """Two JSON files of pages by address (bench/feed_html.py, bench/queue_html.py) compared page by page:
    counts, and where each of the first five differing pages first differs; 1 if any differs or is missing."""
    import json
    from pathlib import Path

    before = json.loads(Path(before_path).read_text(encoding="utf-8"))
    after = json.loads(Path(after_path).read_text(encoding="utf-8"))
    differing = [key for key in before if before[key] != after.get(key)]
    missing = sorted(set(before) ^ set(after))
    print(
        f"{len(before)} pages before, {len(after)} after; {len(differing)} differ; {len(missing)} only in one"
    )
    for key in differing[:5]:
        old, new = before[key], after.get(key, "")
        at = next(
            (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new))
        )
        start = max(at - 80, 0)
        print(f"  {key}: at {at}\n    before …{old[start : at + 80]!r}\n    after  …{new[start : at + 80]!r}")
    return 1 if differing or missing else 0
