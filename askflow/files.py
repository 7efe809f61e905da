"""Writing askflow's output files (a plan's JSON, a new version, ``versions.lock``, a ``--png``
drawing, a converted library): whole or not at all, and paths checked before any work.

A file is written to a temporary file beside it, then renamed over it, so a reader sees the old
content or the new, never half. A path that cannot be written is an :class:`AskflowError` naming it
(``PATH: cannot be written (Permission denied); nothing was written``), and nothing is left behind:
no temporary file, and no folder made for the file. :func:`write_all` does the same for several
files at once, and puts back the files it replaced when one of them fails.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from askflow.errors import AskflowError

NOTHING_WRITTEN = "nothing was written"


def blocked(path: Path, *, folder: bool = False) -> str | None:
    """Why ``path`` cannot become a file (a ``folder``), found without writing; None when nothing is
    in the way. An existing folder is not in the way of a ``folder`` (what goes inside it is checked
    file by file).

    In the way: a folder or a non-regular file (``/dev/stdout``, a FIFO) where the file goes (a file
    where the folder goes), a file or broken link where a folder above it must be, a nearest existing
    folder that cannot be written into.
    """
    path = Path(path)
    try:
        if folder and path.exists() and not path.is_dir():
            return "is a file, not a folder"
        if folder and path.is_dir():
            return None
        if not folder and path.is_dir():
            return "is a folder"
        if not folder and path.exists() and not stat.S_ISREG(path.stat().st_mode):
            return "is not a regular file: a FIFO, socket or device is never replaced"
        for parent in path.parents:
            if parent.is_dir():
                if not os.access(parent, os.W_OK | os.X_OK):
                    return f"the folder {parent} is not writable"
                return None
            if parent.exists() or parent.is_symlink():
                return f"{parent} is a file, not a folder"
    except OSError as exc:  # e.g. a folder on the way that may not be searched
        return f"cannot be checked ({exc.strerror or exc})"
    return None


def check_writable(path: Path) -> None:
    """Refuse, before any work, a path that cannot become a file (see :func:`blocked`)."""
    why = blocked(Path(path))
    if why is not None:
        raise AskflowError(f"cannot be written ({why}); {NOTHING_WRITTEN}", file=str(path))


def check_output_file(path: Path) -> None:
    """Refuse, before any work, an output file named on the command line (``--json PATH``,
    ``--png PATH``) that cannot be written, or whose folder does not exist: a typo in a folder
    name is an error, as it is for a shell redirection, not a folder made silently."""
    path = Path(path)
    check_writable(path)
    if not path.parent.is_dir():
        raise AskflowError(
            f"cannot be written (the folder {path.parent} does not exist; create it first); {NOTHING_WRITTEN}",
            file=str(path),
        )


def check_folder(path: Path, *, replace: bool = False) -> None:
    """Refuse, before any work, a path that cannot become a folder (see :func:`blocked`); with
    ``replace``, one that cannot be swapped for a new folder either (its parent is written)."""
    path = Path(path)
    why = blocked(path, folder=True)
    if why is None and replace and path.is_dir():
        why = blocked(path.parent / f".{path.name}.new", folder=True)
    if why is not None:
        raise AskflowError(f"cannot be written ({why}); {NOTHING_WRITTEN}", file=str(path))


def _temp_beside(path: Path) -> Path:
    """A new, empty, hidden file in ``path``'s folder (created with the usual permissions: the
    umask applies, as it does to any file askflow writes)."""
    while True:
        tmp = path.with_name(f".{path.name[:64]}.{secrets.token_hex(4)}.tmp")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:  # pragma: no cover - 32 random bits taken already
            continue
        return tmp


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary file beside ``path`` to write; when the block ends normally it replaces
    ``path``. The folders ``path`` needs are made first. On any failure (an OSError is reported as
    ``PATH: cannot be written (<reason>); nothing was written``) the temporary file and the folders
    made are removed."""
    path = Path(path)
    check_writable(path)
    undo = Undo()
    try:
        undo.make_folders(path.parent)
        tmp = _temp_beside(path)
        undo.staged.append(tmp)
        yield tmp
        os.replace(tmp, path)
        undo.staged.remove(tmp)
    except BaseException as exc:
        undo.rollback()
        if isinstance(exc, OSError):
            raise AskflowError(
                f"cannot be written ({exc.strerror or exc}); {NOTHING_WRITTEN}", file=str(path)
            ) from None
        raise


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all; see :func:`replacing`."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


class Undo:
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


def write_all(texts: Mapping[Path, str]) -> None:
    """Write every file, or none, and leave the file system as it was when any fails.

    Every path is checked before anything is written; then each file goes to a temporary name (making
    the folders it needs) and, once all are staged, is renamed into place, a file it replaces kept aside
    until the end. Any failure (or Ctrl-C) removes what this run made (files and folders) and puts back
    what it replaced.
    """
    for path in texts:
        why = blocked(path)
        if why is not None:
            raise AskflowError(f"cannot be written: {why}; nothing was written", file=str(path))
    undo = Undo()
    current: Path | None = None
    try:
        for path, text in texts.items():
            current = path
            undo.make_folders(path.parent)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            undo.staged.append(tmp)
            tmp.write_text(text, encoding="utf-8")
        for path in texts:
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
