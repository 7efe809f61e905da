"""``askflow workflows lock --check --base REV``: the lock only grows against the branch it merges
into. A version deleted together with its lock line (or re-created under the same number) leaves a
lock that agrees with its tree; only the base revision's lock shows what was released."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from askflow.library.lock import dumps_lock, read_lock, read_retired

Run = Callable[..., tuple[int, str, str]]
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def _git(root: Path, *argv: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.com", *argv],
                   check=True, capture_output=True)


@pytest.fixture
def repo(lib_root: Path) -> Path:
    """The starter library committed as the base revision (HEAD) of a fresh repository."""
    _git(lib_root, "init", "-q", "-b", "main")
    _git(lib_root, "add", ".")
    _git(lib_root, "commit", "-q", "-m", "base")
    return lib_root


def _check(askflow: Run, root: Path, base: str = "HEAD") -> tuple[int, str, str]:
    return askflow("workflows", "lock", "--check", f"--base={base}", "--root", str(root))


def _drop(root: Path, name: str, number: int) -> None:
    """Delete a version's file and its lock line together: the tree alone looks consistent."""
    (root / name / f"v{number}.yaml").unlink()
    lock = root / "versions.lock"
    versions = read_lock(lock)
    del versions[f"{name}-v{number}"]
    lock.write_text(dumps_lock(versions, read_retired(lock)), encoding="utf-8")


def test_an_unchanged_lock_passes(repo: Path, askflow: Run) -> None:
    assert _check(askflow, repo) == (0, f"{repo / 'versions.lock'} is up to date\n", "")


def test_a_version_deleted_with_its_lock_line_is_refused(repo: Path, askflow: Run) -> None:
    _drop(repo, "hello-world", 2)
    assert askflow("workflows", "lock", "--check", "--root", str(repo))[0] == 0  # the tree alone cannot tell
    code, out, err = _check(askflow, repo)
    assert (code, out) == (1, "")
    assert err == (
        f"{repo / 'versions.lock'}: versions.hello-world-v2: hello-world-v2 was released at HEAD and is gone from "
        "the lock: a released name is retired, not deleted (restore its line, then `askflow workflows retire "
        "hello-world-v2` once its file is gone)\n"
    )


def _edit(path: Path) -> None:
    path.write_text(path.read_text() + "  podGC: {strategy: OnPodCompletion}\n", encoding="utf-8")


def test_a_released_number_reused_for_other_content_is_refused(repo: Path, askflow: Run) -> None:
    _drop(repo, "hello-world", 2)
    code, _, err = askflow("workflows", "new", "hello-world", "--root", str(repo))  # v2 again, from v1
    assert code == 0 and (repo / "hello-world" / "v2.yaml").exists(), err
    _edit(repo / "hello-world" / "v2.yaml")  # a copy nobody changed is not a version
    assert askflow("workflows", "lock", "--all", "--root", str(repo))[0] == 0
    code, _, err = _check(askflow, repo)
    assert code == 1
    assert "hello-world-v2 was released at HEAD as sha256:" in err and "a released version never changes" in err


def test_retiring_is_the_way_out_and_stays(repo: Path, askflow: Run) -> None:
    (repo / "hello-world" / "v2.yaml").unlink()
    assert askflow("workflows", "retire", "hello-world-v2", "--root", str(repo))[0] == 0
    assert _check(askflow, repo)[0] == 0
    _git(repo, "commit", "-q", "-am", "retire hello-world-v2")
    lock = repo / "versions.lock"
    lock.write_text(dumps_lock(read_lock(lock)), encoding="utf-8")  # the retired name dropped by hand
    code, _, err = _check(askflow, repo)
    assert code == 1 and "hello-world-v2 was retired at HEAD; a retired name stays retired" in err


def test_a_new_version_is_only_unlocked_not_a_base_problem(repo: Path, askflow: Run) -> None:
    assert askflow("workflows", "new", "etl", "--root", str(repo))[0] == 0
    code, _, err = _check(askflow, repo)
    assert code == 1 and "not locked yet: etl-v3" in err
    _edit(repo / "etl" / "v3.yaml")
    assert askflow("workflows", "lock", "--all", "--root", str(repo))[0] == 0
    assert _check(askflow, repo)[0] == 0


def test_a_base_without_a_lock_is_a_new_library(repo: Path, askflow: Run) -> None:
    _git(repo, "rm", "-q", "--cached", "versions.lock")
    _git(repo, "commit", "-q", "-m", "no lock yet")
    assert _check(askflow, repo)[0] == 0


@pytest.mark.parametrize("base", ["no-such-branch", "--upload-pack=x", ""])
def test_a_bad_revision_is_one_line(repo: Path, askflow: Run, base: str) -> None:
    code, out, err = _check(askflow, repo, base)
    assert (code, out) == (2, "")
    assert err.startswith(f"--base '{base}': is not a revision of this repository") and err.count("\n") == 1


def test_base_needs_check(repo: Path, askflow: Run) -> None:
    before = (repo / "versions.lock").read_bytes()
    code, _, err = askflow("workflows", "lock", "--all", "--base", "HEAD", "--root", str(repo))
    assert (code, err) == (2, "--base 'HEAD': --base only checks; add --check\n")
    assert (repo / "versions.lock").read_bytes() == before
