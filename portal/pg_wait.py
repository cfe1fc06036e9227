"""psycopg's waits for PostgreSQL's answer, through gevent's hub directly, in a gevent worker.

psycopg waits for its socket with `psycopg.waiting.wait`. Where gevent has patched `select` (gunicorn's gevent
workers), psycopg picks `wait_poll`, written for any patched `select.poll`: each wait builds a poll object,
registers the socket, and gevent's poll emulation starts a watcher per socket, a result queue and a timeout
for it (~20 µs of CPU a statement, bench/notes/pgread.md). `wait` below does what a gevent socket does to
wait: one libev watcher on the socket, the greenlet parked on the hub until it is ready. The statements,
their answers and the protocol are psycopg's own: only how the greenlet sleeps changes.

Kept as psycopg's for what this does not cover: a wait with a timeout (psycopg's deadline), a wait for
both reading and writing (a send larger than the socket buffer, pipeline mode: psycopg's function reports
which of the two is ready), and any process gevent has not patched (no change at all there).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator
from typing import Any

_installed: dict[str, Any] = {}


def install() -> bool:
    """Use `wait` for every psycopg connection of this process when gevent has patched `select`; once."""
    if "original" in _installed:
        return True
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("select"):
        return False
    try:
        from psycopg import waiting
    except ImportError:  # no PostgreSQL driver installed: nothing waits
        return False
    from gevent import get_hub

    # Looked up once here: `wait` runs for every statement and every autocommit switch.
    global _get_hub, _WAIT_R, _WAIT_W, _READY_R, _READY_W
    _get_hub = get_hub
    _WAIT_R, _WAIT_W, _READY_R, _READY_W = waiting.WAIT_R, waiting.WAIT_W, waiting.READY_R, waiting.READY_W
    _installed["original"] = waiting.wait
    waiting.wait = wait
    return True


_get_hub: Callable[[], Any]
_WAIT_R: Any
_WAIT_W: Any
_READY_R: Any
_READY_W: Any


def wait(
    gen: Generator[Any, Any, Any], fileno: int, interval: float = 0.0, timeout: float | None = None
) -> Any:
    """psycopg's `WaitFunc`: run `gen`, parking the greenlet on the hub until the socket is ready as asked."""
    if timeout is not None:
        return _installed["original"](gen, fileno, interval=interval, timeout=timeout)
    try:
        state = next(gen)  # a switch of autocommit or a rollback outside a transaction ends here
        hub = _get_hub()
        while True:
            if state == _WAIT_R:
                events, ready = 1, _READY_R  # libev's EV_READ
            elif state == _WAIT_W:
                events, ready = 2, _READY_W  # EV_WRITE
            else:
                return _installed["original"](_resumed(state, gen), fileno, interval=interval, timeout=None)
            watcher = hub.loop.io(fileno, events)
            try:
                hub.wait(watcher)
            finally:
                watcher.close()
            state = gen.send(ready)
    except StopIteration as done:
        return done.value


def _resumed(first: Any, gen: Generator[Any, Any, Any]) -> Generator[Any, Any, Any]:
    """`gen` from its state `first` on, for psycopg's own wait function to carry on with."""
    ready = yield first
    while True:
        try:
            state = gen.send(ready)
        except StopIteration as done:
            return done.value
        ready = yield state
