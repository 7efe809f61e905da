"""``askflow stack …``: manage stack files. ``stack new`` copies a stack with unique names and CIDRs."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from askflow.stacks.new import stack_new


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("stack", help="manage stack files (environments/Pulumi.<stack>.yaml)")
    sub = parser.add_subparsers(dest="stack_command", metavar="SUBCOMMAND")
    sub.required = True
    new = sub.add_parser(
        "new",
        help="copy a stack with names and CIDRs made unique (reproducible staging clusters)",
        description="Write environments/Pulumi.NAME.yaml from an existing stack: physical names (name, bucket, "
        "SLS project) derived from NAME, the VPC CIDR moved to a free block (or, in a shared VPC, the Service "
        "CIDR), everything else identical. Validated before writing; never overwrites.",
    )
    new.add_argument("name", metavar="NAME", help="the new stack (lowercase letters, digits, '-')")
    new.add_argument("--from", dest="source", required=True, metavar="SOURCE", help="the stack to copy")
    new.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change askflow:platform by dotted path, e.g. cluster.kubernetes_version=1.33.3-aliyun.1 or "
        "tenants[0].quota.cpu=32 (values are YAML); repeatable",
    )
    new.add_argument("--project", default=".", metavar="DIR", help="the Pulumi project folder (default: .)")
    new.set_defaults(func=run_new)


def run_new(args: argparse.Namespace) -> int:
    new = stack_new(args.name, args.source, args.sets, project_root=args.project)
    s = new.settings
    where = f"VPC {s.network.vpc_cidr}" if not s.network.bring_your_own else f"shared VPC {s.network.vpc_id}"
    print(f"wrote {new.project.display(new.path)}: name {s.name}, bucket {s.bucket_name}, {where}, "
          f"service CIDR {s.cluster.service_cidr}")
    for notice in new.notices:
        print(f"note: {notice}", file=sys.stderr)
    print(f"next: askflow plan --stack {new.stack}  (then `pulumi stack init {new.stack}` and `make up STACK={new.stack}`)")
    return 0
