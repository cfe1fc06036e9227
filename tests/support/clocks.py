"""A clock moved by hand, standing in for a module's clock (`time.monotonic`, `time.time` or its own `_now`):
caches whose freshness runs on a clock are tested by moving it, never by waiting."""

from __future__ import annotations

from typing import Any


class Clock:
    """Reads `now`; moves only when a test changes it (`clock.now += seconds`)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def replace_clock(monkeypatch, module: Any, start: float, name: str = "clock") -> Clock:
    """A Clock at `start` put in place of `module.<name>` for one test."""
    clock = Clock(start)
    monkeypatch.setattr(module, name, clock, raising=False)
    return clock
