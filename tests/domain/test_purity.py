import ast
import sys
from collections.abc import Iterator
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "portal" / "domain"


def imported_modules(path: Path) -> Iterator[str]:
    yield from imported_names(path.read_text(encoding="utf-8"))


def imported_names(source: str) -> Iterator[str]:
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        # Relative imports (`from . import x`, level >= 1) stay inside portal.domain: allowed.
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module or ""


def is_allowed(name: str) -> bool:
    return (
        name.split(".")[0] in sys.stdlib_module_names
        or name == "portal.domain"
        or (name.startswith("portal.domain."))
    )


def test_domain_is_pure():
    offenders = [
        (path.name, name)
        for path in sorted(DOMAIN.glob("*.py"))
        for name in imported_modules(path)
        if not is_allowed(name)
    ]
    assert offenders == []


def test_domain_has_modules():
    # Guards against a wrong DOMAIN path making the purity test pass vacuously.
    assert (DOMAIN / "__init__.py").is_file()
    assert len(list(DOMAIN.glob("*.py"))) > 1


def test_checker_flags_outside_imports():
    source = (
        "import flask\nfrom portal.models import X\nfrom portal.domainx import Y\n"
        "from . import text\nfrom .phone import mask\nimport datetime\nfrom portal.domain import text\n"
        "def f():\n    import sqlalchemy\n"
    )
    assert [name for name in imported_names(source) if not is_allowed(name)] == [
        "flask",
        "portal.models",
        "portal.domainx",
        "sqlalchemy",
    ]
