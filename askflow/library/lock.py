"""``workflows/versions.lock``: the content digest of every released version.

A version is *released* once its digest is in the lock. From then on it is immutable: a running
workflow (and, under Argo's ``templateReferencing: Secure``, any workflow started from it) relies on
the deployed object never changing, so a change goes into a new version instead. The digest is taken
on the canonical form (:mod:`askflow.library.canonical`), so reformatting or editing comments is not
a change. The file is YAML, written deterministically::

    # header comment
    versions:
      etl-v1: sha256:...      # ordered by template name, then version number
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from askflow import yamlio
from askflow.errors import AskflowError
from askflow.library.loader import parse_deployed_name
from askflow.library.model import Library

LOCK_FILE = "versions.lock"
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_HEADER = (
    "# Content digests of released WorkflowTemplate versions (askflow.library.lock).\n"
    "# A recorded version is immutable: change a copy (`askflow workflows new NAME`), then\n"
    "# run `askflow workflows lock` to record the new one. Do not edit digests by hand.\n"
)


def _order(deployed_name: str) -> tuple[str, int]:
    parsed = parse_deployed_name(deployed_name)
    assert parsed is not None  # read_lock checked every key
    return parsed


def read_lock(lock_path: Path) -> dict[str, str]:
    """Deployed name -> digest; an absent lock file means nothing is released yet."""
    lock_path = Path(lock_path)
    if not lock_path.exists():
        return {}
    data = yamlio.load_file(lock_path)
    if data is None:
        return {}
    if not isinstance(data, dict) or set(data) - {"versions"}:
        raise AskflowError("expected a mapping with one key, versions", file=str(lock_path))
    versions = data.get("versions") or {}
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
    return dict(versions)


def dumps_lock(versions: Mapping[str, str]) -> str:
    """The lock file text: the same versions always give the same bytes."""
    ordered = {k: versions[k] for k in sorted(versions, key=_order)}
    return _HEADER + yamlio.dumps({"versions": ordered})


@dataclass(frozen=True)
class LockProblem:
    """A released version whose content changed, or whose file is gone."""

    deployed_name: str
    file: str
    message: str
    #: The lint rule id; a deleted released version is a change too.
    rule: str = "released-version-changed"

    def error(self, exit_code: int = 2) -> AskflowError:
        return AskflowError(self.message, file=self.file, exit_code=exit_code)


def next_number(library: Library, name: str, recorded: Mapping[str, str]) -> int:
    """The next version number nobody has used: after the latest file and every released one."""
    released = [parsed[1] for key in recorded if (parsed := parse_deployed_name(key)) and parsed[0] == name]
    return max([library.latest(name).number, *released]) + 1


def lock_problems(library: Library, recorded: Mapping[str, str]) -> list[LockProblem]:
    """Every recorded version that changed or disappeared, in lock order."""
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
                    f"restore it, or delete its line from {LOCK_FILE} to retire it",
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
    return problems


def check_lock(library: Library, lock_path: Path) -> None:
    """Raise :class:`AskflowError` (naming the version's file) if a released version changed."""
    problems = lock_problems(library, read_lock(lock_path))
    if problems:
        raise problems[0].error()


def updated_lock(library: Library, lock_path: Path) -> tuple[dict[str, str], tuple[str, ...]]:
    """The lock with every unreleased version added, and the deployed names added.

    Refuses (exit code 1) when a recorded version changed or is missing: the lock only grows.
    """
    recorded = read_lock(lock_path)
    problems = lock_problems(library, recorded)
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
