"""A cache of what a Python (hera) version's ``build()`` produced, so a plan need not import hera.

Importing ``hera.workflows`` takes longer than the rest of an ``askflow plan`` of a small stack
(its generated Argo models are about 1.3 s of imports), and it is needed only to run ``build()`` of
``workflows/<name>/v<N>.py``. Like mypy's or ruff's caches, this keeps the result of that step under
the project (``.cache/askflow/builds/``, ignored by git) and uses it while nothing it depends on
has changed:

- the key is the SHA-256 of the version file's bytes, hera's version, Python's minor version and
  this cache's format;
- an entry also records every module of the project that the build imported (a helper module
  beside the version, say) with the SHA-256 of its file; an entry whose recorded files changed or
  went away is not used. Modules installed in the environment (hera, the standard library) are
  covered by the key's versions.

An entry holds the canonical JSON of the built object, so a cached and a fresh build give the same
bytes, the same digest and the same lock check. A ``build()`` that reads data files or the
environment is not tracked: set ``ASKFLOW_NO_BUILD_CACHE=1`` (or delete ``.cache/askflow``) to
build every time. A cache that cannot be read or written (a read-only checkout, a corrupt entry) is
ignored, never an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path

#: Bumped when the entry's layout or meaning changes: older entries are then never read.
FORMAT = 1
#: Set to 1 to build every Python version each time.
DISABLE_ENV = "ASKFLOW_NO_BUILD_CACHE"


def enabled() -> bool:
    return os.environ.get(DISABLE_ENV, "") in ("", "0")


def directory(version_file: Path) -> Path:
    """``<project>/.cache/askflow/builds`` for ``<project>/workflows/<name>/v<N>.py``."""
    return version_file.resolve().parent.parent.parent / ".cache" / "askflow" / "builds"


def _hera_version() -> str:
    import hera  # the top-level package only (hera.workflows is what is slow)

    return str(hera.__version__)


def key(source: bytes) -> str:
    digest = hashlib.sha256()
    digest.update(f"askflow-build/{FORMAT}\0hera/{_hera_version()}\0python/{sys.version_info[0]}.{sys.version_info[1]}\0".encode())
    digest.update(source)
    return digest.hexdigest()


def _file_digest(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def lookup(version_file: Path, build_key: str) -> str | None:
    """The canonical JSON a previous build under ``build_key`` (:func:`key`) produced, or None (no
    usable entry)."""
    if not enabled():
        return None
    entry_path = directory(version_file) / f"{build_key}.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        canonical, inputs = entry["canonical"], entry["inputs"]
        if not isinstance(canonical, str) or not isinstance(inputs, dict):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if any(_file_digest(path) != digest for path, digest in inputs.items()):
        return None
    return canonical


@functools.cache
def _installed_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {paths[name] for name in ("stdlib", "platstdlib", "purelib", "platlib") if name in paths}
    roots |= {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    return tuple(sorted(os.path.realpath(r) + os.sep for r in roots))


def project_modules(before: set[str], version_file: Path) -> dict[str, str]:
    """Module name -> real file of every module imported since ``before`` from a file of the
    project (not installed in the environment), the version file itself excepted."""
    own = os.path.realpath(version_file)
    found: dict[str, str] = {}
    for name in sorted(set(sys.modules) - before):
        file = getattr(sys.modules.get(name), "__file__", None)
        if isinstance(file, str):
            real = os.path.realpath(file)
            if real != own and not real.startswith(_installed_roots()):
                found[name] = real
    return found


def digests(files: Iterable[str]) -> dict[str, str]:
    """File -> SHA-256 of each file that can be read (what an entry records as its inputs)."""
    found = {file: _file_digest(file) for file in files}
    return {file: digest for file, digest in found.items() if digest is not None}


def store(version_file: Path, build_key: str, canonical: str, inputs: dict[str, str]) -> None:
    """Record a build (atomically); a cache that cannot be written is skipped."""
    if not enabled():
        return
    folder = directory(version_file)
    entry = json.dumps({"canonical": canonical, "inputs": inputs, "source": version_file.name},
                       sort_keys=True, separators=(",", ":"))
    target = folder / f"{build_key}.json"
    tmp = folder / f".{target.name}.{os.getpid()}.tmp"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_text(entry, encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
