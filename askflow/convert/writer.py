"""Where converted jobs go in a template library (written all-or-nothing by :func:`askflow.files.write_all`).

Library layout (``askflow.library``): ``DIR/<name>/v<N>.yaml`` (one WorkflowTemplate named
``<name>``), ``DIR/<name>/cron-<schedule>.yaml`` (a CronWorkflow named ``<schedule>`` pinned to
``<name>-v<N>``). A converted job is always a *new* version: the next N after those already in the
folder, so a released version is never overwritten. The migration report sits beside it as
``v<N>.migration.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from askflow.errors import AskflowError
from askflow.files import blocked
from askflow.library.lock import LOCK_FILE

_VERSION = re.compile(r"^v([1-9][0-9]*)\.(yaml|py)$")
_CRON = re.compile(r"^cron-(.+)\.yaml$")


def next_version(folder: Path) -> int:
    """1 for a new template, else one more than the highest ``v<N>.yaml`` / ``v<N>.py`` in ``folder``."""
    if folder.exists() and not folder.is_dir():
        raise AskflowError("exists and is not a folder; the template library keeps each template in a folder",
                           file=str(folder))
    numbers = [int(m.group(1)) for p in (folder.iterdir() if folder.is_dir() else ())
               if (m := _VERSION.match(p.name))]
    return max(numbers, default=0) + 1


def existing_crons(out: Path) -> dict[str, str]:
    """CronWorkflow names already in the library at ``out``: ``{schedule name: template folder}``."""
    found: dict[str, str] = {}
    if out.is_dir():
        for path in sorted(out.glob("*/cron-*.yaml")):
            m = _CRON.match(path.name)
            if m:
                found.setdefault(m.group(1), path.parent.name)
    return found


def check_out(out: Path) -> None:
    """Refuse an ``--out`` that cannot be the template library, before anything is read or written."""
    if out.exists() and not out.is_dir():
        raise AskflowError("--out must be a folder (the template library); a file is there", file=str(out))
    why = blocked(out, folder=True)
    if why is not None:
        raise AskflowError(f"--out cannot be created: {why}; choose another folder", file=str(out))


def check_json(report: Path) -> None:
    """Refuse a ``--json`` path that cannot be written, before anything is converted or written."""
    if report.is_dir():
        raise AskflowError("--json is a folder; give the report's file name (e.g. convert-report.json)",
                           file=str(report))
    why = blocked(report)
    if why is not None:
        raise AskflowError(f"--json cannot be written: {why}; choose another path", file=str(report))


def new_library_lock(out: Path) -> Path | None:
    """``out/versions.lock`` when ``out`` is a new library: it does not exist yet or holds no file (empty
    folders are no library), and no folder above it holds a lock. The empty lock makes it a library for
    ``askflow lint``, so CronWorkflow references to the versions written resolve; ``askflow workflows
    lock`` records them later.
    """
    if out.is_dir() and any(not p.is_dir() for p in out.rglob("*")):
        return None
    if any((parent / LOCK_FILE).exists() for parent in out.resolve().parents):
        return None
    return out / LOCK_FILE


def check_report(report: Path, out: Path, outputs: Iterable[Path]) -> None:
    """Refuse a ``--json`` path that would replace a folder, a file of this run or a library template,
    or that cannot be written.

    Checked before anything is staged, so a bad path writes nothing (not half a run).
    """
    check_json(report)
    target = report.resolve()
    if any(target == p.resolve() for p in outputs):
        raise AskflowError("--json names a file this run writes (a template, CronWorkflow or migration report); "
                           "choose another file name", file=str(report))
    library = out.resolve()
    if target.is_relative_to(library) and len(target.relative_to(library).parts) > 1:
        raise AskflowError(f"--json is inside a template folder of the library {out}; write the report elsewhere "
                           "(outside the library or beside its folders)", file=str(report))
