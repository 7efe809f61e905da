"""``askflow stack …``: manage stack files.

- ``stack new NAME --from SOURCE``: copy a stack with names and CIDRs made unique (:mod:`askflow.stacks.new`);
- ``stack destroy-check --stack NAME``: what ``make destroy`` runs first: refuses prod without
  ``--confirm-prod`` and says what ``pulumi destroy`` will leave behind or refuse.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from askflow.errors import AskflowError
from askflow.stacks.new import stack_new
from askflow.substrate import ACK_ONE_CLUSTER, CLUSTER_TYPES

if TYPE_CHECKING:
    from askflow.plan import Plan
    from askflow.settings import Settings

# Output is plain print(): nothing here is rich markup, so text such as `acs:ram::…` ARNs is printed
# as is (rich would turn `:ram:` into an emoji unless emoji=False).
BUCKET = "alicloud:oss/bucket:Bucket"
VPC = "alicloud:vpc/network:Network"


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

    check = sub.add_parser(
        "destroy-check",
        help="before `pulumi destroy`: refuse prod without --confirm-prod, list what stays behind",
        description="Plans the stack offline and says what `pulumi destroy` will refuse (protected resources) and "
        "leave behind (retained logs, non-empty buckets, ECI image caches). Exit 2 for prod without --confirm-prod.",
    )
    check.add_argument("--stack", required=True, help="the stack to destroy")
    check.add_argument("--confirm-prod", action="store_true", help="allow a prod stack (make destroy CONFIRM_PROD=yes)")
    check.add_argument("--project", default=".", metavar="DIR", help="the Pulumi project folder (default: .)")
    check.set_defaults(func=run_destroy_check)


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


def kept_by_protection(plan: Plan) -> set[str]:
    """The URNs ``pulumi destroy --exclude-protected`` keeps: every protected resource and everything it
    depends on, transitively (its dependencies, parent and provider), as the CLI computes it
    (``separateProtected`` in pulumi/pulumi's destroy command). The rest is destroyed."""
    by_urn = plan.by_urn()
    kept: set[str] = set()
    todo = [r.urn for r in plan.resources if r.protect]
    while todo:
        urn = todo.pop()
        if urn in kept or urn not in by_urn:
            continue
        kept.add(urn)
        r = by_urn[urn]
        todo.extend(r.dependencies)
        todo.extend(u for u in (r.parent, r.provider.rsplit("::", 1)[0]) if u)  # a provider is `urn::id`
    return kept


def destroy_notes(settings: Settings, stack: str, project_root: str = ".") -> list[str]:
    """What ``make destroy`` (``pulumi destroy --exclude-protected``) of ``stack`` (whose parsed
    ``settings`` the caller has) leaves behind, from its offline plan."""
    from askflow.plan import plan_stack

    plan = plan_stack(stack, project_root=project_root)
    notes = []
    kept = kept_by_protection(plan)
    protected = sorted(r.name for r in plan.resources if r.protect)
    if protected:
        notes.append(
            f"protected (they stay; `pulumi state unprotect <urn>` first to really delete): {', '.join(protected)}"
        )
    needed = sorted(r.name for r in plan.resources if r.urn in kept and not r.protect and r.custom)
    if needed:
        notes.append(f"kept because protected resources depend on them: {', '.join(needed)}")
    for cluster in (c for t in CLUSTER_TYPES for c in plan.of_type(t)):
        if cluster.urn in kept:
            notes.append(f"cluster {cluster.inputs.get('name')}: stays (protected), with the SLB/ALB and SLS data it holds")
            continue
        modes = {o["resourceType"]: o["deleteMode"] for o in cluster.inputs.get("deleteOptions", [])}
        kept_data = sorted(t for t, m in modes.items() if m == "retain")
        gone = sorted(t for t, m in modes.items() if m == "delete")
        notes.append(f"cluster {cluster.inputs.get('name')}: deleted with it: {', '.join(gone) or 'nothing listed'}; "
                     f"kept (delete_options retain): {', '.join(kept_data) or 'nothing'}")
    for workflow_cluster in plan.of_type(ACK_ONE_CLUSTER):  # argo.engine ack-one
        name = workflow_cluster.inputs.get("clusterName")
        notes.append(f"workflow cluster {name}: stays (protected), with the workflows it holds" if workflow_cluster.urn
                     in kept else f"workflow cluster {name}: deleted, with its workflows and argo-server")
    for bucket in plan.of_type(BUCKET):
        name = bucket.inputs.get("bucket")
        if bucket.urn in kept:
            notes.append(f"bucket {name}: stays (protected), with its objects")
        elif bucket.inputs.get("forceDestroy"):
            notes.append(f"bucket {name}: emptied and deleted (force_destroy)")
        else:
            notes.append(f"bucket {name}: deleted only when empty (force_destroy is off in {settings.environment}): "
                         f"`ossutil rm oss://{name} -r -f --all-versions` first, or it stays")
    notes.append("ECI image caches that pods created automatically (annotation k8s.aliyun.com/eci-auto-imc, on by "
                 "default) are not Pulumi resources and stay: `aliyun eci DescribeImageCaches`, then DeleteImageCache")
    if not settings.network.bring_your_own and not any(r.type == VPC and r.urn in kept for r in plan.resources):
        notes.append("the vSwitches and VPC may refuse deletion once, right after the cluster's ECI resources go: "
                     "`make destroy` runs a second pass")
    return notes


def run_destroy_check(args: argparse.Namespace) -> int:
    from askflow.stacks import load_project, load_settings, read_stack

    settings = load_settings(read_stack(load_project(args.project), args.stack))
    if settings.environment == "prod" and not args.confirm_prod:
        raise AskflowError(
            "is a prod stack: refusing to destroy it without --confirm-prod (make destroy CONFIRM_PROD=yes)",
            path=f"--stack {args.stack}",
        )
    print(f"destroying stack {args.stack} ({settings.environment}, {settings.name}):")
    for note in destroy_notes(settings, args.stack, args.project):
        print(f"- {note}")
    return 0
