"""Writing askflow's output files (a plan's JSON, a new version, ``versions.lock``, a ``--png``
drawing): whole or not at all, and paths checked before any work.

A file is written to a temporary file beside it, then renamed over it, so a reader sees the old
content or the new, never half. A path that cannot be written is an :class:`AskflowError` naming it
(``PATH: cannot be written (Permission denied); nothing was written``), and nothing is left behind:
no temporary file, and no folder made for the file.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
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
    made: list[Path] = []
    tmp: Path | None = None
    try:
        for folder in reversed([p for p in path.parents if not p.exists()]):
            folder.mkdir()
            made.append(folder)
        tmp = _temp_beside(path)
        yield tmp
        os.replace(tmp, path)
        tmp = None
    except BaseException as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:  # pragma: no cover - someone else put something there meanwhile
                pass
        if isinstance(exc, OSError):
            raise AskflowError(
                f"cannot be written ({exc.strerror or exc}); {NOTHING_WRITTEN}", file=str(path)
            ) from None
        raise


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all; see :func:`replacing`."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
