"""Bad input to ``askflow workflows``: one line naming the file or argument and what to do, exit 2,
no traceback, nothing written or half-changed."""

from __future__ import annotations

import copy
import dataclasses
import errno
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from askflow import yamlio
from askflow.errors import AskflowError, format_path
from askflow.library import TemplateVersion, canonical_json, lint_library, load_library, parse_deployed_name
from askflow.library.cli import readable
from askflow.library.diff import diff_versions, format_changes, text_diff
from askflow.library.graph import build_graph, to_dot, to_mermaid
from askflow.library.model import check_namespace
from tests.conftest import umask

Run = Callable[..., tuple[int, str, str]]


def _one_line_error(result: tuple[int, str, str], *expected: str) -> str:
    code, out, err = result
    assert code == 2, (code, out, err)
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for text in expected:
        assert text in err, err
    return err


# --- version numbers and deployed names (ASCII digits, bounded) ---------------------------------

HUGE = "9" * 5000


@pytest.mark.parametrize("arg", ["²", "v²", "٣", "v٣", "１", "0", "v0", "-1", "v", "", " 1", "1 ", HUGE, "v" + HUGE])
def test_diff_refuses_what_is_not_a_version_number(lib_root: Path, askflow: Run, arg: str) -> None:
    for a, b in ((arg, "2"), ("1", arg)):
        err = _one_line_error(
            askflow("workflows", "diff", "etl", a, b, "--root", str(lib_root)), "is not a version number"
        )
        assert len(err) < 200, "a long argument is cut short in the message"


def test_diff_takes_ascii_numbers_with_or_without_v(lib_root: Path, askflow: Run) -> None:
    assert askflow("workflows", "diff", "etl", "v1", "02", "--root", str(lib_root))[0] == 0
    # A number that fits a deployed name but names no version is a plain "no such version".
    _one_line_error(askflow("workflows", "diff", "etl", "9" * 60, "1", "--root", str(lib_root)), "has no version")


@pytest.mark.parametrize("name", ["etl-v" + HUGE, "etl-v²", "etl-v１", "etl-v2\n", "etl-v" + "9" * 59])
def test_show_and_retire_refuse_what_is_not_a_deployed_name(lib_root: Path, askflow: Run, name: str) -> None:
    err = _one_line_error(askflow("workflows", "show", name, "--root", str(lib_root)), "is neither a template nor")
    assert len(err) < 300
    err = _one_line_error(askflow("workflows", "retire", name, "--root", str(lib_root)), "is not a deployed name")
    assert len(err) < 300


def test_parse_deployed_name_is_ascii_whole_and_bounded() -> None:
    assert parse_deployed_name("etl-v12") == ("etl", 12)
    longest = "e-v" + "9" * 60  # 63 characters: still a deployed name
    assert parse_deployed_name(longest) == ("e", int("9" * 60))
    for text in (longest + "9", "etl-v" + HUGE, "etl-v²", "etl-v٣", "etl-v1\n", "etl\n-v1", "etl-v01"):
        assert parse_deployed_name(text) is None, text


def test_a_trailing_newline_is_no_name(lib_root: Path) -> None:
    with pytest.raises(AskflowError, match="not a valid Kubernetes namespace"):
        check_namespace("data-eng\n")
    folder = lib_root / "etl\n"
    folder.mkdir()
    (folder / "v1.yaml").write_text((lib_root / "etl" / "v1.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(AskflowError, match="template folder names are Kubernetes names"):
        load_library(lib_root)


def test_a_lock_key_with_a_huge_number_is_a_one_line_error(lib_root: Path, askflow: Run) -> None:
    lock = lib_root / "versions.lock"
    lock.write_text(lock.read_text(encoding="utf-8") + f"  ? etl-v{HUGE}\n  : sha256:{'0' * 64}\n", encoding="utf-8")
    _one_line_error(askflow("workflows", "list", "--root", str(lib_root)), "is not a deployed name")


# --- show and diff of a badly structured version -------------------------------------------------

# A version with every construct show and diff read: steps (parallel groups, fan-out, templateRef,
# inline), a DAG (depends, dependencies, withParam, inline script), inputs, outputs, containers,
# initContainers, sidecars, a containerSet, workflow arguments.
RICH = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "WorkflowTemplate",
    "metadata": {"name": "rich"},
    "spec": {
        "entrypoint": "main",
        "arguments": {"parameters": [{"name": "p", "value": "1"}], "artifacts": [{"name": "a", "raw": {"data": "x"}}]},
        "templates": [
            {
                "name": "main",
                "steps": [
                    [{"name": "s1", "template": "leaf", "withItems": [1, 2]}],
                    [
                        {"name": "s2", "templateRef": {"name": "etl-v1", "template": "main"}},
                        {
                            "name": "s3",
                            "inline": {"container": {"image": "busybox:1", "resources": {"limits": {"cpu": "1"}}}},
                        },
                    ],
                    [{"name": "s4", "template": "dag"}],
                ],
            },
            {
                "name": "dag",
                "dag": {
                    "tasks": [
                        {"name": "a", "template": "leaf", "arguments": {"parameters": [{"name": "x", "value": "1"}]}},
                        {
                            "name": "b",
                            "template": "leaf",
                            "depends": "a.Succeeded || (a && !a.Failed)",
                            "withParam": "{{x}}",
                        },
                        {"name": "c", "template": "set", "dependencies": ["a", "b"], "when": "1 == 1"},
                        {"name": "d", "inline": {"script": {"image": "python:3", "source": "x"}}, "depends": "c"},
                    ]
                },
            },
            {
                "name": "leaf",
                "inputs": {"parameters": [{"name": "x"}], "artifacts": [{"name": "in", "path": "/x"}]},
                "outputs": {
                    "parameters": [{"name": "o", "valueFrom": {"path": "/o"}}],
                    "artifacts": [{"name": "out", "path": "/o"}],
                },
                "container": {"image": "busybox:1", "resources": {"requests": {"memory": "1Gi"}}},
                "initContainers": [{"name": "i", "image": "busybox:2"}],
                "sidecars": [{"name": "s", "image": "nginx:1"}],
            },
            {
                "name": "set",
                "containerSet": {
                    "containers": [{"name": "c1", "image": "alpine:3", "resources": {"limits": {"memory": "1Gi"}}}]
                },
            },
        ],
    },
}

Keys = list[str | int]


def _set(doc: Any, path: Keys, value: Any) -> Any:
    doc = copy.deepcopy(doc)
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = copy.deepcopy(value)
    return doc


def _every_path(node: Any, path: Keys) -> Iterator[Keys]:
    yield path
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield from _every_path(value, [*path, key])


# (where, value): the reviewer's shapes (in etl v2), then more (in RICH).
ETL_SHAPES: list[tuple[Keys, Any]] = [
    (["spec", "templates"], 1),
    (["spec", "arguments"], 1),
    (["spec", "arguments", "parameters"], 1),
    (["spec", "templates", 0, "dag"], 1),
    (["spec", "templates", 0, "dag", "tasks"], 1),
    (["spec", "templates", 0, "dag", "tasks"], "x"),
    (["spec", "templates", 0, "dag", "tasks", 0, "name"], []),
    (["spec", "templates", 0, "steps"], 1),
    (["spec", "templates", 1, "inputs"], 1),
    (["spec", "templates"], [{"name": 1}]),
]
RICH_SHAPES: list[tuple[Keys, Any]] = [
    (["spec", "templates"], {"main": {}}),
    (["spec", "templates", 0], "x"),
    (["spec", "templates", 0, "steps", 0], "x"),
    (["spec", "templates", 0, "steps", 0], {"name": "s1"}),
    (["spec", "templates", 0, "steps", 1, 0], 1),
    (["spec", "templates", 0, "steps", 0, 0, "withItems"], "x"),
    (["spec", "templates", 0, "steps", 1, 0, "templateRef"], "x"),
    (["spec", "templates", 0, "steps", 1, 0, "templateRef", "name"], 3),
    (["spec", "templates", 1, "dag", "tasks", 0], "x"),
    (["spec", "templates", 1, "dag", "tasks", 2, "dependencies"], "a"),
    (["spec", "templates", 1, "dag", "tasks", 2, "dependencies", 0], 1),
    (["spec", "templates", 1, "dag", "tasks", 1, "depends"], ["a"]),
    (["spec", "templates", 1, "dag", "tasks", 1, "withParam"], ["a"]),
    (["spec", "templates", 1, "dag", "tasks", 3, "inline"], 1),
    (["spec", "templates", 1, "dag", "tasks", 3, "inline", "script"], []),
    (["spec", "templates", 2, "outputs", "artifacts"], {}),
    (["spec", "templates", 2, "inputs", "parameters", 0, "name"], {}),
    (["spec", "templates", 2, "container", "resources"], "x"),
    (["spec", "templates", 2, "container", "image"], ["x"]),
    (["spec", "templates", 2, "sidecars"], {"name": "s"}),
    (["spec", "templates", 3, "containerSet", "containers"], 1),
    (["spec", "entrypoint"], 1),
    (["spec", "arguments", "parameters", 0], "x"),
    (["spec", "templateDefaults"], []),
]


def _write(path: Path, doc: Any) -> None:
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")  # JSON is YAML


def _show_and_diff(root: Path, name: str) -> list[tuple[int, str, str]]:
    return [
        ["workflows", "show", name, "--root", str(root)],
        ["workflows", "show", f"{name}-v2", "--format", "dot", "--root", str(root)],
        ["workflows", "diff", name, "1", "2", "--root", str(root)],
        ["workflows", "diff", name, "v2", "v1", "--text", "--root", str(root)],
    ]


@pytest.mark.parametrize(("where", "value"), ETL_SHAPES + RICH_SHAPES, ids=lambda x: json.dumps(x)[:40])
def test_show_and_diff_refuse_a_badly_structured_version(lib_root: Path, askflow: Run, where: Keys, value: Any) -> None:
    if (where, value) in ETL_SHAPES:
        name, source = "etl", lib_root / "etl" / "v2.yaml"
        _write(source, _set(yamlio.load_file(source), where, value))
    else:
        name, source = "rich", lib_root / "rich" / "v2.yaml"
        source.parent.mkdir()
        _write(lib_root / "rich" / "v1.yaml", RICH)
        _write(source, _set(RICH, where, value))
    wrong = format_path(where)
    for argv in _show_and_diff(lib_root, name):
        code, out, err = askflow(*argv)
        _one_line_error((code, out, err), f"{source}: {wrong}", f"; run askflow lint {source}")
        assert out == ""
    # askflow lint reports the same field.
    library = load_library(lib_root)
    assert any(
        f.rule == "invalid-type" and f.path.startswith(wrong)
        for f in lint_library(lib_root, strict=False, library=library)
    )


def test_the_first_wrong_field_is_named_and_unknown_fields_do_not_stop_show(lib_root: Path, askflow: Run) -> None:
    source = lib_root / "etl" / "v2.yaml"
    doc = yamlio.load_file(source)
    doc["spec"]["templates"][0]["dag"]["tasks"][1]["dependsOn"] = "extract"  # unknown: lint's business
    _write(source, doc)
    for argv in _show_and_diff(lib_root, "etl"):
        assert askflow(*argv)[0] == 0
    doc["spec"]["templates"][1]["inputs"] = 1
    doc["spec"]["templates"][0]["dag"]["tasks"] = "x"
    _write(source, doc)
    _one_line_error(askflow("workflows", "show", "etl", "--root", str(lib_root)), "spec.templates[0].dag.tasks:")


FUZZ_VALUES: list[Any] = [1, "x", "((", True, 1.5, None, [], {}, [None], [1], ["x"], [[1]], {"a": 1}, [{"name": []}]]


def _fuzz_versions(lib_root: Path) -> list[TemplateVersion]:
    rich = lib_root / "rich"
    rich.mkdir()
    _write(rich / "v1.yaml", RICH)
    return list(load_library(lib_root).versions)


def _as_version(base: TemplateVersion, doc: dict) -> TemplateVersion:
    return dataclasses.replace(base, _canonical=canonical_json(doc))


def test_fuzz_show_and_diff_read_what_they_accept(lib_root: Path) -> None:
    """Every field of every starter version and of RICH, replaced by each of FUZZ_VALUES: show and
    diff either refuse it on one line naming the field, or draw and compare it without an exception."""
    refused = accepted = 0
    for base in _fuzz_versions(lib_root):
        doc = base.document
        for where in _every_path(doc["spec"], ["spec"]):
            for value in FUZZ_VALUES:
                changed = _as_version(base, _set(doc, where, value))
                try:
                    readable(changed)
                except AskflowError as exc:
                    assert exc.file == str(base.source) and exc.path and "\n" not in exc.line()
                    assert exc.path.startswith(format_path(where)), (exc.path, where)
                    refused += 1
                    continue
                graph = build_graph(changed.render(), changed.deployed_name)
                to_mermaid(graph)
                to_dot(graph)
                format_changes(base, changed, diff_versions(base, changed))
                format_changes(changed, base, diff_versions(changed, base))
                text_diff(base, changed)
                accepted += 1
    assert refused > 1000 and accepted > 1000, (refused, accepted)


# --- a Python version that exits ------------------------------------------------------------------

PYTHON_EXITS = {
    "import sys\nsys.exit(3)\n": "SystemExit: 3",
    "import sys\nsys.exit()\n": "SystemExit",
    "def build():\n    raise SystemExit('boom')\n": "SystemExit: boom",
    "class Stop(BaseException):\n    pass\n\n\ndef build():\n    raise Stop('out')\n": "Stop: out",
    "def build():\n    raise ValueError('two\\nlines')\n": "ValueError: two lines",
}


@pytest.mark.parametrize("source", PYTHON_EXITS)
def test_a_python_version_that_exits_is_a_one_line_error(lib_root: Path, askflow: Run, source: str) -> None:
    (lib_root / "pyt").mkdir()
    path = lib_root / "pyt" / "v1.py"
    path.write_text(source, encoding="utf-8")
    for argv in (["show", "pyt"], ["list"], ["lock"]):
        _one_line_error(
            askflow("workflows", *argv, "--root", str(lib_root)),
            f"{path}: building the template failed: {PYTHON_EXITS[source]}\n",
        )
    assert sorted(p.name for p in (lib_root / "pyt").iterdir()) == ["v1.py"]


def test_ctrl_c_in_a_python_version_still_interrupts(lib_root: Path) -> None:
    (lib_root / "pyt").mkdir()
    (lib_root / "pyt" / "v1.py").write_text("def build():\n    raise KeyboardInterrupt\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        load_library(lib_root)


# --- files that cannot be written: new, lock, retire, show --png -------------------------------


def _listing(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones included) with its content."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def unwritable() -> Iterator[Callable[[Path], None]]:
    """``unwritable(folder)``: nothing can be created, replaced or removed in ``folder`` (chattr +i
    as root, who ignores permissions; chmod otherwise). Undone after the test."""
    undo: list[Callable[[], object]] = []

    def make(folder: Path) -> None:
        if os.geteuid() == 0:
            if (
                shutil.which("chattr") is None
                or subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode
            ):
                pytest.skip("running as root without chattr +i on this file system")
            undo.append(lambda: subprocess.run(["chattr", "-i", str(folder)], check=True))
        else:
            folder.chmod(0o555)
            undo.append(lambda: folder.chmod(0o755))

    yield make
    for step in reversed(undo):
        step()


def test_new_and_lock_into_an_unwritable_folder(
    lib_root: Path, askflow: Run, unwritable: Callable[[Path], None]
) -> None:
    unwritable(lib_root / "etl")
    before = _listing(lib_root)
    err = _one_line_error(askflow("workflows", "new", "etl", "--root", str(lib_root)))
    target = lib_root / "etl" / "v3.yaml"
    assert err.startswith(f"{target}: cannot be written (") and err.endswith("); nothing was written\n")
    assert _listing(lib_root) == before

    assert askflow("workflows", "new", "hello-world", "--root", str(lib_root))[0] == 0  # a draft to lock
    draft = lib_root / "hello-world" / "v3.yaml"
    draft.write_text(draft.read_text().replace("600", "900"), encoding="utf-8")  # not a bare copy
    unwritable(lib_root)
    before = _listing(lib_root)
    err = _one_line_error(askflow("workflows", "lock", "--all", "--root", str(lib_root)))
    assert err.startswith(f"{lib_root / 'versions.lock'}: cannot be written (") and "nothing was written" in err
    assert _listing(lib_root) == before


def test_retire_into_an_unwritable_folder(lib_root: Path, askflow: Run, unwritable: Callable[[Path], None]) -> None:
    (lib_root / "hello-world" / "v2.yaml").unlink()
    unwritable(lib_root)
    before = _listing(lib_root)
    _one_line_error(
        askflow("workflows", "retire", "hello-world-v2", "--root", str(lib_root)),
        f"{lib_root / 'versions.lock'}: cannot be written (",
        "nothing was written",
    )
    assert _listing(lib_root) == before


def test_a_write_failing_halfway_leaves_the_old_lock(
    lib_root: Path, askflow: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert askflow("workflows", "new", "etl", "--root", str(lib_root))[0] == 0
    draft = lib_root / "etl" / "v3.yaml"
    draft.write_text(draft.read_text() + "  podGC: {strategy: OnPodCompletion}\n", encoding="utf-8")  # not a bare copy
    before = _listing(lib_root)

    def half_then_full(self: Path, data: str, *args: Any, **kwargs: Any) -> int:
        with open(self, "w", encoding="utf-8") as f:
            f.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_text", half_then_full)
    _one_line_error(
        askflow("workflows", "lock", "--all", "--root", str(lib_root)),
        f"{lib_root / 'versions.lock'}: cannot be written (No space left on device); nothing was written",
    )
    assert _listing(lib_root) == before  # the old lock whole, and no temporary file


@pytest.mark.parametrize(
    ("png", "expected"),
    [
        ("adir", "adir: cannot be written (is a folder); nothing was written"),
        ("", ".: cannot be written (is a folder)"),
        ("afile/x.png", "afile/x.png: cannot be written (afile is a file, not a folder); nothing was written"),
        ("afile/deeper/x.png", "cannot be written (afile is a file, not a folder)"),
        ("/dev/null", "/dev/null: cannot be written (is not a regular file: a FIFO, socket or device is never replaced)"),
    ],
)
def test_show_png_refuses_a_path_that_cannot_be_a_file(
    lib_root: Path, askflow: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, png: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("keep", encoding="utf-8")
    _fake_dot(tmp_path, monkeypatch, "echo should not run >&2; exit 1")
    before = _listing(tmp_path)
    _one_line_error(askflow("workflows", "show", "etl", "--root", str(lib_root), "--png", png), expected)
    assert _listing(tmp_path) == before


def _fake_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    dot = bin_dir / "dot"
    dot.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    dot.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('echo "Error: could not write: No space left on device" >&2; exit 1', "Graphviz dot failed: Error: could"),
        ("exit 3", "Graphviz dot failed: exit code 3"),
        ("cat > /dev/null; exit 0", "Graphviz dot wrote no image"),
    ],
)
def test_show_png_when_dot_fails_writes_nothing(
    lib_root: Path, askflow: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, expected: str
) -> None:
    _fake_dot(tmp_path, monkeypatch, body)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "old.png").write_bytes(b"old")
    before = _listing(out_dir)
    for target in (out_dir / "old.png", out_dir / "etl.png"):
        _one_line_error(
            askflow("workflows", "show", "etl", "--root", str(lib_root), "--png", str(target)),
            f"{target}: {expected}",
            "nothing was written",
        )
        assert _listing(out_dir) == before and sorted(p.name for p in out_dir.iterdir()) == ["old.png"]


def test_show_png_into_a_missing_folder_is_an_error_not_a_mkdir(
    lib_root: Path, askflow: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_dot(tmp_path, monkeypatch, 'while [ "$1" != -o ]; do shift; done; printf PNG > "$2"')
    target = tmp_path / "typo" / "etl.png"
    _one_line_error(
        askflow("workflows", "show", "etl", "--root", str(lib_root), "--png", str(target)),
        f"{target}: cannot be written (the folder {target.parent} does not exist; create it first)",
        "nothing was written",
    )
    assert not target.parent.exists()


def test_show_png_into_an_unwritable_folder(
    lib_root: Path, askflow: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unwritable: Callable[[Path], None]
) -> None:
    _fake_dot(tmp_path, monkeypatch, 'while [ "$1" != -o ]; do shift; done; printf PNG > "$2"')
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "etl.png"
    assert askflow("workflows", "show", "etl", "--root", str(lib_root), "--png", str(target))[0] == 0
    assert target.read_bytes() == b"PNG" and target.stat().st_mode & 0o777 == 0o666 & ~umask()
    unwritable(out_dir)
    for png in (target, out_dir / "other.png", out_dir / "sub" / "etl.png"):
        _one_line_error(
            askflow("workflows", "show", "etl", "--root", str(lib_root), "--png", str(png)),
            f"{png}: cannot be written (",
            "nothing was written",
        )
    assert sorted(p.name for p in out_dir.iterdir()) == ["etl.png"] and target.read_bytes() == b"PNG"


