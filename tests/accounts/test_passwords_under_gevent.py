"""Under gevent (the serving set-up), checking a password must not freeze the other connections of the
process: Argon2 runs on gevent's thread pool. Run in a child process so the monkey-patching stays there."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent("""
    from gevent import monkey
    monkey.patch_all()
    import gevent, time
    from portal.accounts.passwords import hash_password, verify_password

    stored = hash_password("Kh0ng-doan-duoc-2026!")
    ticks = []

    def heartbeat():
        while True:
            ticks.append(time.monotonic())
            gevent.sleep(0.005)

    beat = gevent.spawn(heartbeat)
    gevent.sleep(0.02)
    started = time.monotonic()
    checks = [gevent.spawn(verify_password, stored, guess) for guess in ("sai-1", "sai-2", "Kh0ng-doan-duoc-2026!")]
    gevent.joinall(checks)
    ended = time.monotonic()
    beat.kill()
    during = [t for t in ticks if started <= t <= ended]
    gaps = [b - a for a, b in zip(during, during[1:])]
    print([c.value for c in checks], len(during), round(max(gaps or [0]), 3), round(ended - started, 3))
""")


def test_password_checks_leave_the_event_loop_running():
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        capture_output=True,
        text=True,  # noqa: S603
        timeout=120,
        check=True,
    )
    results, rest = result.stdout.split("] ")
    beats, longest_gap, duration = rest.split()
    assert results + "]" == "[False, False, True]"
    # The heartbeat kept beating while the checks ran (on the event loop it would stop for all of them:
    # one beat, a gap as long as the checks).
    assert int(beats) >= 5, result.stdout
    assert float(longest_gap) < float(duration) / 2, result.stdout
