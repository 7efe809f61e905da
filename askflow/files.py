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


def check_writable(path: Path) -> None:
    """Refuse, before any work, a path that cannot become a file: an existing folder or other
    non-regular file (a device, a FIFO), or a path under something that is not a folder."""
    path = Path(path)
    try:
        if path.exists():
            if path.is_dir():
                raise AskflowError(f"is a folder; give a file path; {NOTHING_WRITTEN}", file=str(path))
            if not stat.S_ISREG(path.stat().st_mode):
                raise AskflowError(f"is not a regular file; give a file path; {NOTHING_WRITTEN}", file=str(path))
            return
        for parent in path.parents:
            if parent.exists():
                if not parent.is_dir():
                    raise AskflowError(
                        f"cannot be written ({parent} is not a folder); {NOTHING_WRITTEN}", file=str(path)
                    )
                return
    except OSError as exc:  # e.g. a folder on the way that may not be searched
        raise AskflowError(f"cannot be written ({exc.strerror or exc}); {NOTHING_WRITTEN}", file=str(path)) from None


def check_folder(path: Path) -> None:
    """Refuse, before any work, a path that cannot become a folder: an existing file, or a path
    under something that is not a folder."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise AskflowError("is a file; give a folder", file=str(path))
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise AskflowError(f"cannot be written ({parent} is not a folder); {NOTHING_WRITTEN}", file=str(path))
            return


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
