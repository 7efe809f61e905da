"""``askflow lint [--strict] [--json PATH] PATH...``

Like ruff or yamllint, every file given is read and linted, and the exit code comes at the end: a
file that cannot be read or parsed is an ``unreadable`` error finding at its line and column, not
the end of the run. Human output is one line per finding,
``file:line:column: severity: json.path: message [rule]``, then how many files and documents were
checked; ``--json PATH`` (``-``: stdout) writes the same as one JSON document, always complete.

"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from askflow import jsonout
from askflow.lint.finding import Finding
from askflow.substrate import ENGINES


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="lint Argo Workflows manifests offline (argo lint's checks, OSS and platform rules)",
        description="Lint Workflow, WorkflowTemplate, ClusterWorkflowTemplate and CronWorkflow manifests "
        "offline: Argo's structural and semantic checks, OSS artifact checks, and platform rules "
        "(warnings, errors with --strict). A folder holding versions.lock is linted as a template library. "
        "Every file is linted; one that cannot be read is reported as an error at its line and column.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (*.yaml, *.yml, *.json)")
    parser.add_argument("--strict", action="store_true", help="platform and OSS warnings are errors")
    parser.add_argument("--engine", choices=ENGINES, default="self-managed",
                        help="the argo.engine the manifests will run on (default self-managed): on ack-one, specs "
                             "must set what askflow's workflow defaults set elsewhere (managed-engine-defaults)")
    jsonout.add_argument(parser, "the result (files and documents checked, error and warning counts, findings "
                                 "with file, line and column)")
    parser.set_defaults(func=run)


def format_human(finding: Finding) -> str:
    return finding.text()


def summary(result: Any) -> str:
    checked = f"checked {result.files} file(s), {result.documents} document(s)"
    if not result.findings:
        return f"{checked}: no problems found"
    return f"{checked}: {result.errors} error(s), {result.warnings} warning(s)"


def to_json(result: Any) -> dict[str, Any]:
    return {
        "files": result.files,
        "documents": result.documents,
        "unreadable": result.unreadable,
        "errors": result.errors,
        "warnings": result.warnings,
        "findings": [f.to_json() for f in result.findings],
    }


def exit_code(result: Any) -> int:
    if result.files and result.unreadable == result.files:
        return 2  # nothing could be read
    if result.errors or not result.documents:
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    from askflow.lint.runner import run_lint

    jsonout.check(args.json_path)  # before the work, not after it
    result = run_lint(args.paths, strict=args.strict, engine=args.engine)
    if args.json_path:
        jsonout.write(args.json_path, jsonout.dumps(to_json(result)))
    else:
        out = [format_human(f) for f in result.findings]
        out.append(summary(result))
        sys.stdout.write("\n".join(out) + "\n")
    if not result.documents and result.unreadable < result.files:
        # argo lint fails too: a misspelt glob or a folder of other YAML must not pass CI silently.
        print(f"{' '.join(args.paths)}: found nothing to lint (no Workflow, WorkflowTemplate, "
              "ClusterWorkflowTemplate or CronWorkflow) in the files read", file=sys.stderr)
    return exit_code(result)


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
