"""The templates component's objects: one Pulumi resource per (namespace, version or cron)."""

from __future__ import annotations

from pathlib import Path

import pytest

from askflow.errors import AskflowError
from askflow.library import load_library, select
from tests.conftest import ROOT
from tests.plan import harness  # noqa: F401  (puts infra/ on sys.path, as the language host does)


def _library(tmp_path: Path, *names: str) -> Path:
    root = tmp_path / "workflows"
    source = (ROOT / "workflows" / "hello-world" / "v1.yaml").read_text()
    for name in names:
        (root / name).mkdir(parents=True)
        (root / name / "v1.yaml").write_text(source.replace("name: hello-world", f"name: {name}", 1))
    return root


def test_every_object_gets_its_own_resource_name() -> None:
    from components.templates import library_objects  # type: ignore[import-not-found]

    selection = select(load_library(ROOT / "workflows"), "all", "all")
    objects = library_objects("t", ("data-eng", "ml"), selection)
    names = [n for n, _ in objects]
    assert len(names) == len(set(names)) == 2 * (len(selection.versions) + len(selection.crons))
    assert ("t-data-eng-etl-v3", "etl-v3") in {(n, m["metadata"]["name"]) for n, m in objects}
    assert "t-ml-cron-nightly-etl" in names


def test_two_objects_with_one_resource_name_are_refused(tmp_path: Path) -> None:
    """Namespace data + template eng-etl and namespace data-eng + template etl both made the resource
    t-data-eng-etl-v1: a duplicate URN that only `pulumi up` reported, after creating the others."""
    from components.templates import library_objects

    root = _library(tmp_path, "eng-etl", "etl")
    selection = select(load_library(root), "all", "all")
    with pytest.raises(AskflowError, match=r"WorkflowTemplate data-eng/etl-v1 and WorkflowTemplate "
                       r"data/eng-etl-v1 would both be the Pulumi resource t-data-eng-etl-v1"):
        library_objects("t", ("data", "data-eng"), selection)
    assert len(library_objects("t", ("data", "ml"), selection)) == 4
