"""``lint_paths``: folders, the template-library hook, and reading errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from askflow.errors import AskflowError
from askflow.lint import Finding, lint_paths, runner

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


def test_a_folder_with_versions_lock_is_linted_by_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Path, bool]] = []
    marker = Finding(
        "lib", 0, "WorkflowTemplate", "x-v1", "error", "unknown-field", "spec", "from the library"
    )

    def fake(root: Path, *, strict: bool) -> list[Finding]:
        calls.append((root, strict))
        return [marker]

    monkeypatch.setattr(runner, "_library_linter", lambda: fake)
    lib = _library(tmp_path)
    (tmp_path / "other.yaml").write_text(BROKEN)
    findings = lint_paths([str(tmp_path)], strict=True)
    assert calls == [(lib, True)]
    assert marker in findings
    assert {f.file for f in findings} == {"lib", str(tmp_path / "other.yaml")}  # raw library files not linted


def test_without_the_library_module_the_files_are_linted_plainly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "askflow.library", None)  # import fails as if the module did not exist
    assert runner._library_linter() is None
    lib = _library(tmp_path)
    findings = lint_paths([str(lib)])
    assert {(Path(f.file).name, f.rule) for f in findings if f.severity == "error"} == {
        ("v1.yaml", "unknown-field"),
        ("v1.yaml", "template-type"),
    }


def test_hidden_folders_and_other_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "x.yaml").write_text(BROKEN)
    (tmp_path / "README.md").write_text("# not linted\n")
    assert lint_paths([str(tmp_path)]) == []


def test_the_same_file_twice_is_linted_once(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(BROKEN)
    once = lint_paths([str(path)])
    assert lint_paths([str(path), str(path)]) == once


def test_unreadable_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(AskflowError) as info:
        lint_paths([str(path)])
    assert info.value.exit_code == 2
    assert info.value.line() == f"{path}: is not UTF-8 text"


def test_real_library_through_the_hook_when_present() -> None:
    linter: Any = runner._library_linter()
    if linter is None:
        pytest.skip("askflow.library is not built yet")
    root = Path(__file__).resolve().parents[2] / "workflows"
    if not (root / "versions.lock").exists():
        pytest.skip("no starter library")
    assert [f.line() for f in lint_paths([str(root)], strict=True) if f.severity == "error"] == []
