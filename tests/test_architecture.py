"""The shape of the code: no import cycle between the parts of portal/, and no module too long to read.

Each sub-package of portal/ (portal/dossiers, portal/payments, ...) is one node of the import graph, and
each top-level module (portal/security.py, portal/cli.py, ...) is a node of its own. Every import counts,
wherever it is written: at the top, inside a function (an import moved into a function to dodge a cycle
is still the cycle), under `if TYPE_CHECKING:`, absolute or relative. A cycle is a strongly connected
component of more than one node, so a loop through three packages is found as well as a pair.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"
MAX_LINES = 400


def _modules() -> list[Path]:
    return sorted(p for p in PORTAL.rglob("*.py") if "__pycache__" not in p.parts)


def _dotted(path: Path) -> list[str]:
    """portal/dossiers/operations.py -> ['portal', 'dossiers', 'operations']; a package's __init__ is the package."""
    parts = list(path.relative_to(PORTAL.parent).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def node_of(dotted: list[str]) -> str | None:
    """The graph node a module name belongs to: `portal.x...` -> 'x' (a package or a top-level module)."""
    if len(dotted) < 2 or dotted[0] != "portal":
        return None
    return dotted[1]


def imported_names(path: Path) -> list[tuple[list[str], int]]:
    """Every module (or module.attribute) an import in the file can name, with its line number."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = _dotted(path)
    package = here if _is_package(path) else here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name.split("."), node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else list(package)
            else:
                base = []
            module = base + (node.module.split(".") if node.module else [])
            found.append((module, node.lineno))
            # `from portal import dossiers` names the package in the alias, not in the module.
            found.extend(([*module, alias.name], node.lineno) for alias in node.names)
    return found


def import_graph() -> tuple[dict[str, set[str]], dict[tuple[str, str], list[str]]]:
    edges: dict[str, set[str]] = defaultdict(set)
    where: dict[tuple[str, str], list[str]] = defaultdict(list)
    nodes = {p.name if p.is_dir() else p.stem for p in PORTAL.iterdir()}
    for path in _modules():
        source = node_of(_dotted(path))
        if source is None:  # portal/__init__.py: the application factory wires everything
            continue
        for name, line in imported_names(path):
            target = node_of(name)
            if target is None or target == source or target not in nodes:
                continue
            edges[source].add(target)
            site = f"{path.relative_to(PORTAL.parent)}:{line}"
            if site not in where[(source, target)]:
                where[(source, target)].append(site)
    return edges, where


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components of two or more nodes, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    counter = 0
    nodes = sorted(set(edges) | {t for targets in edges.values() for t in targets})
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def describe(component: list[str], edges, where) -> str:
    lines = [" <-> ".join(component)]
    for source in component:
        for target in sorted(edges[source] & set(component)):
            sites = where[(source, target)]
            lines.append(
                f"    {source} -> {target}: {', '.join(sites[:4])}{' ...' if len(sites) > 4 else ''}"
            )
    return "\n".join(lines)


def test_the_graph_finds_a_cycle_of_three():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(edges) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_top_level_modules_are_nodes():
    edges, where = import_graph()
    # portal/payments/models.py holds `from portal.extensions import db`: a top-level module is a node.
    assert "extensions" in edges["payments"]
    assert any(site.startswith("portal/payments/") for site in where[("payments", "extensions")])


def test_no_import_cycle_between_parts_of_portal():
    edges, where = import_graph()
    cycles = strongly_connected(edges)
    assert not cycles, "import cycles between parts of portal/:\n" + "\n".join(
        describe(component, edges, where) for component in cycles
    )


def test_no_module_is_longer_than_400_lines():
    long = {
        str(path.relative_to(PORTAL.parent)): count
        for path in _modules()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them by responsibility): {long}"
