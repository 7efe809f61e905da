"""``askflow e2e --stack NAME``: the acceptance test on a throw-away copy of stack NAME (:mod:`askflow.e2e`).

Exit 0 passed (and nothing left behind), 1 a step or the cleanup failed, 2 bad input or no
``--yes`` (nothing created), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from askflow import jsonout
from askflow.errors import AskflowError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "e2e",
        help="acceptance test on your account: up, Argo ready, a smoke workflow through OSS, no drift, destroy",
        description="Copies stack NAME to a throw-away stack (askflow stack new NAME-e2e), then with the "
        "Pulumi Automation API: up with the policy pack, waits for Argo, runs the e2e-smoke template (an artifact "
        "written to OSS through RRSA and read back), checks the object in the bucket, refresh + preview "
        "--expect-no-changes (drift fails), and always destroys and removes the stack. Needs the Pulumi CLI, a "
        "`pulumi login`, PULUMI_CONFIG_PASSPHRASE and Alibaba Cloud credentials in the environment; --dry-run needs "
        "none of them.",
    )
    parser.add_argument("--stack", required=True, metavar="NAME", help="the dev or staging stack to copy")
    parser.add_argument("--dry-run", action="store_true",
                        help="print every step with the resolved names and what the stack creates; create nothing")
    parser.add_argument("--keep", action="store_true", help="skip destroy (debugging); prints how to clean up later")
    parser.add_argument("--yes", action="store_true", help="go ahead and create billed resources (CI passes it)")
    jsonout.add_argument(parser, "each step's time and the result")
    parser.add_argument("--project", default=".", metavar="DIR", help="the Pulumi project folder (default: .)")
    parser.set_defaults(func=run)


def print_plan(plan: Any) -> None:
    print(f"e2e of stack {plan.source} on the throw-away stack {plan.stack}, smoke template {plan.smoke}")
    for step in plan.steps():
        print(f"  {step}")
    print("The stack creates (billed while it exists; see README \"Acceptance test on your account\" for the cost):")
    for type_, count in plan.creates:
        print(f"  {count} x {type_}")
    for notice in plan.new.notices:
        print(f"note: {notice}")


def run(args: argparse.Namespace) -> int:
    from askflow.e2e.plan import resolve

    jsonout.check(args.json_path)  # first: a run that cannot write its result must not create anything
    plan = resolve(args.stack, args.project)
    print_plan(plan)
    if args.dry_run:
        print("dry run: nothing was created")
        return 0
    if not args.yes:
        raise AskflowError("creates the billed cloud resources listed above: rerun with --yes to go ahead "
                           "(nothing was created)", path="--yes")
    from askflow.e2e.automation import RealBackend, preflight, stream
    from askflow.e2e.runner import Runner

    root = Path(args.project)
    preflight(root)
    result = Runner(plan, RealBackend(root), stream, keep=args.keep).run()
    if args.json_path:
        text = result.to_json()
        jsonout.write(args.json_path, text if text.endswith("\n") else text + "\n")
        if not jsonout.to_stdout(args.json_path):
            print(f"wrote {args.json_path}", file=sys.stderr)
    return result.exit_code
