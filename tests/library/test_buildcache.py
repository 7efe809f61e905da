"""The cache of Python versions' builds: the same bytes (and the same project modules) are read
back instead of built; anything that changes what a build would produce is built again."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from askflow.library import buildcache, forget_parsed, load_library, loader

VERSION = '''\
from hera.workflows import Container, WorkflowTemplate
{extra}

def build() -> WorkflowTemplate:
    with WorkflowTemplate(name="app", entrypoint="main") as wt:
        Container(name="main", image="alpine:3.20", command=["echo", {word}])
    return wt
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "workflows" / "app").mkdir(parents=True)
    (tmp_path / "workflows" / "app" / "v1.py").write_text(VERSION.format(extra="", word='"hi"'))
    return tmp_path


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every real build (hera's build() run) of this test, in order."""
    monkeypatch.delenv(buildcache.DISABLE_ENV, raising=False)
    calls: list[Path] = []
    real = loader._build_python

    def counting(path: Path) -> object:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(loader, "_build_python", counting)
    return calls


def _load(project: Path) -> str:
    forget_parsed()  # what a fresh process has: nothing parsed in memory
    (version,) = load_library(project / "workflows").versions
    return version.digest


def test_a_second_process_reads_the_build_back_with_the_same_digest(project: Path, builds: list[Path]) -> None:
    first = _load(project)
    (entry,) = (project / ".cache" / "askflow" / "builds").glob("*.json")
    assert json.loads(entry.read_text())["inputs"] == {}
    assert _load(project) == first
    assert builds == [project / "workflows" / "app" / "v1.py"]  # built once


def test_edited_source_or_another_hera_is_built_again(
    project: Path, builds: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _load(project)
    source = project / "workflows" / "app" / "v1.py"
    source.write_text(VERSION.format(extra="", word='"bye"'))
    assert _load(project) != first
    monkeypatch.setattr(buildcache, "_hera_version", lambda: "0.0.0")
    _load(project)
    assert len(builds) == 3


def test_a_project_module_the_build_imports_is_tracked(project: Path, builds: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    helper = project / "helpers" / "words.py"
    helper.parent.mkdir()
    helper.write_text('WORD = "one"\n')
    monkeypatch.syspath_prepend(str(helper.parent))
    source = project / "workflows" / "app" / "v1.py"
    source.write_text(VERSION.format(extra="from words import WORD", word="WORD"))
    first = _load(project)
    (entry,) = (project / ".cache" / "askflow" / "builds").glob("*.json")
    assert json.loads(entry.read_text())["inputs"] == {os.path.realpath(helper): buildcache._file_digest(str(helper))}
    assert _load(project) == first and len(builds) == 1
    helper.write_text('WORD = "two"\n')  # the version file is unchanged; what it builds is not
    assert _load(project) != first and len(builds) == 2


def test_a_corrupt_entry_is_ignored_and_replaced(project: Path, builds: list[Path]) -> None:
    first = _load(project)
    (entry,) = (project / ".cache" / "askflow" / "builds").glob("*.json")
    entry.write_text("{not json")
    assert _load(project) == first and len(builds) == 2
    assert json.loads(entry.read_text())["canonical"]


def test_disabled_builds_every_time_and_writes_nothing(project: Path, builds: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(buildcache.DISABLE_ENV, "1")
    _load(project)
    _load(project)
    assert len(builds) == 2 and not (project / ".cache").exists()


def test_a_cache_that_cannot_be_written_is_no_error(project: Path, builds: list[Path]) -> None:
    (project / ".cache").write_text("a file where the cache folder would be")
    first = _load(project)
    assert _load(project) == first and len(builds) == 2
