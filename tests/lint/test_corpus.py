"""Rule by rule: every document of tests/lint/corpus/<rule>.yaml is rejected with exactly that rule.

Each corpus file is otherwise clean (platform rules satisfied), so the set of rules it triggers is
checked exactly. Header comments: ``# expect: <text>`` must appear in one of the rule's messages
(Argo's wording where the rule is Argo's), ``# also: <rule>`` names a rule that necessarily fires
too. Documents annotated ``askflow.test/support`` only set the scene (a referenced template).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from askflow import yamlio
from askflow.lint import ERROR, RULES, WARNING, lint_paths

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(CORPUS.glob("*.yaml"))


def _header(path: Path, key: str) -> list[str]:
    return re.findall(rf"^# {key}: (.*)$", path.read_text(encoding="utf-8"), re.M)


def _engine(path: Path) -> str:
    """``# engine: ack-one`` in a corpus file: the rule holds for that argo.engine only."""
    return (_header(path, "engine") or ["self-managed"])[0]


def test_every_rule_has_a_corpus_file() -> None:
    # `unreadable` (group input) is a file that does not parse: tests/lint/test_cli.py has its cases.
    assert {p.stem for p in FILES} == {rule.id for rule in RULES.values() if rule.group != "input"}


def test_rule_ids_are_kebab_case() -> None:
    for rule in RULES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule), rule


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_corpus_file_is_rejected_with_its_rule(path: Path) -> None:
    rule = path.stem
    also = set(_header(path, "also"))
    findings = lint_paths([str(path)], engine=_engine(path))
    assert {f.rule for f in findings} == {rule} | also, [f.text() for f in findings]

    for index, doc in enumerate(yamlio.load_all_file(path)):
        support = "askflow.test/support" in (doc["metadata"].get("annotations") or {})
        mine = [f for f in findings if f.doc == index and f.rule == rule]
        assert (not mine) if support else mine, f"document {index}"

    expected_severity = RULES[rule].severity
    assert {f.severity for f in findings if f.rule == rule} == {expected_severity}
    for text in _header(path, "expect"):
        assert any(text in f.message for f in findings if f.rule == rule), (
            text,
            [f.message for f in findings],
        )


@pytest.mark.parametrize(
    "path", [p for p in FILES if RULES[p.stem].severity == WARNING], ids=lambda p: p.stem
)
def test_strict_turns_warnings_into_errors(path: Path) -> None:
    relaxed = lint_paths([str(path)], engine=_engine(path))
    strict = lint_paths([str(path)], strict=True, engine=_engine(path))
    assert {f.severity for f in relaxed} == {WARNING}
    assert {f.severity for f in strict} == {ERROR}
    assert [(f.rule, f.path, f.message) for f in strict] == [(f.rule, f.path, f.message) for f in relaxed]


def test_findings_carry_kind_and_name_and_camel_case_paths() -> None:
    findings = lint_paths([str(CORPUS / "unknown-field.yaml")])
    (finding,) = findings
    assert (finding.kind, finding.name, finding.doc) == ("Workflow", "corpus-", 0)
    assert finding.path == "spec.templates[0].contianer"
    # file:line:column of the misspelt key itself, then the path
    assert finding.text().startswith(f"{CORPUS / 'unknown-field.yaml'}:13:5: error: spec.templates[0].contianer: ")


VALID = sorted((CORPUS / "valid").glob("*.yaml"))


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_corpus_file_has_no_findings(path: Path) -> None:
    """Documents Argo's validator accepts (each names the Argo test or source it follows) lint
    with no finding at all, not even a warning (``# also: <rule>`` names an allowed warning)."""
    allowed = set(_header(path, "also"))
    findings = lint_paths([str(path)], strict=True)
    assert [f.text() for f in findings if f.rule not in allowed] == []
