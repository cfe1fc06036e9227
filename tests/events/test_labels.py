"""Every event the code records has a translated name for the subject type it is recorded about (issue 11
item 13): the timelines, the account page and the audit log show names, never `payment_received`.

The recorded (subject type, action) pairs are read from the source: every call of
`portal.events.operations.record(subject_type, subject_id, action, ...)` and of
`portal.admin.changes.record_change(subject_type, target, values, action, actor)`. An argument is followed
to the strings it can hold (a literal, a conditional of literals, a name assigned such a value in the same
module or imported from another). An action given as a status machine's `action.value` is one of that
machine's actions, checked against the machine's enum below; a subject type given as `kind.subject` is
one of the response template kinds declared in portal/ (`TemplateKind("dossier_template", ...)`, read from
the source too); a subject type given by another variable is one of the subjects with a queue (dossier,
feedback).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from portal.domain.dossier_status import DossierAction
from portal.domain.feedback_status import FeedbackAction
from portal.events.registry import registry

PORTAL = Path(__file__).resolve().parents[2] / "portal"
QUEUE_SUBJECTS = {"dossier", "feedback"}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(PORTAL.parent).with_suffix("").parts)


def _strings(node: ast.AST, tree: ast.Module, module: str) -> set[str] | None:
    """The strings `node` can hold, or None when they cannot be read from the source."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, other = _strings(node.body, tree, module), _strings(node.orelse, tree, module)
        return body | other if body is not None and other is not None else None
    if isinstance(node, ast.Name):
        found: set[str] = set()
        for assign in ast.walk(tree):
            if isinstance(assign, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == node.id for target in assign.targets
            ):
                values = _strings(assign.value, tree, module)
                if values is None:
                    return None
                found |= values
            if isinstance(assign, ast.ImportFrom) and any(alias.name == node.id for alias in assign.names):
                package = module.rsplit(".", 1)[0]
                source = f"{package}.{assign.module}" if assign.level else assign.module
                value = getattr(importlib.import_module(source or package), node.id, None)
                if isinstance(value, str):
                    found.add(value)
        return found or None
    return None


def template_kinds() -> set[str]:
    """The subject types of the response template kinds declared in portal/: `TemplateKind("…", ...)`."""
    found = set()
    for path in sorted(PORTAL.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node.func, "id", None) if isinstance(node, ast.Call) else None
            if name == "TemplateKind" and node.args and isinstance(node.args[0], ast.Constant):
                found.add(node.args[0].value)
    return found


def _kind_subject(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute) and node.attr == "subject" and getattr(node.value, "id", "") == "kind"
    )


def recorded() -> list[tuple[str, set[str] | None, set[str] | None]]:
    """(where, subject types, actions) of every record()/record_change() call in portal/."""
    calls = []
    kinds = template_kinds()
    for path in sorted(PORTAL.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = _module_name(path)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            position = {"record": 2, "record_change": 3}.get(name)
            if position is None or len(node.args) <= position or module == "portal.events.operations":
                continue
            where = f"{path.relative_to(PORTAL.parent)}:{node.lineno}"
            subjects = kinds if _kind_subject(node.args[0]) else _strings(node.args[0], tree, module)
            calls.append((where, subjects, _strings(node.args[position], tree, module)))
    return calls


def test_the_source_reading_finds_the_calls():
    calls = recorded()
    assert len(calls) > 30
    pairs = {(where.split(":")[0], frozenset(actions or ())) for where, _s, actions in calls}
    assert ("portal/payments/operations.py", frozenset({"payment_received"})) in pairs
    assert (
        "portal/agencies/admin_operations.py",
        frozenset({"agency_activated", "agency_deactivated"}),
    ) in pairs
    shared = {
        frozenset(subjects) for where, subjects, _a in calls if where.startswith("portal/response_templates/")
    }
    assert shared == {frozenset({"response_template", "dossier_template"})}


def test_every_recorded_action_has_a_name(app):
    with app.app_context():
        actions = registry().actions
        missing = []
        for where, subjects, names in recorded():
            if names is None:
                continue  # a status machine's action: see the next test
            for subject in subjects if subjects is not None else QUEUE_SUBJECTS:
                missing.extend(
                    f"{where}: {subject}/{name}"
                    for name in sorted(names)
                    if name not in actions.get(subject, {})
                )
    assert not missing, (
        "actions recorded without a translated name (register them with the feature's labels):\n"
        + ("\n".join(missing))
    )


@pytest.mark.parametrize(("subject", "machine"), [("dossier", DossierAction), ("feedback", FeedbackAction)])
def test_every_action_of_the_status_machines_has_a_name(app, subject, machine):
    with app.app_context():
        named = registry().actions[subject]
    assert [action.value for action in machine if action.value not in named] == []


@pytest.mark.parametrize("subject", ["dossier", "feedback"])
def test_every_status_has_a_name_for_the_audit_log(app, subject):
    from portal.domain.dossier_status import DossierStatus
    from portal.domain.feedback_status import FeedbackStatus

    with app.app_context():
        statuses = registry().subjects[subject].statuses or {}
    stored = (
        [str(int(s)) for s in DossierStatus] if subject == "dossier" else [s.value for s in FeedbackStatus]
    )
    assert [status for status in stored if status not in statuses] == []
