"""Retiring a released version: its name stays in versions.lock (``retired:``) and is never locked,
deployed or numbered again, so ``<name>-v<N>`` always means one content."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from askflow.errors import AskflowError
from askflow.library import check_lock, lint_library, load_library, read_lock
from askflow.library.lock import dumps_lock, read_retired

Run = Callable[..., tuple[int, str, str]]


def _retire_v2(lib_root: Path, askflow: Run) -> Path:
    v2 = lib_root / "hello-world" / "v2.yaml"
    v2.unlink()
    library = load_library(lib_root)
    with pytest.raises(AskflowError, match="askflow workflows retire hello-world-v2"):
        check_lock(library, library.lock_path)
    code, out, err = askflow("workflows", "retire", "hello-world-v2", "--root", str(lib_root))
    assert (code, err) == (0, ""), err
    assert "retired hello-world-v2" in out
    return v2


def test_retire_moves_the_name_to_retired_and_the_library_is_clean(lib_root: Path, askflow: Run) -> None:
    _retire_v2(lib_root, askflow)
    lock = lib_root / "versions.lock"
    assert "hello-world-v2" not in read_lock(lock)
    assert read_retired(lock) == ("hello-world-v2",)
    assert lock.read_text(encoding="utf-8") == dumps_lock(read_lock(lock), read_retired(lock))
    library = load_library(lib_root)
    check_lock(library, lock)
    assert lint_library(lib_root, strict=True) == []


def test_a_retired_name_is_never_locked_again(lib_root: Path, askflow: Run) -> None:
    v2 = _retire_v2(lib_root, askflow)
    v1 = (lib_root / "hello-world" / "v1.yaml").read_text(encoding="utf-8")
    v2.write_text(v1.replace("activeDeadlineSeconds:", "activeDeadlineSeconds: 1 #"), encoding="utf-8")
    before = (lib_root / "versions.lock").read_bytes()
    code, _, err = askflow("workflows", "lock", "--all", "--root", str(lib_root))
    assert code == 1 and err.count("\n") == 1
    assert "hello-world-v2 is retired" in err and "rename this file to v3" in err
    assert (lib_root / "versions.lock").read_bytes() == before
    findings = lint_library(lib_root, strict=False)
    assert ("released-version-changed", str(v2)) in {(f.rule, f.file) for f in findings}


def test_new_skips_retired_numbers(lib_root: Path, askflow: Run) -> None:
    _retire_v2(lib_root, askflow)
    code, out, _ = askflow("workflows", "new", "hello-world", "--root", str(lib_root))
    assert code == 0 and (lib_root / "hello-world" / "v3.yaml").exists(), out
    assert not (lib_root / "hello-world" / "v2.yaml").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("hello-world-v1", "delete v1.yaml first"),
        ("hello-world-v9", "is not released"),
        ("hello-world", "not a deployed name"),
    ],
)
def test_retire_refuses(lib_root: Path, askflow: Run, name: str, message: str) -> None:
    before = (lib_root / "versions.lock").read_bytes()
    code, _, err = askflow("workflows", "retire", name, "--root", str(lib_root))
    assert code != 0 and message in err and err.count("\n") == 1
    assert (lib_root / "versions.lock").read_bytes() == before


def test_retiring_twice_is_refused(lib_root: Path, askflow: Run) -> None:
    _retire_v2(lib_root, askflow)
    code, _, err = askflow("workflows", "retire", "hello-world-v2", "--root", str(lib_root))
    assert code == 1 and "already retired" in err
