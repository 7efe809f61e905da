"""The validator's layout: one module per Argo concept, each declaring the rules it reports, and
the template library depending on the linter, never the other way round."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from askflow.lint import RULES, argo
from tests.conftest import ROOT

LINT = ROOT / "askflow" / "lint"


def _emitted(path: Path) -> set[str]:
    """Rule ids a module passes to ``self.emit`` as a literal."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "emit"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(node.args[0].value)
    return found


def test_each_module_declares_exactly_the_rules_it_reports() -> None:
    for module in argo.CHECKS:
        path = Path(module.__file__ or "")
        assert set(module.RULES) == _emitted(path), module.__name__


def test_every_argo_rule_has_a_module() -> None:
    declared = {rule for rules in argo.rules_by_module().values() for rule in rules}
    argo_rules = {r.id for r in RULES.values() if r.group == "argo"}
    # the one rule about the set of documents rather than one document: the runner reports it
    assert argo_rules - declared == {"duplicate-template-resource"}
    assert declared <= argo_rules
    assert _emitted(LINT / "argo" / "documents.py") == set()


def test_the_linter_never_imports_the_template_library() -> None:
    pattern = re.compile(r"^\s*(from|import)\s+askflow\.library\b", re.M)
    offenders = [str(p.relative_to(ROOT)) for p in LINT.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []
