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
FIELDS = ["column", "doc", "file", "kind", "line", "message", "name", "path", "rule", "severity"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["lint", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "clean.yaml"
    path.write_text(CLEAN)
    code, out, err = run(capsys, "--strict", str(path))
    assert (code, out, err) == (0, "checked 1 file(s), 1 document(s): no problems found\n", "")


def test_errors_exit_1_with_one_line_per_finding(capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / "dag-cycle.yaml"
    code, out, err = run(capsys, str(path))
    lines = out.splitlines()
    assert code == 1 and err == ""
    # the task's own node: its first key
    line, column = next((i, text.index("name") + 1) for i, text in enumerate(path.read_text().splitlines(), 1)
                        if "- name: a" in text)
    assert lines == [
        f"{path}:{line}:{column}: error: spec.templates[0].dag.tasks[0]: templates.main sorting failed: graph with "
        "cycle (a->c->b->a) [dag-cycle]",
        "checked 1 file(s), 1 document(s): 1 error(s), 0 warning(s)",
    ]


def test_warnings_exit_0_unless_strict(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(CORPUS / "unpinned-image.yaml")
    assert run(capsys, path)[0] == 0
    assert run(capsys, "--strict", path)[0] == 1


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(CORPUS / "unresolved-variable.yaml"), str(CORPUS / "unpinned-image.yaml")]
    code, out, _ = run(capsys, "--json", "-", *paths)
    document = json.loads(out)
    assert code == 1
    assert sorted(document) == ["documents", "errors", "files", "findings", "unreadable", "warnings"]
    assert (document["files"], document["unreadable"]) == (2, 0) and document["documents"] >= 2
    data = document["findings"]
    assert (document["errors"], document["warnings"]) == (
        sum(f["severity"] == "error" for f in data), sum(f["severity"] == "warning" for f in data))
    assert all(sorted(item) == FIELDS for item in data)
    assert all(item["line"] >= 1 and item["column"] >= 1 for item in data)
    assert {item["severity"] for item in data} == {"error", "warning"}
    assert data == sorted(data, key=lambda f: (f["file"], f["doc"]))
    assert run(capsys, "--json", "-", *reversed(paths))[1] == out  # deterministic, whatever the argument order


def test_json_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(CORPUS / "unresolved-variable.yaml")
    code, out, _ = run(capsys, "--json", "-", path)
    report = tmp_path / "lint.json"
    assert run(capsys, "--json", str(report), path) == (code, "", "")
    assert report.read_text() == out
    missing = tmp_path / "no-such-folder" / "lint.json"
    code, out, err = run(capsys, "--json", str(missing), path)
    assert (code, out) == (2, "") and err.startswith(f"{missing}: cannot be written") and not missing.parent.exists()


def test_folder_is_walked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "clean.yml").write_text(CLEAN)
    (tmp_path / "a" / "broken.json").write_text(
        json.dumps({**__import__("yaml").safe_load(CLEAN), "spex": {}})
    )
    (tmp_path / "notes.txt").write_text("not yaml: [")
    code, out, _ = run(capsys, "--json", "-", str(tmp_path))
    assert code == 1
    document = json.loads(out)
    assert [(Path(f["file"]).name, f["rule"]) for f in document["findings"]] == [("broken.json", "unknown-field")]
    assert (document["files"], document["documents"]) == (2, 2)


@pytest.mark.parametrize(
    ("name", "content", "message", "where"),
    [
        ("bad.yaml", "kind: Workflow\nkind: Workflow\n", "duplicate key 'kind'", "2:1"),
        ("bad.yaml", "kind: [Workflow\n", "YAML does not parse", "2:1"),
        ("bad.json", '{"kind": "Workflow", "kind": "Workflow"}', "duplicate key 'kind'", "1:1"),
        ("bad.json", '{"kind": ', "JSON does not parse (line 1, column 10", "1:10"),
        ("bad.yaml", b"kind: Workflow\nname: \xff\n", "is not UTF-8 text", "2:7"),
    ],
)
def test_an_unreadable_file_is_a_finding_and_the_others_are_still_linted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: str | bytes, message: str, where: str
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(CLEAN.replace("alpine:3.20", "alpine"))  # one warning: it was linted
    bad = tmp_path / name
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, out, err = run(capsys, str(good), str(bad))
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"{bad}:{where}: error: ") and message in lines[0] and lines[0].endswith("[unreadable]")
    assert lines[1].startswith(f"{good}:") and "[unpinned-image]" in lines[1]
    assert lines[2] == "checked 2 file(s), 1 document(s): 1 error(s), 1 warning(s)"
    code, out, err = run(capsys, "--json", "-", str(bad), str(good))
    document = json.loads(out)  # complete, whatever failed
    assert code == 1 and document["unreadable"] == 1
    assert [f["rule"] for f in document["findings"]] == ["unreadable", "unpinned-image"]


def test_nothing_readable_exits_2_with_a_complete_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text("kind: [\n")
    (tmp_path / "b.yaml").write_text("a: 1\na: 2\n")
    code, out, err = run(capsys, "--json", "-", str(tmp_path))
    document = json.loads(out)
    assert code == 2
    assert (document["files"], document["unreadable"], document["documents"]) == (2, 2, 0)
    assert [Path(f["file"]).name for f in document["findings"]] == ["a.yaml", "b.yaml"]


def test_an_empty_folder_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README.md").write_text("# no manifests\n")
    code, out, err = run(capsys, "--json", "-", str(tmp_path))
    assert code == 2 and json.loads(out)["error"]["file"] == str(tmp_path)  # --json -: a document all the same
    assert err == f"{tmp_path}: no *.yaml, *.yml or *.json file to lint here; give the files or folders holding the manifests\n"


def test_a_whole_document_finding_points_at_its_first_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "two.yaml"
    path.write_text("# two documents\n---\n" + CLEAN + "---\n" + CLEAN.replace("kind: Workflow", "kind: WorkflowTemplate")
                    .replace("generateName: clean-", "name: " + "x" * 70))
    code, out, _ = run(capsys, str(path))
    first = out.splitlines()[0]
    # the second document's metadata.name line
    line = 2 + CLEAN.count("\n") + 1 + 4
    assert code == 1 and first.startswith(f"{path}:{line}:3: error: metadata.name: "), first
    assert "doc " not in out


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
    assert run(capsys, "--strict", str(path))[:2] == (0, "checked 1 file(s), 1 document(s): no problems found\n")
