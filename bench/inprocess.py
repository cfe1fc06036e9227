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
