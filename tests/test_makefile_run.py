"""`make run PORT=…`: the receipts' links and QR codes must name the address the demo is served on.

Found by a walk-through of the demo (07/12/2026): with `make run PORT=5077` the feedback and dossier receipts'
secret links and QR codes pointed to http://127.0.0.1:8000 (PORTAL_BASE_URL's default), a dead address."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

MAKE, SH = shutil.which("make"), shutil.which("sh")
pytestmark = pytest.mark.skipif(MAKE is None or SH is None, reason="make is not installed")


def base_url_of_run(port: str, given: str | None, host: str = "127.0.0.1", path: str | None = None) -> str:
    """PORTAL_BASE_URL as `make run`'s serving step sets it: its line from `make -n` (nothing is run but the
    lines that set it, in sh, with the environment a user would have; `path` replaces PATH, to give the
    lines a stand-in `hostname`)."""
    env = {key: value for key, value in os.environ.items() if key != "PORTAL_BASE_URL"}
    if given is not None:
        env["PORTAL_BASE_URL"] = given
    dry = subprocess.run(
        [str(MAKE), "-n", "run", f"PORT={port}", f"HOST={host}"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    lines = dry.stdout.splitlines()
    end = next(n for n, line in enumerate(lines) if "export PORTAL_BASE_URL=" in line)
    start = next(n for n in range(end, -1, -1) if n == 0 or not lines[n - 1].rstrip().endswith("\\"))
    script = (
        "\n".join(lines[start:end])
        + "\n"
        + lines[end].rstrip().rstrip("\\")
        + ' printf %s "$PORTAL_BASE_URL"'
    )
    if path is not None:
        env["PATH"] = path
    return subprocess.run([str(SH), "-c", script], env=env, capture_output=True, text=True, check=True).stdout


def test_run_on_another_port_links_to_that_port():
    assert base_url_of_run("5077", None) == "http://127.0.0.1:5077"


def test_a_given_base_url_is_kept():
    assert base_url_of_run("5077", "https://dichvucong.sonla.gov.vn") == "https://dichvucong.sonla.gov.vn"


EVERY_ADDRESS = "0.0.0.0"  # noqa: S104  (HOST as a user gives it to serve a LAN; nothing binds here)


def stand_in_hostname(folder: Path, prints: str | None) -> str:
    """A PATH whose `hostname -I` prints `prints` (this machine's addresses), or fails when None."""
    script = folder / "hostname"
    script.write_text("#!/bin/sh\n" + (f"printf '%s\\n' '{prints}'\n" if prints is not None else "exit 1\n"))
    script.chmod(0o755)
    return f"{folder}{os.pathsep}{os.environ['PATH']}"


@pytest.mark.parametrize("host", [EVERY_ADDRESS, "::"])
def test_served_on_every_address_links_to_this_machines_address(tmp_path, host):
    """Found by the review of the fix above: HOST=0.0.0.0 put http://0.0.0.0:5077 in the QR codes, which no
    phone can open. The links name the machine's first address, as `hostname -I` lists them."""
    path = stand_in_hostname(tmp_path, "192.0.2.7 fd00::7 ")
    assert base_url_of_run("5077", None, host, path) == "http://192.0.2.7:5077"


def test_an_ipv6_first_address_is_bracketed(tmp_path):
    path = stand_in_hostname(tmp_path, "fd00::7 ")
    assert base_url_of_run("5077", None, "::", path) == "http://[fd00::7]:5077"


def test_no_address_known_falls_back_to_this_machine(tmp_path):
    path = stand_in_hostname(tmp_path, None)
    assert base_url_of_run("5077", None, EVERY_ADDRESS, path) == "http://127.0.0.1:5077"


def test_a_given_base_url_is_kept_when_served_on_every_address(tmp_path):
    path = stand_in_hostname(tmp_path, "192.0.2.7")
    assert base_url_of_run("5077", "https://dichvucong.sonla.gov.vn", EVERY_ADDRESS, path) == (
        "https://dichvucong.sonla.gov.vn"
    )
