"""A migration script loaded as a module, to call its data steps on a test's connection."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

VERSIONS = Path(__file__).resolve().parents[2] / "migrations/versions"


def script(revision: str) -> ModuleType:
    """The module of the migration whose file names `revision`."""
    path = next(VERSIONS.glob(f"*_{revision}_*.py"))
    spec = importlib.util.spec_from_file_location(f"migration_{revision}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
