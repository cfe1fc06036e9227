"""Watching the single-flight builds of the staff queue (portal/staff/queue_rows.py rows, queue_cache
counts): how many requests have started waiting for another request's build."""

from __future__ import annotations

import threading
from datetime import date
from types import ModuleType
from typing import Any


def counts_entry(day: date, at: float, feedback: int) -> dict[str, Any]:
    """A counts entry as portal/staff/queue_cache.py keeps it: `feedback` items, nothing else."""
    return {
        "day": day,
        "at": at,
        "dossier": 0,
        "feedback": feedback,
        "overdue": 0,
        "costly": 0,
        "by_assignee": {},
    }


class Waiting:
    """Counts the calls of `module._wait` (a request that waits for another's build); `until(n)` waits
    (at most `patience` seconds) until n requests have started waiting. Patched without raising, so on code
    that has no `_wait` the test fails on its counts rather than erroring here."""

    def __init__(self, monkeypatch, module: ModuleType, patience: float) -> None:
        self.count = 0
        self.patience = patience
        self.condition = threading.Condition()
        real = getattr(module, "_wait", None)

        def counting(flight: Any) -> bool:
            with self.condition:
                self.count += 1
                self.condition.notify_all()
            assert real is not None
            return real(flight)

        monkeypatch.setattr(module, "_wait", counting, raising=False)

    def until(self, count: int) -> bool:
        with self.condition:
            return self.condition.wait_for(lambda: self.count >= count, self.patience)
