"""``lint_paths``: folders, paths inside a template library, and reading errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import askflow.library  # noqa: F401  (plugs template libraries into lint_paths: askflow.lint.libraries)
from askflow.errors import AskflowError
from askflow.lint import lint_paths
from askflow.lint.runner import run_lint
from tests.conftest import ROOT

LIBRARY = ROOT / "workflows"
# A fixed library with two released versions per template (see tests/library/conftest.py).
STARTER = Path(__file__).parent.parent / "library" / "fixtures" / "workflows"

BROKEN = """\
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: x
spec:
  templates:
  - name: main
    contianer: {}
"""


def _library(tmp_path: Path) -> Path:
    lib = tmp_path / "workflows"
    (lib / "x").mkdir(parents=True)
    (lib / "versions.lock").write_text("{}\n")
    (lib / "x" / "v1.yaml").write_text(BROKEN)
    return lib


def test_a_folder_with_versions_lock_is_linted_by_the_library(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    (tmp_path / "other.yaml").write_text(BROKEN)
    findings = lint_paths([str(tmp_path)], strict=True)
    # The library renders its versions (deployed name x-v1); the other file is linted as it stands.
    assert {(f.file, f.name) for f in findings} == {
        (str(lib / "x" / "v1.yaml"), "x-v1"),
        (str(tmp_path / "other.yaml"), "x"),
    }


def _starter(tmp_path: Path) -> Path:
    root = tmp_path / "workflows"
    shutil.copytree(STARTER, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_a_template_folder_inside_a_library_is_linted_as_part_of_it(tmp_path: Path) -> None:
    root = _starter(tmp_path)
    # Linted alone, etl's versions would both be "etl" (a false duplicate) and etl-v2's cron and
    # references would not resolve; as part of the library they are clean.
    assert lint_paths([str(root / "etl")], strict=True) == []


def test_a_version_file_inside_a_library_gets_the_lock_check_and_only_its_own_findings(tmp_path: Path) -> None:
    root = _starter(tmp_path)
    v1 = root / "etl" / "v1.yaml"
    v1.write_text(v1.read_text() + "  # comment\n  podGC: {strategy: OnPodCompletion}\n")
    (root / "hello-world" / "v2.yaml").write_text(BROKEN.replace("name: x", "name: hello-world"))
    findings = lint_paths([str(v1)])
    assert {(f.file, f.rule) for f in findings} == {(str(v1), "released-version-changed")}


def test_a_python_version_given_by_path_is_built_not_skipped(tmp_path: Path) -> None:
    root = _starter(tmp_path)
    v2 = root / "fan-out" / "v2.py"
    v2.write_text(v2.read_text().replace('service_account_name="argo-workflow"', 'service_account_name="default"'))
    findings = lint_paths([str(v2)])
    assert ("default-service-account", "fan-out-v2") in {(f.rule, f.name) for f in findings}
    assert {f.file for f in findings} == {str(v2)}


def test_hidden_folders_and_other_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "x.yaml").write_text(BROKEN)
    (tmp_path / "README.md").write_text("# not linted\n")
    (tmp_path / "clean.yaml").write_text("kind: ConfigMap\n")  # another kind: ignored, as Argo does
    result = run_lint([str(tmp_path)])
    assert (result.files, result.documents, result.findings) == (1, 0, [])


def test_a_folder_of_other_kinds_fails_like_argo_lint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from askflow.cli import main

    (tmp_path / "cm.yaml").write_text("kind: ConfigMap\n")
    assert main(["lint", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "checked 1 file(s), 0 document(s): no problems found\n"
    assert captured.err.count("\n") == 1 and "found nothing to lint" in captured.err


def test_the_same_file_twice_is_linted_once(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(BROKEN)
    once = lint_paths([str(path)])
    assert lint_paths([str(path), str(path)]) == once


def test_unreadable_file_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"\xff\xfe\x00")
    (finding,) = lint_paths([str(path)])
    assert finding.text() == f"{path}:1:1: error: is not UTF-8 text [unreadable]"


def test_a_library_that_does_not_load_is_a_finding_and_the_rest_is_linted(tmp_path: Path) -> None:
    lib = _library(tmp_path)
    (lib / "x" / "v2.yaml").write_text("kind: [\n")
    (tmp_path / "other.yaml").write_text(BROKEN)
    result = run_lint([str(tmp_path)], strict=True)
    assert [f.rule for f in result.findings if f.file == str(lib / "x" / "v2.yaml")] == ["unreadable"]
    assert {f.file for f in result.findings} == {str(lib / "x" / "v2.yaml"), str(tmp_path / "other.yaml")}
    assert result.unreadable == 1


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(AskflowError) as info:
        lint_paths([str(tmp_path / "nope")])
    assert info.value.exit_code == 2


def test_real_library_is_clean_under_strict() -> None:
    assert [f.text() for f in lint_paths([str(LIBRARY)], strict=True) if f.severity == "error"] == []


def test_files_given_beside_a_library_resolve_references_into_it(tmp_path: Path) -> None:
    root = _starter(tmp_path)
    wf = tmp_path / "wf.yaml"
    wf.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: run-}\n"
        "spec: {workflowTemplateRef: {name: etl-v2}}\n"
    )
    assert [f.rule for f in lint_paths([str(wf), str(root)]) if f.severity == "error"] == []
    missing = wf.read_text().replace("etl-v2", "etl-v9")
    wf.write_text(missing)
    errors = [f.rule for f in lint_paths([str(wf), str(root)]) if f.severity == "error"]
    assert errors == ["undefined-workflow-template"]


def test_a_reference_to_a_library_version_linted_alone_says_to_lint_it_with_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _starter(tmp_path)
    wf = tmp_path / "wf.yaml"
    wf.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: run-}\n"
        "spec: {workflowTemplateRef: {name: etl-v2}}\n"
    )
    monkeypatch.chdir(tmp_path)  # a library at ./workflows: the hint names it
    [finding] = [f for f in lint_paths(["wf.yaml"]) if f.severity == "error"]
    assert finding.message.endswith(
        "; etl-v2 looks like a template library version: lint this file together with the library "
        "(askflow lint wf.yaml workflows)"
    )
    assert [f for f in lint_paths(["wf.yaml", str(root)]) if f.severity == "error"] == []
