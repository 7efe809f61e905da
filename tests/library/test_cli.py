"""`askflow workflows new | list | show | diff`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from askflow.library import load_library, read_lock
from askflow.library.diff import Change, diff_versions
from tests.conftest import ROOT
from tests.library.conftest import LIBRARY, STARTER

Run = Callable[..., tuple[int, str, str]]


# --- new ---------------------------------------------------------------------------------------


def test_new_copies_the_latest_version(lib_root: Path, askflow: Run) -> None:
    code, out, _ = askflow("workflows", "new", "hello-world", "--root", str(lib_root))
    assert code == 0 and "v3.yaml" in out
    v2, v3 = lib_root / "hello-world" / "v2.yaml", lib_root / "hello-world" / "v3.yaml"
    # The copy keeps comments and formatting; mentions of hello-world-v2 (comments here) follow it.
    assert v3.read_text() == v2.read_text().replace("hello-world-v2", "hello-world-v3")
    assert "hello-world-v3" in v3.read_text() and "of hello-world-v2 changed to hello-world-v3" in out
    library = load_library(lib_root)
    assert library.by_deployed_name["hello-world-v3"].digest == library.by_deployed_name["hello-world-v2"].digest
    assert "hello-world-v3" not in read_lock(library.lock_path)


def test_new_refuses_while_the_latest_is_a_draft(lib_root: Path, askflow: Run) -> None:
    assert askflow("workflows", "new", "etl", "--root", str(lib_root))[0] == 0
    code, _, err = askflow("workflows", "new", "etl", "--root", str(lib_root))
    assert code == 2 and err.count("\n") == 1
    assert "etl-v3 is not released yet" in err and "askflow workflows lock" in err
    assert not (lib_root / "etl" / "v4.yaml").exists()


def test_new_python_version_and_unknown_template(lib_root: Path, askflow: Run) -> None:
    assert askflow("workflows", "new", "fan-out", "--root", str(lib_root))[0] == 0
    assert (lib_root / "fan-out" / "v3.py").read_text() == (lib_root / "fan-out" / "v2.py").read_text().replace(
        "fan-out-v2", "fan-out-v3"
    )
    assert load_library(lib_root).by_deployed_name["fan-out-v3"].render()["metadata"]["name"] == "fan-out-v3"
    code, _, err = askflow("workflows", "new", "nope", "--root", str(lib_root))
    assert code == 2 and "no template named 'nope'" in err


def test_new_moves_self_references(lib_root: Path, askflow: Run) -> None:
    (lib_root / "pipeline").mkdir()
    (lib_root / "pipeline" / "v1.yaml").write_text(
        """\
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: pipeline
spec:
  entrypoint: main
  serviceAccountName: argo-workflow
  activeDeadlineSeconds: 600
  templates:
    - name: main
      steps:
        - - name: one
            templateRef: {name: pipeline-v1, template: leaf}
        - - name: other
            templateRef: {name: hello-world-v1, template: say}
            arguments: {parameters: [{name: message, value: pipeline-v10}]}
    - name: leaf
      retryStrategy: {limit: 1}
      container:
        image: alpine:3.20
        resources: {requests: {cpu: 100m, memory: 64Mi}}
""",
        encoding="utf-8",
    )
    assert askflow("workflows", "lock", "--all", "--root", str(lib_root))[0] == 0
    code, out, _ = askflow("workflows", "new", "pipeline", "--root", str(lib_root))
    assert code == 0 and "1 mention of pipeline-v1 changed to pipeline-v2" in out
    v2 = load_library(lib_root).by_deployed_name["pipeline-v2"]
    assert v2.references == ("hello-world-v1", "pipeline-v2")
    assert "pipeline-v10" in (lib_root / "pipeline" / "v2.yaml").read_text(), "only whole names are moved"


# --- list ----------------------------------------------------------------------------------------


def _stack(folder: Path, stack: str, templates: str | None) -> None:
    body = "config:\n  alicloud:region: cn-hangzhou\n  askflow:platform:\n    environment: dev\n"
    if templates is not None:
        body += "    templates:\n" + "".join(f"      {line}\n" for line in templates.splitlines())
    (folder / f"Pulumi.{stack}.yaml").write_text(body, encoding="utf-8")


def test_list(lib_root: Path, tmp_path: Path, askflow: Run) -> None:
    envs = tmp_path / "environments"
    envs.mkdir()
    _stack(envs, "dev", None)  # no templates key: everything
    _stack(envs, "prod", "deploy: [hello-world-v2, etl-v2, fan-out]\ncrons: [nightly-etl]")
    _stack(envs, "qa", "deploy: [etl-v1]\ncrons: []")
    (lib_root / "hello-world" / "v3.yaml").write_text((lib_root / "hello-world" / "v2.yaml").read_text())
    code, out, _ = askflow("workflows", "list", "--root", str(lib_root), "--environments", str(envs), "--json", "-")
    assert code == 0
    data = json.loads(out)
    rows = {r["deployed_name"]: r for r in data["versions"]}
    assert rows["etl-v1"]["stacks"] == ["dev", "qa"]
    assert rows["etl-v2"]["stacks"] == ["dev", "prod"]
    assert rows["fan-out-v2"]["stacks"] == ["dev", "prod"]
    assert rows["hello-world-v1"]["stacks"] == ["dev"]
    assert rows["etl-v2"]["referenced_by"] == ["nightly-etl"]
    assert rows["hello-world-v3"]["status"] == "draft" and rows["etl-v1"]["status"] == "released"
    assert data["crons"] == [
        {
            "name": "nightly-etl",
            "template": "etl",
            "runs": "etl-v2",
            "stacks": ["dev", "prod"],
            "source": str(lib_root / "etl" / "cron-nightly-etl.yaml"),
        }
    ]

    code, out, _ = askflow("workflows", "list", "--root", str(lib_root), "--environments", str(envs))
    assert code == 0
    line = next(ln for ln in out.splitlines() if ln.startswith("etl ") and " v2 " in ln)
    assert line.split()[:4] == ["etl", "v2", "etl-v2", "released"] and "dev, prod" in line and "nightly-etl" in line


def test_list_json_to_a_file(lib_root: Path, tmp_path: Path, askflow: Run) -> None:
    envs = tmp_path / "environments"
    envs.mkdir()
    _, out, _ = askflow("workflows", "list", "--root", str(lib_root), "--environments", str(envs), "--json", "-")
    target = tmp_path / "list.json"
    code, printed, _ = askflow("workflows", "list", "--root", str(lib_root), "--environments", str(envs),
                               "--json", str(target))
    assert (code, printed, target.read_text()) == (0, "", out)
    code, _, err = askflow("workflows", "list", "--root", str(lib_root), "--json", str(tmp_path / "no" / "x.json"))
    assert code == 2 and "does not exist" in err and not (tmp_path / "no").exists()


def test_list_reports_a_changed_release_and_a_bad_stack(lib_root: Path, tmp_path: Path, askflow: Run) -> None:
    envs = tmp_path / "environments"
    envs.mkdir()
    path = lib_root / "etl" / "v1.yaml"
    path.write_text(path.read_text().replace("activeDeadlineSeconds: 3600", "activeDeadlineSeconds: 60"))
    code, out, _ = askflow("workflows", "list", "--root", str(lib_root), "--environments", str(envs), "--json", "-")
    assert {r["deployed_name"]: r["status"] for r in json.loads(out)["versions"]}["etl-v1"] == "CHANGED"
    _stack(envs, "prod", "deploy: [etl-v9]")
    code, _, err = askflow("workflows", "list", "--root", str(lib_root), "--environments", str(envs))
    assert code == 2 and "Pulumi.prod.yaml" in err and "'etl-v9' is not in the template library" in err


def test_list_with_the_repository_stacks(askflow: Run) -> None:
    code, out, _ = askflow(
        "workflows", "list", "--root", str(LIBRARY), "--environments", str(ROOT / "environments")
    )
    assert code == 0 and "etl-v3" in out


# --- show ----------------------------------------------------------------------------------------

_NODE = re.compile(r'^\s*(\w+)(?:\[\[|\[/|\[)"(.*?)"(?:\]\]|/\]|\])\s*$')
_EDGE = re.compile(r"^\s*(\w+) (-->|-\.->)(?:\|([^|]*)\|)? (\w+)\s*$")
_SUBGRAPH = re.compile(r'^\s*subgraph (\w+)\["(.*)"\]\s*$')


def parse_mermaid(text: str) -> tuple[dict[str, str], set[tuple[str, str, str, str | None]], dict[str, str]]:
    """Nodes (id -> label), edges (from label, arrow, to label, edge label), subgraphs (id -> title).

    A small parser of the flowchart subset `show` emits: every line must be understood."""
    lines = text.splitlines()
    assert lines[:4] == ["---", lines[1], "---", "flowchart TD"] and lines[1].startswith("title: ")
    nodes: dict[str, str] = {}
    groups: dict[str, str] = {}
    raw_edges = []
    for line in lines[4:]:
        if m := _SUBGRAPH.match(line):
            groups[m.group(1)] = m.group(2)
        elif m := _NODE.match(line):
            nodes[m.group(1)] = m.group(2)
        elif m := _EDGE.match(line):
            raw_edges.append(m.groups())
        else:
            assert line.strip() == "end" or line.strip().startswith(("classDef ", "class ")), line
    names = {**nodes, **groups}
    edges = {
        (names[a].split(":")[0].split(" (")[0], arrow, names[b].split(":")[0].split(" (")[0], label)
        for a, arrow, label, b in raw_edges
    }
    return nodes, edges, groups


def test_show_dag_edges(askflow: Run) -> None:
    code, out, _ = askflow("workflows", "show", "etl-v2", "--root", str(STARTER))
    assert code == 0
    nodes, edges, groups = parse_mermaid(out)
    assert list(groups.values()) == ["main (dag)"]
    assert sorted(nodes.values()) == ["extract", "load", "transform", "validate"]
    assert edges == {
        ("extract", "-->", "transform", None),
        ("transform", "-->", "validate", None),
        ("validate", "-->", "load", "Succeeded"),
    }
    # NAME alone means the latest version.
    assert askflow("workflows", "show", "etl", "--root", str(STARTER))[1] == out


def test_show_fan_out_and_steps(askflow: Run) -> None:
    _, out, _ = askflow("workflows", "show", "fan-out-v1", "--root", str(STARTER))
    nodes, edges, _ = parse_mermaid(out)
    assert edges == {("generate", "-->", "process", None), ("process", "-->", "aggregate", None)}
    (fanned,) = [label for label in nodes.values() if "fan-out" in label]
    assert fanned == "process: square (fan-out withParam)"
    assert re.search(r"^\s*class t_main_process fanout$", out, re.M)

    _, out, _ = askflow("workflows", "show", "hello-world-v2", "--root", str(STARTER))
    nodes, edges, groups = parse_mermaid(out)
    assert list(groups.values()) == ["main (steps)"]
    assert edges == {("announce", "-->", "greet", None)}
    assert "greet: say (fan-out withItems)" in nodes.values()

    _, out, _ = askflow("workflows", "show", "hello-world-v1", "--root", str(STARTER))
    nodes, edges, _ = parse_mermaid(out)
    assert list(nodes.values()) == ["say (container)"] and edges == set()


def test_show_template_refs_and_nested_groups(lib_root: Path, askflow: Run) -> None:
    (lib_root / "report").mkdir()
    (lib_root / "report" / "v1.yaml").write_text(
        """\
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata: {name: report}
spec:
  entrypoint: main
  templates:
    - name: main
      dag:
        tasks:
          - {name: etl, templateRef: {name: etl-v2, template: main}}
          - {name: fan, template: inner, depends: "etl.Succeeded || etl.Failed"}
          - {name: hi, templateRef: {name: hello-world-v1, template: say}, dependencies: [etl]}
    - name: inner
      steps:
        - - {name: a, template: leaf, withSequence: {count: "3"}}
        - - {name: b, template: leaf}
          - {name: c, template: leaf}
    - name: leaf
      container: {image: alpine:3.20}
""",
        encoding="utf-8",
    )
    code, out, _ = askflow("workflows", "show", "report", "--root", str(lib_root))
    assert code == 0
    nodes, edges, groups = parse_mermaid(out)
    assert sorted(groups.values()) == ["inner (steps)", "main (dag)"]
    assert edges == {
        ("etl", "-.->", "etl-v2", "main"),
        ("hi", "-.->", "hello-world-v1", "say"),
        ("etl", "-->", "fan", "Succeeded/Failed"),
        ("etl", "-->", "hi", None),
        ("fan", "-.->", "inner", "calls"),
        ("a", "-->", "b", None),
        ("a", "-->", "c", None),
    }
    assert "a: leaf (fan-out withSequence)" in nodes.values()
    assert re.search(r'^\s*ref_etl_v2\[\["etl-v2"\]\]$', out, re.M), "another version is a subroutine node"

    code, dot, _ = askflow("workflows", "show", "report", "--root", str(lib_root), "--format", "dot")
    assert code == 0 and dot.startswith('digraph "report-v1" {') and dot.rstrip().endswith("}")
    assert re.search(r"t_main_fan -> t_inner_a \[lhead=cluster_1, style=dotted", dot)
    assert "shape=box3d" in dot and "shape=component" in dot


def test_show_png_without_dot(askflow: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` anywhere
    target = tmp_path / "etl.png"
    code, out, err = askflow("workflows", "show", "etl", "--root", str(STARTER), "--png", str(target))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "apt-get install graphviz" in err and "brew install graphviz" in err
    assert not target.exists()


def test_show_png_with_dot(askflow: Run, tmp_path: Path) -> None:
    import shutil

    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed (apt-get install graphviz)")
    target = tmp_path / "etl.png"
    code, _, _ = askflow("workflows", "show", "etl", "--root", str(STARTER), "--png", str(target))
    assert code == 0 and target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_show_unknown(askflow: Run) -> None:
    code, _, err = askflow("workflows", "show", "etl-v9", "--root", str(STARTER))
    assert code == 2 and "etl has no version v9" in err
    code, _, err = askflow("workflows", "show", "nope", "--root", str(STARTER))
    assert code == 2 and "neither a template nor a version" in err


# --- diff ----------------------------------------------------------------------------------------


def test_diff_etl_structural() -> None:
    library = load_library(STARTER)
    changes = set(diff_versions(library.version("etl", 1), library.version("etl", 2)))
    expected = {
        Change("templates", "+", "validate", "script"),
        Change("tasks", "+", "main.validate", "runs validate, after transform"),
        Change("tasks", "~", "main.load", "after [transform] → [validate]; arguments changed"),
        Change("parameters", "+", "spec.arguments.parameters.date", '{"value":"1970-01-01"}'),
        Change("parameters", "+", "templates.load.inputs.parameters.date", "{}"),
        Change("artifacts", "+", "templates.validate.inputs.artifacts.clean", '{"path":"/tmp/clean.csv"}'),
        Change("images", "+", "templates.validate.script", "python:3.12-slim"),
        Change("resources", "~", "templates.transform.script.requests.memory", "256Mi → 512Mi"),
        Change("resources", "~", "templates.transform.script.limits.memory", "256Mi → 512Mi"),
        Change(
            "resources",
            "+",
            "templates.validate.script",
            '{"limits":{"cpu":"250m","memory":"128Mi"},"requests":{"cpu":"100m","memory":"128Mi"}}',
        ),
        Change(
            "tasks",
            "~",
            "main.transform",
            'dependencies written as depends extract (was dependencies ["extract"])',
        ),
    }
    assert expected <= changes, changes - expected
    unexpected = {c for c in changes - expected if c.section not in ("spec", "templates")}
    assert unexpected == set()


def test_diff_cli_and_text(askflow: Run) -> None:
    code, out, _ = askflow("workflows", "diff", "fan-out", "v1", "2", "--root", str(STARTER), "--text")
    assert code == 0
    assert out.startswith("fan-out: v1 → v2")
    assert "tasks:" in out and "images:" in out
    assert "  - templates.square.container: alpine:3.20" in out
    assert "  + templates.square.script: python:3.12-slim" in out
    assert "  ~ main: changed parallelism" in out
    assert "  ~ square: type container → script" in out
    assert "sum" not in out.split("\n--- ")[0], "sum is the same in both versions"
    assert "--- " in out and "+++ " in out, "the unified diff follows"

    code, out, _ = askflow("workflows", "diff", "hello-world", "v1", "v1", "--root", str(STARTER))
    assert code == 0 and "no changes" in out
    code, _, err = askflow("workflows", "diff", "hello-world", "v1", "vx", "--root", str(STARTER))
    assert code == 2 and "not a version number" in err


def test_registered_in_the_askflow_command(capsys: pytest.CaptureFixture[str]) -> None:
    from askflow.cli import main

    assert main(["workflows", "show", "hello-world-v1", "--root", str(STARTER)]) == 0
    assert 'leaf_say["say (container)"]' in capsys.readouterr().out
    assert main(["workflows", "show", "nope", "--root", str(STARTER)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_lock_refuses_a_version_that_fails_strict_lint(lib_root: Path, askflow: Callable[..., tuple[int, str, str]]) -> None:
    bad = lib_root / "hello-world" / "v3.yaml"
    bad.write_text((lib_root / "hello-world" / "v2.yaml").read_text().replace(
        "serviceAccountName: argo-workflow", "serviceAccountName: default"), encoding="utf-8")
    before = (lib_root / "versions.lock").read_text()
    code, _, err = askflow("workflows", "lock", "--all", "--root", str(lib_root))
    assert code == 1 and "fix it before releasing" in err and err.count("\n") == 1
    assert (lib_root / "versions.lock").read_text() == before


def test_diff_reports_every_changed_task_field(lib_root: Path, askflow: Run) -> None:
    """A change to a task's continueOn, hooks or inline template, or to dag.failFast, is a change
    the diff names; it used to print "no structural changes" for them (the templates section left
    everything under dag to the tasks section, which read only a few fields)."""
    v2 = (lib_root / "etl" / "v2.yaml").read_text()
    v3 = v2.replace("      dag:\n        tasks:", "      dag:\n        failFast: false\n        tasks:", 1)
    v3 = v3.replace(
        "            depends: transform\n",
        "            depends: transform\n            continueOn: {failed: true}\n"
        "            hooks:\n              exit: {template: load}\n",
        1,
    )
    assert v3.count("continueOn") == 1 and "failFast" in v3
    (lib_root / "etl" / "v3.yaml").write_text(v3)
    code, out, _ = askflow("workflows", "diff", "etl", "v2", "v3", "--root", str(lib_root))
    assert code == 0
    assert "  ~ main: changed dag.failFast" in out
    assert "  ~ main.validate: continueOn changed; hooks changed" in out
    assert "no structural changes" not in out
