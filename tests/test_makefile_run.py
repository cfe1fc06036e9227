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


def base_url_of_run(port: str, given: str | None) -> str:
    """PORTAL_BASE_URL as `make run`'s serving step sets it: its line from `make -n` (nothing is run but the
    line itself, in sh, with the environment a user would have)."""
    env = {key: value for key, value in os.environ.items() if key != "PORTAL_BASE_URL"}
    if given is not None:
        env["PORTAL_BASE_URL"] = given
    dry = subprocess.run(
        [str(MAKE), "-n", "run", f"PORT={port}", "HOST=127.0.0.1"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    line = next(line for line in dry.stdout.splitlines() if "export PORTAL_BASE_URL=" in line)
    script = line.rstrip().rstrip("\\") + ' printf %s "$PORTAL_BASE_URL"'
    return subprocess.run([str(SH), "-c", script], env=env, capture_output=True, text=True, check=True).stdout


def test_run_on_another_port_links_to_that_port():
    assert base_url_of_run("5077", None) == "http://127.0.0.1:5077"


def test_a_given_base_url_is_kept():
    assert base_url_of_run("5077", "https://dichvucong.sonla.gov.vn") == "https://dichvucong.sonla.gov.vn"
