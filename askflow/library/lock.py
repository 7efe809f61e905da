"""``workflows/versions.lock``: the content digest of every released version.

A version is *released* once its digest is in the lock. From then on it is immutable: a running
workflow (and, under Argo's ``templateReferencing: Secure``, any workflow started from it) relies on
the deployed object never changing, so a change goes into a new version instead. The digest is taken
on the canonical form (:mod:`askflow.library.canonical`), so reformatting or editing comments is not
a change. The file is YAML, written deterministically::

    # header comment
    versions:
      etl-v2: sha256:...      # ordered by template name, then version number
    retired:                  # only when a version was retired
      - etl-v1

A released version is taken out of service with ``askflow workflows retire NAME-vN`` once its file
is deleted: its name moves to ``retired`` and is never used again, so ``etl-v1`` always meant one
content. (Deleting its lock line instead would let a different ``v1`` be locked under the same
name and silently replace the deployed object that running workflows and crons rely on.)
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from askflow import files, yamlio
from askflow.errors import AskflowError, quoted
from askflow.library.loader import parse_deployed_name
from askflow.library.model import LOCK_FILE as LOCK_FILE  # defined beside Library.lock_path; exported here
from askflow.library.model import Library

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}\Z")
_HEADER = (
    "# Content digests of released WorkflowTemplate versions (askflow.library.lock).\n"
    "# A recorded version is immutable: change a copy (`askflow workflows new NAME`), then\n"
    "# run `askflow workflows lock` to record the new one. Do not edit digests by hand.\n"
)


def _order(deployed_name: str) -> tuple[str, int]:
    parsed = parse_deployed_name(deployed_name)
    assert parsed is not None  # read_lock checked every key
    return parsed


def _read(lock_path: Path) -> tuple[dict[str, str], tuple[str, ...]]:
    lock_path = Path(lock_path)
    if not lock_path.exists():
        return {}, ()
    text = yamlio.read_text(lock_path)
    versions, retired = _parse(str(lock_path), text)
    return dict(versions), retired


@functools.lru_cache(maxsize=8)
def _parse(lock_path: str, text: str) -> tuple[Mapping[str, str], tuple[str, ...]]:
    """The lock's content, checked; cached by path and text (a plan asks for it several times)."""
    data = yamlio.loads(text, file=lock_path)
    if data is None:
        return {}, ()
    if not isinstance(data, dict) or set(data) - {"versions", "retired"}:
        raise AskflowError("expected a mapping with the keys versions and retired", file=str(lock_path))
    # Only null (an empty `versions:`) means none: `versions: []` or `retired: {}` is a hand edit
    # gone wrong, and reading it as empty would let every released version be locked again.
    versions = data.get("versions")
    versions = {} if versions is None else versions
    if not isinstance(versions, dict):
        raise AskflowError("versions must map deployed names to digests", file=str(lock_path), path="versions")
    for key, value in versions.items():
        if not isinstance(key, str) or parse_deployed_name(key) is None:
            raise AskflowError(
                f"{key!r} is not a deployed name (<name>-v<N>)",
                file=str(lock_path),
                path=["versions", str(key)],
            )
        if not isinstance(value, str) or not _DIGEST.match(value):
            raise AskflowError(
                f"expected sha256:<64 hex digits>, found {value!r}",
                file=str(lock_path),
                path=["versions", key],
            )
    retired = data.get("retired")
    retired = [] if retired is None else retired
    if not isinstance(retired, list):
        raise AskflowError("retired must be a list of deployed names", file=str(lock_path), path="retired")
    for i, key in enumerate(retired):
        if not isinstance(key, str) or parse_deployed_name(key) is None:
            raise AskflowError(
                f"{key!r} is not a deployed name (<name>-v<N>)", file=str(lock_path), path=["retired", i]
            )
        if key in retired[:i]:
            raise AskflowError(f"{key} is listed twice; keep one", file=str(lock_path), path=["retired", i])
        if key in versions:
            raise AskflowError(
                f"{key} is both released and retired; a retired name stays retired: remove it from versions",
                file=str(lock_path),
                path=["versions", key],
            )
    return dict(versions), tuple(retired)


def read_lock(lock_path: Path) -> dict[str, str]:
    """Deployed name -> digest; an absent lock file means nothing is released yet."""
    return _read(lock_path)[0]


def read_retired(lock_path: Path) -> tuple[str, ...]:
    """Deployed names retired for good (``retired:`` in the lock): never deployed or locked again."""
    return _read(lock_path)[1]


def dumps_lock(versions: Mapping[str, str], retired: Collection[str] = ()) -> str:
    """The lock file text: the same versions (and retired names) always give the same bytes."""
    data: dict[str, object] = {"versions": {k: versions[k] for k in sorted(versions, key=_order)}}
    if retired:
        data["retired"] = sorted(set(retired), key=_order)
    return _HEADER + yamlio.dumps(data)


@dataclass(frozen=True)
class LockProblem:
    """A released version whose content changed or whose file is gone, or a retired name in use."""

    deployed_name: str
    file: str
    message: str
    #: The lint rule id; a deleted released version is a change too.
    rule: str = "released-version-changed"

    def error(self, exit_code: int = 2) -> AskflowError:
        return AskflowError(self.message, file=self.file, exit_code=exit_code)


def next_number(library: Library, name: str, recorded: Mapping[str, str]) -> int:
    """The next version number nobody has used: after the latest file and every released or retired
    one (retired names are read from the library's lock)."""
    used = [*recorded, *read_retired(library.lock_path)]
    taken = [parsed[1] for key in used if (parsed := parse_deployed_name(key)) and parsed[0] == name]
    files = [v.number for v in library.by_name.get(name, ())]
    return max([*files, *taken, 0]) + 1


def lock_problems(
    library: Library, recorded: Mapping[str, str], retired: Collection[str] = ()
) -> list[LockProblem]:
    """Every recorded version that changed or disappeared, then every retired name a file uses."""
    problems: list[LockProblem] = []
    for deployed in sorted(recorded, key=_order):
        version = library.by_deployed_name.get(deployed)
        name, number = _order(deployed)
        if version is None:
            problems.append(
                LockProblem(
                    deployed,
                    str(library.root / name),
                    f"{deployed} is released (in {LOCK_FILE}) but v{number}.yaml / v{number}.py is missing; "
                    f"restore it, or retire it for good: askflow workflows retire {deployed}",
                )
            )
        elif version.digest != recorded[deployed]:
            following = next_number(library, name, recorded)
            problems.append(
                LockProblem(
                    deployed,
                    str(version.source),
                    f"{deployed} is released and immutable; copy it to v{following} and change v{following}",
                )
            )
    for deployed in sorted(retired, key=_order):
        version = library.by_deployed_name.get(deployed)
        if version is not None:
            following = next_number(library, version.name, recorded)
            problems.append(
                LockProblem(
                    deployed,
                    str(version.source),
                    f"{deployed} is retired (in {LOCK_FILE}) and its name is never used again: "
                    f"rename this file to v{following}",
                )
            )
    return problems


def check_lock(library: Library, lock_path: Path) -> None:
    """Raise :class:`AskflowError` (naming the version's file) if a released version changed."""
    recorded, retired = _read(lock_path)
    problems = lock_problems(library, recorded, retired)
    if problems:
        raise problems[0].error()


def updated_lock(library: Library, lock_path: Path) -> tuple[dict[str, str], tuple[str, ...]]:
    """The lock with every unreleased version added, and the deployed names added.

    Refuses (exit code 1) when a recorded version changed or is missing: the lock only grows.
    """
    recorded, retired = _read(lock_path)
    problems = lock_problems(library, recorded, retired)
    if problems:
        raise problems[0].error(exit_code=1)
    added = tuple(v.deployed_name for v in library.versions if v.deployed_name not in recorded)
    new = dict(recorded)
    new.update({v.deployed_name: v.digest for v in library.versions if v.deployed_name in added})
    return new, added


def unreleased(library: Library, lock_path: Path) -> tuple[str, ...]:
    """Deployed names of versions not yet in the lock (drafts), in library order."""
    recorded = read_lock(lock_path)
    return tuple(v.deployed_name for v in library.versions if v.deployed_name not in recorded)


def retire(library: Library, deployed_name: str) -> Path:
    """Move a released version whose file is gone from ``versions`` to ``retired`` in the lock, so
    its name is never locked (or deployed) again; returns the lock path.

    Refuses (exit code 1) a name that is not released, already retired, still has its file, or is
    still referenced by another version or a CronWorkflow."""
    recorded, retired = _read(library.lock_path)
    lock = str(library.lock_path)
    if deployed_name in retired:
        raise AskflowError(f"{deployed_name} is already retired", file=lock, exit_code=1)
    if deployed_name not in recorded:
        raise AskflowError(
            f"{deployed_name} is not released (not in {LOCK_FILE}); a draft needs no retiring: delete its file",
            file=lock,
            exit_code=1,
        )
    version = library.by_deployed_name.get(deployed_name)
    if version is not None:
        raise AskflowError(
            f"delete {version.source.name} first: a retired version is not deployed", file=str(version.source), exit_code=1
        )
    users = library.referenced_by.get(deployed_name, ())
    if users:
        raise AskflowError(
            f"{deployed_name} is still referenced by {', '.join(users)}; move them to another version first",
            file=lock,
            exit_code=1,
        )
    versions = {k: v for k, v in recorded.items() if k != deployed_name}
    files.write_text(library.lock_path, dumps_lock(versions, (*retired, deployed_name)))
    return library.lock_path


def base_lock_text(lock_path: Path, base: str) -> str | None:
    """The lock file as it was at git revision ``base`` (``origin/main``), read with ``git show``
    from the lock's folder; None when the lock did not exist there yet (a new library)."""
    git = shutil.which("git")
    if git is None:
        raise AskflowError("git is not installed; --base reads the lock at a git revision", path=f"--base {base}")
    folder = str(Path(lock_path).parent)

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([git, "-C", folder, *argv], capture_output=True, text=True, check=False)

    if not base or base.startswith("-") or run("rev-parse", "--verify", "--quiet", f"{base}^{{commit}}").returncode:
        raise AskflowError(
            "is not a revision of this repository; fetch it first (e.g. `git fetch origin main`)",
            path=f"--base {quoted(base, 60)}",
        )
    spec = f"{base}:./{Path(lock_path).name}"
    if run("cat-file", "-e", spec).returncode:
        return None
    shown = run("show", spec)
    if shown.returncode:
        raise AskflowError(f"git show {spec} failed: {shown.stderr.strip()[:200]}", path=f"--base {base}")
    return shown.stdout


def check_against_base(lock_path: Path, base_text: str | None, base: str) -> None:
    """Refuse (exit code 1) a lock that lost or changed what ``base``'s lock released or retired.

    The lock of a working tree cannot tell a version deleted together with its lock line from one
    never released; the lock of the branch it merges into can: released names stay, with their
    digests, until they are retired, and retired names stay retired.
    """
    if base_text is None:
        return
    was, was_retired = _parse(f"{lock_path} at {base}", base_text)
    now, now_retired = _read(lock_path)
    lock = str(lock_path)
    for name, digest in was.items():
        if name in now_retired:
            continue
        if name not in now:
            raise AskflowError(
                f"{name} was released at {base} and is gone from the lock: a released name is retired, not "
                f"deleted (restore its line, then `askflow workflows retire {name}` once its file is gone)",
                file=lock, path=["versions", name], exit_code=1,
            )
        if now[name] != digest:
            raise AskflowError(
                f"{name} was released at {base} as {digest}; a released version never changes: restore it "
                "and release the change as a new version (`askflow workflows new`)",
                file=lock, path=["versions", name], exit_code=1,
            )
    for name in was_retired:
        if name not in now_retired:
            raise AskflowError(
                f"{name} was retired at {base}; a retired name stays retired: restore it under retired",
                file=lock, path="retired", exit_code=1,
            )
