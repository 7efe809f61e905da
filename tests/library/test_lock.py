"""The immutability guard: versions.lock, check_lock, `askflow workflows lock`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from askflow import yamlio
from askflow.errors import AskflowError
from askflow.library import check_lock, load_library, read_lock
from askflow.library.lock import dumps_lock

Run = Callable[..., tuple[int, str, str]]


def test_starter_lock_is_complete_and_current(lib_root: Path) -> None:
    library = load_library(lib_root)
    recorded = read_lock(library.lock_path)
    assert recorded == {v.deployed_name: v.digest for v in library.versions}
    check_lock(library, library.lock_path)
    # The file is exactly what `lock` writes: sorted, deterministic.
    assert library.lock_path.read_text(encoding="utf-8") == dumps_lock(recorded)


def _change_value(path: Path) -> None:
    doc = yamlio.load_file(path)
    doc["spec"]["activeDeadlineSeconds"] += 1
    path.write_text(yamlio.dumps(doc), encoding="utf-8")


def test_changing_a_released_version_fails(lib_root: Path) -> None:
    source = lib_root / "etl" / "v2.yaml"
    _change_value(source)
    library = load_library(lib_root)
    with pytest.raises(AskflowError) as info:
        check_lock(library, library.lock_path)
    assert info.value.message == "etl-v2 is released and immutable; copy it to v3 and change v3"
    assert info.value.file == str(source)


def test_changing_a_python_version_fails(lib_root: Path) -> None:
    source = lib_root / "fan-out" / "v2.py"
    source.write_text(source.read_text().replace("parallelism=4", "parallelism=5"), encoding="utf-8")
    library = load_library(lib_root)
    with pytest.raises(AskflowError, match="fan-out-v2 is released and immutable; copy it to v3"):
        check_lock(library, library.lock_path)


def test_formatting_only_changes_do_not_count(lib_root: Path) -> None:
    source = lib_root / "etl" / "v1.yaml"
    doc = yamlio.load_file(source)
    # Different key order (sorted), flow style, no comments, extra blank lines: same content.
    reformatted = "# reformatted\n\n" + json.dumps(doc, sort_keys=True, indent=4) + "\n\n"
    source.write_text(reformatted, encoding="utf-8")
    py = lib_root / "fan-out" / "v2.py"
    py.write_text(py.read_text().replace("def build()", "# a comment\n\n\ndef build()"), encoding="utf-8")
    library = load_library(lib_root)
    check_lock(library, library.lock_path)  # does not raise


def test_deleting_a_released_version_fails(lib_root: Path) -> None:
    (lib_root / "hello-world" / "v1.yaml").unlink()
    library = load_library(lib_root)
    with pytest.raises(AskflowError, match="hello-world-v1 is released .* missing; restore it"):
        check_lock(library, library.lock_path)


def test_no_lock_means_nothing_released(lib_root: Path) -> None:
    (lib_root / "versions.lock").unlink()
    _change_value(lib_root / "etl" / "v2.yaml")
    library = load_library(lib_root)
    check_lock(library, library.lock_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("versions: [a]\n", "versions must map"),
        ("versions:\n  etl: sha256:00\n", "not a deployed name"),
        ("versions:\n  etl-v1: md5:00\n", "expected sha256"),
        ("extra: 1\n", "the keys versions and retired"),
        ("retired: {a: 1}\n", "retired must be a list"),
        # Empty but of the wrong type: a hand edit, not "nothing released" (`lock` would re-record all).
        ("versions: []\n", "versions must map"),
        ("versions: ''\n", "versions must map"),
        ("retired: {}\n", "retired must be a list"),
        ("retired: 0\n", "retired must be a list"),
        ("retired: [etl-v9, etl-v9]\n", "etl-v9 is listed twice"),
        ("retired: [etl]\n", "not a deployed name"),
        ("versions: {etl-v1: \"sha256:" + "0" * 64 + "\"}\nretired: [etl-v1]\n", "both released and retired"),
    ],
)
def test_malformed_lock(lib_root: Path, text: str, message: str) -> None:
    (lib_root / "versions.lock").write_text(text, encoding="utf-8")
    library = load_library(lib_root)
    with pytest.raises(AskflowError, match=message):
        check_lock(library, library.lock_path)


def test_a_lock_emptied_by_a_wrong_type_is_not_rewritten(lib_root: Path, askflow: Run) -> None:
    (lib_root / "versions.lock").write_text("versions: []\n", encoding="utf-8")
    code, out, err = askflow("workflows", "lock", "--all", "--root", str(lib_root))
    assert code == 2 and out == "" and "versions must map" in err and err.count("\n") == 1
    assert (lib_root / "versions.lock").read_text() == "versions: []\n", "nothing written"


def test_lock_command_adds_new_versions(lib_root: Path, askflow: Run) -> None:
    before = (lib_root / "versions.lock").read_text()
    code, out, _ = askflow("workflows", "lock", "--all", "--root", str(lib_root))
    assert code == 0 and "up to date" in out
    assert (lib_root / "versions.lock").read_text() == before

    new = lib_root / "hello-world" / "v3.yaml"
    new.write_text((lib_root / "hello-world" / "v2.yaml").read_text().replace("600", "900"), encoding="utf-8")
    code, _, err = askflow("workflows", "lock", "--root", str(lib_root), "--check")
    assert code == 1 and "not locked yet: hello-world-v3" in err
    assert (lib_root / "versions.lock").read_text() == before, "--check writes nothing"

    code, out, _ = askflow("workflows", "lock", "--all", "--root", str(lib_root))
    assert code == 0 and out.startswith("locked hello-world-v3 sha256:")
    recorded = read_lock(lib_root / "versions.lock")
    assert recorded["hello-world-v3"] == load_library(lib_root).by_deployed_name["hello-world-v3"].digest
    keys = list(recorded)
    assert keys.index("hello-world-v3") == keys.index("hello-world-v2") + 1
    # Idempotent: a second lock changes no byte.
    after = (lib_root / "versions.lock").read_text()
    askflow("workflows", "lock", "--all", "--root", str(lib_root))
    assert (lib_root / "versions.lock").read_text() == after


def test_lock_command_refuses_to_change_a_recorded_version(lib_root: Path, askflow: Run) -> None:
    before = (lib_root / "versions.lock").read_text()
    _change_value(lib_root / "etl" / "v1.yaml")
    code, out, err = askflow("workflows", "lock", "--all", "--root", str(lib_root))
    assert code == 1
    assert err.count("\n") == 1
    assert (
        err.strip() == f"{lib_root / 'etl' / 'v1.yaml'}: etl-v1 is released and immutable; copy it to v3 and change v3"
    )
    assert (lib_root / "versions.lock").read_text() == before


def test_lock_orders_versions_numerically(tmp_path: Path) -> None:
    text = dumps_lock({f"a-v{n}": "sha256:" + "0" * 64 for n in (10, 2, 1)} | {"b-v1": "sha256:" + "1" * 64})
    assert re.findall(r"^  (\S+):", text, re.M) == ["a-v1", "a-v2", "a-v10", "b-v1"]


def test_a_rewritten_lock_is_read_again_even_at_the_same_size(tmp_path: Path) -> None:
    """The parsed lock is reused only for the same text: a rewrite (same size, same second) is seen."""
    lock = tmp_path / "versions.lock"
    first, second = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    lock.write_text(dumps_lock({"etl-v1": first}))
    assert read_lock(lock) == {"etl-v1": first}
    read_lock(lock)["etl-v9"] = first  # a caller's copy: changing it changes nothing for the next read
    assert read_lock(lock) == {"etl-v1": first}
    lock.write_text(dumps_lock({"etl-v1": second}))
    assert read_lock(lock) == {"etl-v1": second}
    lock.unlink()
    assert read_lock(lock) == {}


# --- lock releases only what it is told ----------------------------------------------------------


def _draft(lib_root: Path, name: str, number: int, change: str | None = "900") -> Path:
    source = sorted((lib_root / name).glob("v*.yaml"))[-1]
    text = source.read_text()
    new = lib_root / name / f"v{number}.yaml"
    new.write_text(text.replace("600", change) if change else text, encoding="utf-8")
    return new


def test_bare_lock_lists_the_drafts_and_asks_for_all(lib_root: Path, askflow: Run) -> None:
    before = (lib_root / "versions.lock").read_text()
    _draft(lib_root, "hello-world", 3)
    code, out, err = askflow("workflows", "lock", "--root", str(lib_root))
    assert code == 2 and out.startswith("draft hello-world-v3 sha256:")
    assert err.count("\n") == 1 and "askflow workflows lock hello-world-v3" in err and "--all" in err
    assert (lib_root / "versions.lock").read_text() == before, "nothing released"


def test_lock_releases_only_the_drafts_named(lib_root: Path, askflow: Run) -> None:
    _draft(lib_root, "hello-world", 3)
    etl = _draft(lib_root, "etl", 3, change=None)
    etl.write_text(etl.read_text() + "# a comment is not a change\n  podGC: {strategy: OnPodCompletion}\n")
    code, out, _ = askflow("workflows", "lock", "hello-world-v3", "--root", str(lib_root))
    assert code == 0 and out.startswith("locked hello-world-v3 ") and "etl" not in out
    recorded = read_lock(lib_root / "versions.lock")
    assert "hello-world-v3" in recorded and "etl-v3" not in recorded
    code, out, _ = askflow("workflows", "lock", "etl", "--root", str(lib_root))  # a template: its drafts
    assert code == 0 and out.startswith("locked etl-v3 ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["hello-world-v2"], "hello-world-v2 is released already"),
        (["etl"], "etl has no draft"),
        (["nope-v1"], "'nope-v1' is neither a template nor a version"),
        (["etl-v1", "--all"], "not both"),
    ],
)
def test_lock_refuses_what_is_not_a_draft(lib_root: Path, askflow: Run, argv: list[str], message: str) -> None:
    before = (lib_root / "versions.lock").read_text()
    code, out, err = askflow("workflows", "lock", *argv, "--root", str(lib_root))
    assert code == 2 and message in err and err.count("\n") == 1
    assert (lib_root / "versions.lock").read_text() == before


def test_a_draft_identical_to_its_previous_version_is_refused(lib_root: Path, askflow: Run) -> None:
    before = (lib_root / "versions.lock").read_text()
    copy = _draft(lib_root, "hello-world", 3, change=None)
    for argv in (["hello-world-v3"], ["--all"]):
        code, out, err = askflow("workflows", "lock", *argv, "--root", str(lib_root))
        assert (code, out) == (1, "")
        assert err == f"{copy}: hello-world-v3 is identical to hello-world-v2: edit it before releasing it, or delete it\n"
    assert (lib_root / "versions.lock").read_text() == before
