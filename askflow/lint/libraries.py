"""Template libraries in ``askflow lint``: the seam between the linter and the template library.

A folder holding :data:`LOCK_FILE` is a template library (:mod:`askflow.library`); linting a path
inside one lints that library. The dependency runs one way: the library package uses the linter
(names, walkers, :func:`askflow.lint.lint_documents`) and plugs its own linting in here with
:func:`register` when it is imported, so nothing in :mod:`askflow.lint` imports
:mod:`askflow.library`. The ``askflow`` command line imports both.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from askflow.errors import AskflowError

if TYPE_CHECKING:
    from askflow.lint.finding import Finding

#: The lock file at a template library's root: what makes a folder a library.
LOCK_FILE = "versions.lock"


class LibraryLinter(Protocol):
    """What ``lint_paths`` needs from the template library."""

    def rendered(self, root: Path) -> list[Any]:
        """The library's versions as the cluster receives them (for templateRefs from other files)."""
        ...

    def sources(self, root: Path) -> list[str]:
        """The file each of the library's linted documents comes from (versions, CronWorkflows)."""
        ...

    def lint(self, root: Path, *, strict: bool, engine: str = "self-managed") -> list[Finding]:
        """Every finding for the library at ``root``."""
        ...


_linter: LibraryLinter | None = None


def register(linter: LibraryLinter) -> None:
    global _linter
    _linter = linter


def linter(root: Path) -> LibraryLinter:
    """The registered library linter; a library found with none registered is a one-line error."""
    if _linter is None:
        raise AskflowError(
            f"is a template library ({LOCK_FILE}) but template library support is not loaded; "
            "import askflow.library (the askflow command does)",
            file=str(root),
        )
    return _linter
