"""Conformance: every document in Argo's own examples folder (v4.1.2) lints with zero errors.

The examples are linted together, as ``argo lint --offline examples/`` does, so that a
``templateRef`` in one file resolves to the WorkflowTemplate defined in another. One file,
``k8s-patch-json-workflow.yaml``, repeats ``metadata.annotations``: strict parsing (``argo lint
--strict``, our YAML loader) rejects it, so it is checked here with a last-key-wins loader, the way
non-strict Go decoding reads it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from askflow import yamlio
from askflow.errors import AskflowError
from askflow.lint import ERROR, lint_documents, lint_paths
from askflow.lint.structure import KINDS
from tests.conftest import shared_path

DUPLICATE_KEY_EXAMPLE = "k8s-patch-json-workflow.yaml"


def _example_files() -> tuple[Path, list[Path]]:
    root = shared_path("argo", "v4.1.2", "examples")
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    return root, files


def _lenient(path: Path) -> list[Any]:
    with open(path, encoding="utf-8") as fh:
        return [doc for doc in yaml.load_all(fh, Loader=yaml.CSafeLoader) if doc is not None]


def _all_documents() -> list[tuple[str, int, Any]]:
    root, files = _example_files()
    docs: list[tuple[str, int, Any]] = []
    for path in files:
        try:
            loaded = yamlio.load_all_file(path)
        except AskflowError:
            loaded = _lenient(path)
        docs.extend((str(path.relative_to(root)), i, doc) for i, doc in enumerate(loaded))
    return docs


def test_only_the_known_example_has_duplicate_keys() -> None:
    root, files = _example_files()
    failing = {}
    for path in files:
        try:
            yamlio.load_all_file(path)
        except AskflowError as exc:
            failing[str(path.relative_to(root))] = exc.message
    assert list(failing) == [DUPLICATE_KEY_EXAMPLE]
    assert "duplicate key 'annotations'" in failing[DUPLICATE_KEY_EXAMPLE]


def test_every_example_document_lints_without_errors() -> None:
    docs = _all_documents()
    argo_docs = [d for d in docs if isinstance(d[2], dict) and d[2].get("kind") in KINDS]
    assert len(argo_docs) >= 220  # 199 Workflows, 13 WorkflowTemplates, 6 Cluster, 5 Cron in v4.1.2
    findings = lint_documents(docs)
    errors = [f.text() for f in findings if f.severity == ERROR]
    assert errors == []


def test_examples_folder_through_lint_paths() -> None:
    root, files = _example_files()
    # The whole folder: the one example with a duplicate key is an error finding at its line, and
    # every other example is still linted, with no error.
    whole = lint_paths([str(root)])
    [unreadable] = [f for f in whole if f.severity == ERROR]
    assert (Path(unreadable.file).name, unreadable.rule) == (DUPLICATE_KEY_EXAMPLE, "unreadable")
    assert "duplicate key" in unreadable.message and unreadable.line > 1
    findings = lint_paths([str(p) for p in files if p.name != DUPLICATE_KEY_EXAMPLE])
    assert [f.text() for f in findings if f.severity == ERROR] == []
    assert [f for f in whole if f.severity != ERROR] == findings
    # the platform rules do fire on Argo's examples (they use `default`, latest images, no requests)
    assert {"default-service-account", "resource-requests", "unpinned-image"} <= {f.rule for f in findings}


def test_each_example_document_is_actually_checked() -> None:
    """A misspelt field injected into any example is reported for that very document."""
    docs = _all_documents()
    broken = []
    for file, index, doc in docs:
        if isinstance(doc, dict) and doc.get("kind") in KINDS:
            doc = copy.deepcopy(doc)
            doc["spec"]["zzUnknown"] = True
            broken.append((file, index, doc))
    findings = lint_documents(broken)
    hit = {(f.file, f.doc) for f in findings if f.rule == "unknown-field" and f.path == "spec.zzUnknown"}
    assert hit == {(file, index) for file, index, _ in broken}


def test_templates_in_other_files_resolve_only_when_given() -> None:
    root, _ = _example_files()
    caller = root / "workflow-template" / "hello-world.yaml"
    alone = lint_paths([str(caller)])
    assert {f.rule for f in alone if f.severity == ERROR} == {"undefined-workflow-template"}
    together = lint_paths([str(caller), str(root / "workflow-template" / "templates.yaml")])
    assert [f for f in together if f.severity == ERROR] == []
