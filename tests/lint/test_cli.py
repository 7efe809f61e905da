"""``askflow lint``: exit codes, human lines, ``--json`` shape, bad paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from askflow.cli import main

CORPUS = Path(__file__).parent / "corpus"
CLEAN = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: clean-
spec:
  entrypoint: main
  serviceAccountName: workflow
  activeDeadlineSeconds: 600
  templates:
  - name: main
    container:
      image: alpine:3.20
      resources: {requests: {cpu: 100m, memory: 64Mi}}
"""
FIELDS = ["doc", "file", "kind", "message", "name", "path", "rule", "severity"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["lint", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "clean.yaml"
    path.write_text(CLEAN)
    code, out, err = run(capsys, "--strict", str(path))
    assert (code, out, err) == (0, "no problems found\n", "")


def test_errors_exit_1_with_one_line_per_finding(capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / "dag-cycle.yaml"
    code, out, err = run(capsys, str(path))
    lines = out.splitlines()
    assert code == 1 and err == ""
    assert lines == [
        f"{path}:doc 0:spec.templates[0].dag.tasks[0]: error: templates.main sorting failed: graph with cycle "
        "(a->c->b->a) [dag-cycle]",
        "1 error(s), 0 warning(s) in 1 document(s)",
    ]


def test_warnings_exit_0_unless_strict(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(CORPUS / "unpinned-image.yaml")
    assert run(capsys, path)[0] == 0
    assert run(capsys, "--strict", path)[0] == 1


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(CORPUS / "unresolved-variable.yaml"), str(CORPUS / "unpinned-image.yaml")]
    code, out, _ = run(capsys, "--json", *paths)
    data = json.loads(out)
    assert code == 1
    assert all(sorted(item) == FIELDS for item in data)
    assert {item["severity"] for item in data} == {"error", "warning"}
    assert data == sorted(data, key=lambda f: (f["file"], f["doc"]))
    assert run(capsys, "--json", *reversed(paths))[1] == out  # deterministic, whatever the argument order


def test_folder_is_walked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "clean.yml").write_text(CLEAN)
    (tmp_path / "a" / "broken.json").write_text(
        json.dumps({**__import__("yaml").safe_load(CLEAN), "spex": {}})
    )
    (tmp_path / "notes.txt").write_text("not yaml: [")
    code, out, _ = run(capsys, "--json", str(tmp_path))
    assert code == 1
    assert [(Path(f["file"]).name, f["rule"]) for f in json.loads(out)] == [("broken.json", "unknown-field")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.yaml", "kind: Workflow\nkind: Workflow\n", "duplicate key 'kind'"),
        ("bad.yaml", "kind: [Workflow\n", "YAML does not parse"),
        ("bad.json", '{"kind": "Workflow", "kind": "Workflow"}', "duplicate key 'kind'"),
        ("bad.json", '{"kind": ', "JSON does not parse (line 1, column 10"),
    ],
)
def test_unparseable_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str, message: str
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(CLEAN)
    bad = tmp_path / name
    bad.write_text(content)
    code, out, err = run(capsys, str(good), str(bad))
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith(f"{bad}: ") and message in err


def test_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(tmp_path / "nope.yaml"))
    assert (code, out) == (2, "")
    assert err == f"{tmp_path / 'nope.yaml'}: no such file or folder\n"


def test_json_is_read_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """json.dumps escapes an emoji as a surrogate pair, which a YAML parser refuses."""
    doc = __import__("yaml").safe_load(CLEAN)
    doc["spec"]["templates"][0]["container"]["args"] = ["\N{CLOCK FACE FOUR OCLOCK} {{workflow.name}}"]
    path = tmp_path / "emoji.json"
    path.write_text(json.dumps(doc))
    assert "\\ud83d" in path.read_text()
    assert run(capsys, "--strict", str(path))[:2] == (0, "no problems found\n")
