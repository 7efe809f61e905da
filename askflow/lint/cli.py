"""``askflow lint [--strict] [--json] PATH...``

Exit 0 when there is no error, 1 when there is any, 2 when a path cannot be read or parsed
(printed on one line by :mod:`askflow.cli`). Human output is one line per finding,
``file:doc N:json.path: severity: message [rule]``, then a summary; ``--json`` prints the sorted
list of findings (file, doc, kind, name, severity, rule, path, message).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from askflow.lint.finding import ERROR, Finding


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="lint Argo Workflows manifests offline (argo lint's checks, OSS and platform rules)",
        description="Lint Workflow, WorkflowTemplate, ClusterWorkflowTemplate and CronWorkflow manifests "
        "offline: Argo's structural and semantic checks, OSS artifact checks, and platform rules "
        "(warnings, errors with --strict). A folder holding versions.lock is linted as a template library.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (*.yaml, *.yml, *.json)")
    parser.add_argument("--strict", action="store_true", help="platform and OSS warnings are errors")
    parser.add_argument("--json", action="store_true", help="print findings as a JSON list")
    parser.set_defaults(func=run)


def format_human(finding: Finding) -> str:
    return f"{finding.file}:doc {finding.doc}:{finding.path}: {finding.severity}: {finding.message} [{finding.rule}]"


def summary(findings: list[Finding]) -> str:
    errors = sum(1 for f in findings if f.severity == ERROR)
    warnings = len(findings) - errors
    docs = len({(f.file, f.doc) for f in findings})
    if not findings:
        return "no problems found"
    return f"{errors} error(s), {warnings} warning(s) in {docs} document(s)"


def run(args: argparse.Namespace) -> int:
    from askflow.lint.runner import lint_paths

    findings = lint_paths(args.paths, strict=args.strict)
    if args.json:
        sys.stdout.write(json.dumps([f.to_json() for f in findings], indent=2, ensure_ascii=False) + "\n")
    else:
        out = [format_human(f) for f in findings]
        out.append(summary(findings))
        sys.stdout.write("\n".join(out) + "\n")
    return 1 if any(f.severity == ERROR for f in findings) else 0


def main(argv: list[str] | None = None) -> int:
    """``python -m askflow.lint.cli``: the lint command alone, without the other commands' imports."""
    from askflow.errors import AskflowError

    parser = argparse.ArgumentParser(prog="askflow")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["lint", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.func(args))
    except AskflowError as exc:
        print(exc.line(), file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
