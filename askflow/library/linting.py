"""Lint a whole template library: every rendered version and CronWorkflow, plus the lock.

The documents go to :func:`askflow.lint.lint_documents` together, so a ``templateRef`` from one
version to another (or a CronWorkflow's ``workflowTemplateRef``) resolves across the library, as
``argo lint --offline`` resolves references across the files it is given. Documents are rendered
(deployed names, labels, annotation) because that is what the cluster receives. A released version
whose content changed (or whose file was deleted), and a file using a retired name, are error
findings with rule ``released-version-changed``.

Importing this module plugs the library into ``askflow lint`` paths (:mod:`askflow.lint.libraries`):
the library depends on the linter, never the other way round.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from askflow.library.loader import load_library
from askflow.library.lock import lock_problems, read_lock, read_retired
from askflow.library.model import Library
from askflow.lint import libraries

if TYPE_CHECKING:
    from askflow.lint import Finding


def lint_library(root: Path, *, strict: bool, library: Library | None = None,
                 engine: str = "self-managed") -> list[Finding]:
    """Findings for every version and CronWorkflow under ``root`` and for ``versions.lock``.

    Layout errors (see :func:`~askflow.library.loader.load_library`) raise AskflowError instead:
    a library that does not load has nothing to lint. Pass ``library`` when it is loaded already.
    """
    from askflow.lint import Finding, lint_documents

    library = library if library is not None else load_library(root)
    docs: list[tuple[str, int, Any]] = [(str(v.source), 0, v.render()) for v in library.versions]
    docs += [(str(c.source), 0, c.render()) for c in library.crons]
    findings = list(lint_documents(docs, strict=strict, engine=engine))
    for problem in lock_problems(library, read_lock(library.lock_path), read_retired(library.lock_path)):
        findings.append(
            Finding(
                file=problem.file,
                doc=0,
                kind="WorkflowTemplate",
                name=problem.deployed_name,
                severity="error",
                rule=problem.rule,
                path="",
                message=problem.message,
            )
        )
    return sorted(findings, key=Finding.sort_key)


class _LibraryLinting:
    """The library's side of :class:`askflow.lint.libraries.LibraryLinter`."""

    def rendered(self, root: Path) -> list[Any]:
        return [v.render() for v in load_library(root).versions]

    def sources(self, root: Path) -> list[str]:
        library = load_library(root)
        return [str(v.source) for v in library.versions] + [str(c.source) for c in library.crons]

    def lint(self, root: Path, *, strict: bool, engine: str = "self-managed") -> list[Finding]:
        return lint_library(root, strict=strict, engine=engine)


libraries.register(_LibraryLinting())
