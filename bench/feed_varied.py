"""The feed's search that matches nothing, with a DIFFERENT query in every request (what someone trying to
keep the server busy would send), against the bare Flask app, with wrk and the servers of bench/run.py.

    .venv/bin/python bench/feed_varied.py --database postgresql [--rows 1000000] [--seconds 5] [--rounds 2]

run.py's "a search that matches nothing" repeats one query; here a wrk Lua script makes a new word of
letters Vietnamese does not write (f, j, w, z: no folded key can hold it) for each request, with issue 17's
two other words ("<word> khong co"), so no kept answer can serve it. The bare app gets the same addresses.
Prints req/s, the ratio to the bare app, p50 and p99, measured in alternation, round after round.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dataset  # noqa: E402  (bench/dataset.py)
import run as harness  # noqa: E402  (bench/run.py)

SCRIPT = """
local letters = {"f", "j", "w", "z"}
init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "1", 16) % 1000003)
end
request = function()
  local word = {}
  for i = 1, 12 do word[i] = letters[math.random(1, 4)] end
  return wrk.format("GET", "/feedback?q=" .. table.concat(word) .. "+khong+co")
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("postgresql", "sqlite"), required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    samples = dataset.load_samples(dataset.default_name(args.database, args.rows))
    folder = Path(tempfile.mkdtemp())
    script = folder / "varied.lua"
    script.write_text(SCRIPT, encoding="utf-8")
    page = harness.Page("feed_search_varied", "/feedback", script=str(script))
    portal_port, bare_port = harness.free_port(), harness.free_port()
    env = harness.server_env(samples, portal_port)
    portal = harness.start_server("wsgi:app", portal_port, env, folder / "portal.log")
    try:
        bare = harness.start_server("bench.bare:app", bare_port, env, folder / "bare.log")
    except Exception:
        harness.stop_server(portal)
        raise
    portal_base, bare_base = f"http://127.0.0.1:{portal_port}", f"http://127.0.0.1:{bare_port}"
    measured: dict[str, list] = {"portal": [], "bare": []}
    try:
        harness.wrk(portal_base + page.path, page, 2)
        harness.drain(portal_base)
        for round_number in range(1, args.rounds + 1):
            measured["bare"].append(harness.wrk(bare_base + page.path, page, args.seconds))
            measured["portal"].append(harness.wrk(portal_base + page.path, page, args.seconds))
            harness.drain(portal_base)
            last = measured["portal"][-1]
            print(f"  round {round_number}: {last.requests_per_second:.1f} req/s, p50 {last.p50_ms:.1f} ms")
    finally:
        harness.stop_server(portal)
        harness.stop_server(bare)
    rate = statistics.mean(s.requests_per_second for s in measured["portal"])
    bare_rate = statistics.mean(s.requests_per_second for s in measured["bare"])
    p50 = statistics.median(s.p50_ms for s in measured["portal"])
    p99 = max(s.p99_ms for s in measured["portal"])
    errors = sum(s.errors for s in measured["portal"])
    print(
        f"{args.database}: a search that matches nothing, a new query each request: {rate:.1f} req/s, bare "
        f"{bare_rate:.0f}, ratio {rate / bare_rate:.1%}, p50 {p50:.1f} ms, p99 {p99:.1f} ms, errors {errors}"
    )


if __name__ == "__main__":
    main()
