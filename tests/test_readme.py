"""The README's architecture section lists the tree as it is: every package and top-level module of portal/,
and every module of portal/domain/, nothing that is gone."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PORTAL = ROOT / "portal"


def architecture_block() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Architecture\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    return block.splitlines()


def listed(indent: int) -> set[str]:
    """Names at exactly this indentation under portal/ (2: packages and modules, 4: inside a package)."""
    names = set()
    for line in architecture_block():
        match = re.match(r"^( *)(\S+)", line)
        if match and len(match.group(1)) == indent and not line.startswith(" " * (indent + 1)):
            names.add(match.group(2))
    return names


def test_every_package_and_module_of_portal_is_listed_and_nothing_else():
    packages = {f"{path.name}/" for path in PORTAL.iterdir() if (path / "__init__.py").exists()}
    modules = {path.name for path in PORTAL.glob("*.py")}
    folders = {"templates/"} if (PORTAL / "templates").is_dir() else set()
    assert listed(2) == packages | modules | folders


def test_every_domain_module_is_listed():
    domain = {path.name for path in (PORTAL / "domain").glob("*.py") if path.name != "__init__.py"}
    block = architecture_block()
    start = next(i for i, line in enumerate(block) if line.startswith("  domain/"))
    end = next(i for i in range(start + 1, len(block)) if re.match(r"^  \S", block[i]))
    described = {
        re.match(r"^    (\S+)", line).group(1) for line in block[start + 1 : end] if line.startswith("    ")
    }
    assert described == domain


def test_top_level_entries_exist():
    for name in listed(0) - {"portal/"}:
        assert (ROOT / name.rstrip("/")).exists(), name


def test_no_promise_of_later_work():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not re.search(r"being built|\(later\)|not yet built|coming soon", text, re.IGNORECASE)
