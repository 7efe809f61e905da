"""``askflow lint``: Argo's lint checks offline, plus OSS and platform rules.

* Structure: the Argo API from hera's models made strict, cross-checked with the v4.1.2 CRDs
  (:mod:`askflow.lint.structure`, :mod:`askflow.lint.apigen`).
* Semantics: what ``argo lint`` checks, with Argo's messages (:mod:`askflow.lint.argo`,
  :mod:`askflow.lint.variables`, :mod:`askflow.lint.cron`); see
  https://argo-workflows.readthedocs.io/en/latest/cli/argo_lint/.
* Beyond Argo: OSS artifacts (:mod:`askflow.lint.oss`) and serverless-pod (ECI, ACS) platform rules
  (:mod:`askflow.lint.platform`), warnings that ``strict`` turns into errors.

Rule ids are listed in :data:`RULES`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from askflow.lint.finding import ERROR, RULES, WARNING, Finding, Rule

if TYPE_CHECKING:
    from askflow.lint.runner import lint_documents, lint_paths


def __getattr__(name: str) -> Any:
    # The runner (and the API schema it loads) is imported on first use, so the template library
    # can use askflow.lint.platform's walkers without paying for the whole linter.
    if name in ("lint_documents", "lint_paths"):
        from askflow.lint import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ERROR", "RULES", "WARNING", "Finding", "Rule", "lint_documents", "lint_paths"]
