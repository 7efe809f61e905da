"""What a stack deploys: select(), and the reference guard."""

from __future__ import annotations

from pathlib import Path

import pytest

from askflow.errors import AskflowError
from askflow.library import load_library, select

REPORT = """\
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: report
spec:
  entrypoint: main
  templates:
    - name: main
      dag:
        tasks:
          - name: greet
            templateRef: {name: hello-world-v1, template: say}
            arguments:
              parameters: [{name: message, value: hi}]
          - name: shared
            templateRef: {name: common-tasks, template: x, clusterScope: true}
          - name: dynamic
            templateRef: {name: "{{workflow.parameters.lib}}", template: x}
"""


def test_all(lib_root: Path) -> None:
    library = load_library(lib_root)
    selection = select(library, "all", "all")
    assert selection.versions == library.versions
    assert selection.crons == library.crons
    assert selection.images == ("alpine:3.20", "python:3.12-slim")


def test_listed_versions_and_template_names(lib_root: Path) -> None:
    library = load_library(lib_root)
    selection = select(library, ["hello-world-v2", "etl", "fan-out-v1"], ["nightly-etl"])
    assert [v.deployed_name for v in selection.versions] == [
        "etl-v1",
        "etl-v2",
        "fan-out-v1",
        "hello-world-v2",
    ]
    assert [c.name for c in selection.crons] == ["nightly-etl"]
    assert select(library, ["etl-v2", "etl-v2"], []).versions == (library.by_deployed_name["etl-v2"],)


def test_cron_reference_guard(lib_root: Path) -> None:
    library = load_library(lib_root)
    with pytest.raises(AskflowError) as info:
        select(library, ["etl-v1", "hello-world"], ["nightly-etl"])
    assert info.value.message == (
        "nightly-etl references etl-v2, which this stack does not deploy; add etl-v2 to templates.deploy"
    )
    assert info.value.file == str(lib_root / "etl" / "cron-nightly-etl.yaml")
    # Leaving the cron out too is fine.
    assert select(library, ["etl-v1"], []).crons == ()


def test_template_reference_guard(lib_root: Path) -> None:
    (lib_root / "report").mkdir()
    (lib_root / "report" / "v1.yaml").write_text(REPORT, encoding="utf-8")
    library = load_library(lib_root)
    # clusterScope and templated references are not library references.
    assert library.by_deployed_name["report-v1"].references == ("hello-world-v1",)
    with pytest.raises(AskflowError) as info:
        select(library, ["report-v1", "hello-world-v2"], [])
    assert info.value.message == (
        "report-v1 references hello-world-v1, which this stack does not deploy; add hello-world-v1 to templates.deploy"
    )
    assert info.value.file == str(lib_root / "report" / "v1.yaml")
    assert len(select(library, ["report-v1", "hello-world-v1"], []).versions) == 2
    assert library.referenced_by["hello-world-v1"] == ("report-v1",)


def test_reference_outside_the_library(lib_root: Path) -> None:
    (lib_root / "report").mkdir()
    (lib_root / "report" / "v1.yaml").write_text(REPORT.replace("hello-world-v1", "hello-world-v9"), encoding="utf-8")
    with pytest.raises(AskflowError, match="report-v1 references hello-world-v9, which is not in the template library"):
        select(load_library(lib_root), "all", "all")


@pytest.mark.parametrize(
    ("deploy", "crons", "message", "path"),
    [
        (["etl-v7"], [], "'etl-v7' is not in the template library", "templates.deploy[0]"),
        (["etl", "nope"], [], "'nope' is not in the template library", "templates.deploy[1]"),
        ("everything", [], 'must be "all" or a list', "templates.deploy"),
        (["etl"], ["weekly"], "'weekly' is not a CronWorkflow", "templates.crons[0]"),
    ],
)
def test_unknown_names(lib_root: Path, deploy: object, crons: object, message: str, path: str) -> None:
    with pytest.raises(AskflowError) as info:
        select(load_library(lib_root), deploy, crons)  # type: ignore[arg-type]
    assert message in info.value.message
    assert info.value.path == path
