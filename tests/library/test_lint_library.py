"""lint_library: the starter library lints strict with zero findings; references resolve across
versions; a changed release is an error finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from askflow import yamlio
from askflow.library import lint_library
from tests.library.conftest import LIBRARY, STARTER

CALLER = """\
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: caller
spec:
  entrypoint: main
  serviceAccountName: argo-workflow
  activeDeadlineSeconds: 600
  templates:
    - name: main
      steps:
        - - name: hello
            templateRef: {name: hello-world-v1, template: %s}
            arguments:
              parameters: [{name: message, value: hi}]
"""


@pytest.mark.parametrize("root", [LIBRARY, STARTER], ids=["workflows", "fixture"])
def test_starter_library_is_clean_under_strict_lint(root: Path) -> None:
    findings = lint_library(root, strict=True)
    assert [f.text() for f in findings] == []


def test_the_lint_sees_platform_problems(lib_root: Path) -> None:
    # The clean result above means something only if the same call reports a real problem.
    path = lib_root / "hello-world" / "v2.yaml"
    doc = yamlio.load_file(path)
    del doc["spec"]["templates"][1]["container"]["resources"]
    path.write_text(yamlio.dumps(doc), encoding="utf-8")
    (lib_root / "versions.lock").unlink()  # nothing released: only the lint speaks
    strict = lint_library(lib_root, strict=True)
    assert {(f.rule, f.severity, f.file, f.name) for f in strict} == {
        ("resource-requests", "error", str(path), "hello-world-v2")
    }
    assert {f.severity for f in lint_library(lib_root, strict=False)} == {"warning"}


def test_references_resolve_across_versions(lib_root: Path) -> None:
    (lib_root / "caller").mkdir()
    (lib_root / "caller" / "v1.yaml").write_text(CALLER % "say", encoding="utf-8")
    assert lint_library(lib_root, strict=True) == []
    (lib_root / "caller" / "v1.yaml").write_text(CALLER % "shout", encoding="utf-8")
    findings = lint_library(lib_root, strict=True)
    assert [(f.rule, f.file) for f in findings] == [("undefined-template", str(lib_root / "caller" / "v1.yaml"))]
    assert "hello-world-v1" in findings[0].message


def test_changed_release_is_an_error_finding(lib_root: Path) -> None:
    path = lib_root / "etl" / "v1.yaml"
    path.write_text(path.read_text().replace("limit: 3", "limit: 4"), encoding="utf-8")
    (lib_root / "hello-world" / "v1.yaml").unlink()
    (lib_root / "hello-world" / "v2.yaml").rename(lib_root / "hello-world" / "v1.yaml")  # a swap is a change
    findings = lint_library(lib_root, strict=False)
    assert [(f.rule, f.severity, f.name, f.file) for f in findings] == [
        ("released-version-changed", "error", "etl-v1", str(path)),
        ("released-version-changed", "error", "hello-world-v2", str(lib_root / "hello-world")),
        ("released-version-changed", "error", "hello-world-v1", str(lib_root / "hello-world" / "v1.yaml")),
    ]
    assert findings[0].message == "etl-v1 is released and immutable; copy it to v3 and change v3"
    assert "hello-world-v2 is released" in findings[1].message and "missing" in findings[1].message
    # v2 is gone from the folder but released: the next free number is v3, not v2.
    assert findings[2].message == "hello-world-v1 is released and immutable; copy it to v3 and change v3"


@pytest.mark.parametrize("strict", [True, False])
def test_lint_cli_lints_the_library(strict: bool, lib_root: Path) -> None:
    from askflow.lint import lint_paths

    path = lib_root / "etl" / "v2.yaml"
    path.write_text(path.read_text().replace("limit: 3", "limit: 5"), encoding="utf-8")
    rules = [f.rule for f in lint_paths([str(lib_root.parent)], strict=strict)]
    assert rules == ["released-version-changed"]
