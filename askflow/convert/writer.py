"""Where converted jobs go in a template library, and writing them all-or-nothing.

Library layout (``askflow.library``): ``DIR/<name>/v<N>.yaml`` (one WorkflowTemplate named
``<name>``), ``DIR/<name>/cron-<schedule>.yaml`` (a CronWorkflow named ``<schedule>`` pinned to
``<name>-v<N>``). A converted job is always a *new* version: the next N after those already in the
folder, so a released version is never overwritten. The migration report sits beside it as
``v<N>.migration.md``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Mapping
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


class _Undo:
    """What a write did so far (folders made, files staged, files put in place), to take it back."""

    def __init__(self) -> None:
        self.folders: list[Path] = []
        self.staged: list[Path] = []
        #: (target, backup of what was there before or None)
        self.placed: list[tuple[Path, Path | None]] = []

    def make_folders(self, folder: Path) -> None:
        missing: list[Path] = []
        while not (folder.exists() or folder.is_symlink()):
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            try:
                path.mkdir()
            except FileExistsError:
                if not path.is_dir():
                    raise
                continue  # made meanwhile by someone else: not ours to remove
            self.folders.append(path)

    def rollback(self) -> list[Path]:
        """Undo everything, newest first; the paths that could not be put back (best effort, never raises)."""
        left: list[Path] = []
        for target, backup in reversed(self.placed):
            try:
                if backup is not None and target.exists() and os.path.samefile(backup, target):
                    backup.unlink()  # not replaced yet (a rename between two links of one file does nothing)
                elif backup is not None:
                    backup.replace(target)
                else:
                    target.unlink(missing_ok=True)
            except OSError:
                left.append(target)
        for tmp in self.staged:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                left.append(tmp)
        for folder in reversed(self.folders):
            try:
                folder.rmdir()
            except FileNotFoundError:
                pass
            except OSError:
                left.append(folder)
        return left


def _backup(path: Path) -> Path | None:
    """A copy of the file at ``path`` beside it (a hard link where possible), or None when there is none."""
    if not path.exists():
        return None
    backup = path.with_name(f".{path.name}.{os.getpid()}.bak")
    backup.unlink(missing_ok=True)
    try:
        os.link(path, backup)
    except OSError:  # no hard links on this file system
        try:
            shutil.copy2(path, backup)
        except BaseException:
            backup.unlink(missing_ok=True)
            raise
    return backup


def write_all(files: Mapping[Path, str]) -> None:
    """Write every file, or none, and leave the file system as it was when any fails.

    Every path is checked before anything is written; then each file goes to a temporary name (making
    the folders it needs) and, once all are staged, is renamed into place, a file it replaces kept aside
    until the end. Any failure (or Ctrl-C) removes what this run made (files and folders) and puts back
    what it replaced.
    """
    for path in files:
        why = blocked(path)
        if why is not None:
            raise AskflowError(f"cannot be written: {why}; nothing was written", file=str(path))
    undo = _Undo()
    current: Path | None = None
    try:
        for path, text in files.items():
            current = path
            undo.make_folders(path.parent)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            undo.staged.append(tmp)
            tmp.write_text(text, encoding="utf-8")
        for path in files:
            current = path
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            undo.placed.append((path, _backup(path)))
            tmp.replace(path)
            undo.staged.remove(tmp)
    except BaseException as exc:
        left = undo.rollback()
        if not isinstance(exc, OSError):
            raise
        done = ("nothing was written" if not left else
                "could not undo the run for " + ", ".join(str(p) for p in left) + ": remove or restore them")
        raise AskflowError(f"cannot be written ({exc.strerror or exc}); {done}", file=str(current)) from None
    for _, backup in undo.placed:
        if backup is not None:
            try:
                backup.unlink(missing_ok=True)
            except OSError:
                pass  # every file is in place; a stray hidden copy of an old one is no failure
