"""Loading the library: layout rules, one-line errors for bad layouts, the name-length check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from askflow import yamlio
from askflow.errors import AskflowError
from askflow.library import load_library
from askflow.library.loader import MAX_DEPLOYED_NAME

HELLO = """\
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: {name}
spec:
  entrypoint: say
  templates:
    - name: say
      container:
        image: alpine:3.20
        command: [echo, hi]
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_starter_library_loads_in_order(lib_root: Path) -> None:
    library = load_library(lib_root)
    names = [v.deployed_name for v in library.versions]
    assert names == ["etl-v1", "etl-v2", "fan-out-v1", "fan-out-v2", "hello-world-v1", "hello-world-v2"]
    assert [(v.name, v.number) for v in library.versions] == sorted((v.name, v.number) for v in library.versions)
    py = library.by_deployed_name["fan-out-v2"]
    assert py.source.suffix == ".py" and py.render()["metadata"]["name"] == "fan-out-v2"
    assert [c.name for c in library.crons] == ["nightly-etl"]
    assert library.crons[0].template_ref == "etl-v2"
    assert library.by_deployed_name["etl-v2"].images == ("alpine:3.20", "python:3.12-slim")
    assert library.referenced_by == {"etl-v2": ("nightly-etl",)}
    assert not list(lib_root.rglob("__pycache__")), "importing a .py version must not leave bytecode behind"


def test_version_numbers_sort_numerically(tmp_path: Path) -> None:
    for n in (1, 2, 10):
        write(tmp_path, f"app/v{n}.yaml", HELLO.format(name="app"))
    assert [v.number for v in load_library(tmp_path).versions] == [1, 2, 10]


def _bad_layouts() -> list[tuple[str, dict[str, str], str, str]]:
    good = HELLO.format(name="app")
    return [
        # (id, files, the file named in the error, a fragment of the message)
        (
            "metadata-name",
            {"app/v1.yaml": HELLO.format(name="other")},
            "app/v1.yaml",
            "metadata.name must be 'app'",
        ),
        ("leading-zero", {"app/v01.yaml": good}, "app/v01.yaml", "unexpected file name"),
        ("yml-suffix", {"app/v1.yml": good}, "app/v1.yml", "unexpected file name"),
        ("stray-file", {"app/v1.yaml": good, "app/notes.txt": "x"}, "app/notes.txt", "unexpected file name"),
        ("top-level-file", {"app/v1.yaml": good, "stray.yaml": good}, "stray.yaml", "unexpected file"),
        ("upper-case-folder", {"App/v1.yaml": good}, "App", "Kubernetes names"),
        ("folder-ends-in-version", {"app-v2/v1.yaml": HELLO.format(name="app-v2")}, "app-v2", "-v<N>"),
        ("no-versions", {"app/cron-x.yaml": "{}"}, "app", "no versions"),
        (
            "yaml-and-py",
            {"app/v1.yaml": good, "app/v1.py": "def build(): pass\n"},
            "app/v1.yaml",
            "defined twice",
        ),
        ("yaml-error", {"app/v1.yaml": "spec: [unclosed\n"}, "app/v1.yaml", "YAML does not parse"),
        ("duplicate-key", {"app/v1.yaml": good + "spec: {}\n"}, "app/v1.yaml", "duplicate key"),
        ("two-documents", {"app/v1.yaml": good + "---\n" + good}, "app/v1.yaml", "exactly one YAML document"),
        (
            "wrong-kind",
            {"app/v1.yaml": good.replace("kind: WorkflowTemplate", "kind: Workflow")},
            "app/v1.yaml",
            "kind WorkflowTemplate",
        ),
        (
            "namespace",
            {"app/v1.yaml": good.replace("  name: app\n", "  name: app\n  namespace: x\n")},
            "app/v1.yaml",
            "remove metadata.namespace",
        ),
        (
            "managed-label",
            {"app/v1.yaml": good.replace("  name: app\n", "  name: app\n  labels: {app.kubernetes.io/version: '9'}\n")},
            "app/v1.yaml",
            "askflow sets it",
        ),
        ("py-without-build", {"app/v1.py": "X = 1\n"}, "app/v1.py", "must define build()"),
        ("py-build-wrong-type", {"app/v1.py": "def build():\n    return {}\n"}, "app/v1.py", "expected hera"),
        (
            "py-build-raises",
            {"app/v1.py": "def build():\n    raise ValueError('boom')\n"},
            "app/v1.py",
            "ValueError: boom",
        ),
        ("py-syntax-error", {"app/v1.py": "def build(:\n"}, "app/v1.py", "SyntaxError"),
        (
            "cron-wrong-name",
            {"app/v1.yaml": good, "app/cron-nightly.yaml": CRON.format(name="other", ref="app-v1")},
            "app/cron-nightly.yaml",
            "metadata.name must be 'nightly'",
        ),
        (
            "cron-missing-version",
            {"app/v1.yaml": good, "app/cron-nightly.yaml": CRON.format(name="nightly", ref="app-v7")},
            "app/cron-nightly.yaml",
            "app-v7, which does not exist",
        ),
        (
            "cron-other-template",
            {"app/v1.yaml": good, "app/cron-nightly.yaml": CRON.format(name="nightly", ref="etl-v1")},
            "app/cron-nightly.yaml",
            "must reference a version of app",
        ),
        (
            "cron-no-ref",
            {
                "app/v1.yaml": good,
                "app/cron-nightly.yaml": CRON.format(name="nightly", ref="app-v1").replace(
                    "workflowTemplateRef", "templateRefX"
                ),
            },
            "app/cron-nightly.yaml",
            "spec.workflowSpec.workflowTemplateRef.name",
        ),
    ]


CRON = """\
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: {name}
spec:
  schedules: ["0 2 * * *"]
  workflowSpec:
    workflowTemplateRef:
      name: {ref}
"""


@pytest.mark.parametrize(
    ("files", "bad_file", "message"), [pytest.param(f, b, m, id=i) for i, f, b, m in _bad_layouts()]
)
def test_bad_layout_is_one_line_error(tmp_path: Path, files: dict[str, str], bad_file: str, message: str) -> None:
    for rel, text in files.items():
        write(tmp_path, rel, text)
    with pytest.raises(AskflowError) as info:
        load_library(tmp_path)
    line = info.value.line()
    assert "\n" not in line
    assert info.value.file == str(tmp_path / bad_file), line
    assert message in line


def test_missing_root_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AskflowError, match="template library folder not found"):
        load_library(tmp_path / "nope")


@pytest.mark.parametrize("number", [9, 10])
def test_deployed_name_length_limit(tmp_path: Path, number: int) -> None:
    # "<name>-v<N>": the longest name that fits with vN, and one character more.
    fits = "a" * (MAX_DEPLOYED_NAME - len(f"-v{number}"))
    write(tmp_path, f"{fits}/v{number}.yaml", HELLO.format(name=fits))
    (version,) = load_library(tmp_path).versions
    assert len(version.deployed_name) == MAX_DEPLOYED_NAME
    shutil.rmtree(tmp_path / fits)
    long = fits + "b"
    write(tmp_path, f"{long}/v{number}.yaml", HELLO.format(name=long))
    with pytest.raises(AskflowError) as info:
        load_library(tmp_path)
    assert f"is {MAX_DEPLOYED_NAME + 1} characters" in info.value.line()
    assert info.value.file == str(tmp_path / long / f"v{number}.yaml")


def test_reload_reparses_only_changed_files(lib_root: Path) -> None:
    first = load_library(lib_root)
    path = lib_root / "hello-world" / "v1.yaml"
    doc = yamlio.load_file(path)
    doc["spec"]["activeDeadlineSeconds"] = 601
    path.write_text(yamlio.dumps(doc), encoding="utf-8")
    second = load_library(lib_root)
    changed = [v.deployed_name for v, w in zip(first.versions, second.versions, strict=True) if v.digest != w.digest]
    assert changed == ["hello-world-v1"]


def test_unchanged_files_are_not_parsed_again(lib_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from askflow.library import loader

    load_library(lib_root)
    calls: list[Path] = []
    real = loader._parse_yaml

    def counting(path: Path, data: bytes) -> object:
        calls.append(path)
        return real(path, data)

    monkeypatch.setattr(loader, "_parse_yaml", counting)
    load_library(lib_root)
    assert calls == []
    path = lib_root / "etl" / "v1.yaml"
    path.write_text(path.read_text() + "# a comment\n", encoding="utf-8")
    load_library(lib_root)
    assert calls == [path]
