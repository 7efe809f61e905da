"""``askflow plan --stack NAME``: plan a stack offline and say what it would create.

Exit codes: 0 planned; 1 the plan breaks a mandatory policy rule, or (with ``--against``) would
replace or delete a protected resource; 2 bad input (one line naming the file and key, no
traceback), including inputs the providers would refuse (one line each).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from askflow import jsonout
from askflow.errors import AskflowError

if TYPE_CHECKING:  # the plan machinery imports pulumi: only load it when planning
    from askflow.plan import Plan
    from askflow.plan.changes import Comparison
    from askflow.policies.rules import Violation


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "plan",
        help="plan a stack offline (no cloud credentials)",
        description=(
            "Run the Pulumi program for a stack exactly as `pulumi up` would, under mocks that record "
            "every resource, and check the result against askflow's policy rules. Nothing is created."
        ),
    )
    p.add_argument("--stack", default="dev", help="stack name: environments/Pulumi.<stack>.yaml (default: dev)")
    p.add_argument("--project", default=".", metavar="DIR", help="project folder holding Pulumi.yaml (default: .)")
    jsonout.add_argument(p, "the plan (resources, outputs, warnings, policy violations and, with --against, the "
                            "changes)")
    p.add_argument(
        "--out", metavar="DIR",
        help="write Kubernetes manifests, Helm values and plan.md to DIR (default: build/<stack>/)",
    )
    p.add_argument("--terraform-json", metavar="PATH",
                   help="write the Alibaba Cloud resources as Terraform JSON to the file PATH (for checkov)")
    p.add_argument(
        "--against", metavar="OLD.json",
        help="compare with an earlier `askflow plan --json` (e.g. of main): what `pulumi up` would create, update, "
             "replace or delete",
    )
    p.add_argument("--critical-path", action="store_true", help="estimate how long `pulumi up` of an empty stack takes")
    p.add_argument("--quiet", action="store_true", help="print only problems")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from askflow import files
    from askflow.plan import plan_stack
    from askflow.plan.changes import changes_markdown, compare, read_plan_json
    from askflow.plan.critical_path import critical_path, format_critical_path
    from askflow.plan.diagram import plan_markdown
    from askflow.plan.output import violations, write_out_dir
    from askflow.settings import PLATFORM_KEY

    out_dir = Path(args.out) if args.out else Path(args.project) / "build" / args.stack
    if args.terraform_json is not None and jsonout.to_stdout(args.terraform_json):
        # Not a file named "-" in the working folder; standard output is --json's.
        raise AskflowError("is a file for checkov, not standard output: give a file name (e.g. build/prod.tf.json); "
                           "nothing was written", path="--terraform-json -")
    documents = [(p, kind) for p, kind in ((args.json_path, "json"), (args.terraform_json, "terraform")) if p]
    # Every output path is checked before anything is planned or written.
    files.check_folder(out_dir, replace=True)
    for path, kind in documents:
        if kind == "terraform" or not jsonout.to_stdout(path):
            files.check_writable(Path(path))
    old = read_plan_json(Path(args.against)) if args.against else None
    plan = plan_stack(args.stack, project_root=args.project)
    if plan.contract_errors:
        # What the providers would refuse at `pulumi preview`: nothing is written.
        err = Console(file=sys.stderr, width=200, soft_wrap=True, emoji=False)
        for finding in plan.contract_errors:
            where = f"{plan.stack_file}: " if finding.key else "provider contract: "
            err.print(f"{where}{finding.line()}", markup=False)
        summary = (f"{len(plan.contract_errors)} input(s) the providers would refuse: fix them in "
                   f"{plan.stack_file} (or the program); nothing was written")
        err.print(summary, markup=False)
        if jsonout.to_stdout(args.json_path):
            document = jsonout.error_document(AskflowError(summary, file=plan.stack_file))
            document["errors"] = [{"file": plan.stack_file, **dataclasses.asdict(f)} for f in plan.contract_errors]
            jsonout.write(args.json_path, jsonout.dumps(document))
        return 2
    comparison = None
    if old is not None:
        allow = bool(((plan.defaults.get(PLATFORM_KEY) or {}).get("cluster") or {}).get("allow_replacement"))
        comparison = compare(old, plan, against=args.against, allow_replacement=allow)
    found = violations(plan)
    extra = {"plan.md": plan_markdown(plan, found, changes_markdown(comparison) if comparison else None)}
    with contextlib.ExitStack() as pending:
        # The JSON files are written aside and put in place only after the folder: a failure
        # anywhere leaves every output as it was.
        for path, kind in documents:
            if kind == "json" and jsonout.to_stdout(path):
                continue  # printed once everything is written
            text = _plan_json(plan, comparison, found) if kind == "json" else _terraform_json(plan)
            pending.enter_context(files.replacing(Path(path))).write_text(text, encoding="utf-8")
        write_out_dir(plan, out_dir, extra)
    if jsonout.to_stdout(args.json_path):
        jsonout.write(args.json_path, _plan_json(plan, comparison, found))
    console = Console(file=sys.stdout, width=120, soft_wrap=True, emoji=False)
    if comparison is not None:
        print_changes(console, comparison)
    if not args.quiet:
        print_summary(console, plan, out_dir)
    if args.critical_path:
        console.print(format_critical_path(critical_path(plan)))
    for warning in plan.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    err = Console(file=sys.stderr, width=200, soft_wrap=True, emoji=False)
    if comparison is not None and comparison.refused:
        for line in comparison.refused:
            err.print(f"refused: {line}", markup=False)
    if found:
        for v in found:
            err.print(f"policy violation: {v.rule}: {v.urn}: {v.message}", markup=False)
        err.print(f"{len(found)} mandatory policy violation(s): the plan would be refused", markup=False)
    return 1 if found or (comparison is not None and comparison.refused) else 0


def _plan_json(plan: Plan, comparison: Comparison | None, found: list[Violation]) -> str:
    """The plan as ``--json`` writes it: the planned resources and outputs (what ``--against``
    reads back), then what the run reported: warnings, mandatory policy violations (exit 1) and,
    with ``--against``, the changes and the refused ones."""
    from askflow import yamlio

    data = {**plan.to_dict(), "warnings": list(plan.warnings),
            "violations": [{"rule": v.rule, "urn": v.urn, "message": v.message} for v in found]}
    if comparison is not None:
        data["changes"] = [c.to_dict() for c in comparison.changes]
        data["refused"] = list(comparison.refused)
    return yamlio.dumps_json(data)


def print_changes(console: Console, comparison: Comparison) -> None:
    counts = comparison.counts()
    console.print(f"[bold]Changes[/bold] against {escape(comparison.against)}: "
                  + ", ".join(f"{n} to {a}" for a, n in counts.items()))
    for note in comparison.notes:
        console.print(f"[bold red]{escape(note)}[/bold red]")
    for c in comparison.changes:
        if c.action == "replace":
            detail = "forced by " + ", ".join(c.forced_by)
        elif c.action == "update":
            detail = ", ".join(c.properties)
        else:
            detail = ""
        flag = " (protected)" if c.protected else ""
        console.print(f"  {c.action}{flag} {escape(c.name)} ({escape(c.type)}){': ' + escape(detail) if detail else ''}")


def _terraform_json(plan: Plan) -> str:
    from askflow.plan.terraform import to_terraform_json

    return to_terraform_json(plan)


def print_summary(console: Console, plan: Plan, out_dir: Path) -> None:
    from askflow.plan.output import component_of, short_type

    custom = [r for r in plan.resources if r.custom]
    console.print(f"[bold]askflow plan[/bold] {plan.project}/{plan.stack} ({plan.stack_file}): "
                  f"{len(custom)} resources, {len(plan.resources) - len(custom)} components")
    per_component: dict[str, Counter[str]] = defaultdict(Counter)
    by_urn = plan.by_urn()
    for r in custom:
        per_component[component_of(plan, r.urn, by_urn)][short_type(r.type)] += 1
    table = Table(title="Resources per component", show_lines=False)
    table.add_column("component")
    table.add_column("type")
    table.add_column("count", justify="right")
    for component in sorted(per_component):
        for i, (typ, count) in enumerate(sorted(per_component[component].items())):
            table.add_row(component if i == 0 else "", typ, str(count))
    console.print(table)
    protected = [r for r in custom if r.protect]
    if protected:
        console.print("[bold]Protected[/bold] (pulumi `protect`): " + escape(", ".join(r.name for r in protected)))
    else:
        console.print("[bold]Protected[/bold]: nothing (no resource has pulumi `protect`)")
    outputs = Table(title="Stack outputs")
    outputs.add_column("output")
    outputs.add_column("value", overflow="fold")
    for key, value in plan.outputs.items():
        shown = "\n".join(map(str, value)) if isinstance(value, list) else str(value)
        outputs.add_row(key, escape(shown))
    console.print(outputs)
    console.print(f"Manifests, Helm values and plan.md: {out_dir}/")
