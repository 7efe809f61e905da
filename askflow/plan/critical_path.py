"""How long `pulumi up` of an empty stack takes: the longest chain of the plan's dependency graph.

The Pulumi engine creates a resource as soon as everything it waits for exists
(https://www.pulumi.com/docs/iac/concepts/how-pulumi-works/): its ``dependencies`` (Outputs it was
given and ``depends_on``) and its explicit provider. So with a typical creation time per resource
type (:data:`DURATIONS`, each figure with its source), the earliest start of a resource is the
latest finish of what it waits for, and the total is the longest path by summed durations (the
critical path method, https://en.wikipedia.org/wiki/Critical_path_method).

ComponentResources take no time themselves, but waiting on a component means waiting on every
custom resource under it, so a dependency on a component expands to its custom descendants.

The figures are estimates for planning, not promises: the total says which chain to shorten, and
the slack of everything else says what runs in parallel with it (the artifact bucket is created
while the cluster is; all template versions are applied at once).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from askflow.ackone.features import FEATURES_TYPE
from askflow.plan import Plan
from askflow.plan.mocks import Registration
from askflow.plan.output import short_type
from askflow.substrate import ACK_ONE_CLUSTER, ENGINE_FACTS, MANAGED_KUBERNETES, SERVERLESS_KUBERNETES, SUBSTRATES

# "alicloud_X docs" below means https://registry.terraform.io/providers/aliyun/alicloud/latest/docs/resources/X
# (the Terraform provider that pulumi-alicloud bridges; its figures and timeouts are the same).

#: Typical creation time in seconds per Pulumi resource type, and where the figure comes from.
DURATIONS: dict[str, tuple[float, str]] = {
    SERVERLESS_KUBERNETES: (SUBSTRATES["ask-legacy"].creation_seconds, SUBSTRATES["ask-legacy"].creation_source),
    # Per profile in duration_of; this is the default kind's figure.
    MANAGED_KUBERNETES: (SUBSTRATES["ack-pro-eci"].creation_seconds, SUBSTRATES["ack-pro-eci"].creation_source),
    # argo.engine ack-one: the workflow cluster (askflow.substrate.ENGINE_FACTS).
    ACK_ONE_CLUSTER: (ENGINE_FACTS["ack-one"].creation_seconds, ENGINE_FACTS["ack-one"].creation_source),
    "alicloud:cs/nodePool:NodePool": (
        300, "alicloud_cs_kubernetes_node_pool: create timeout 90 min (resource_alicloud_cs_kubernetes_node_pool.go "
             "l. 33); ECS instances boot and join in ~3-5 min (estimate)"),
    "alicloud:cs/kubernetesAddon:KubernetesAddon": (
        120, "alicloud_cs_kubernetes_addon docs: "
             "timeouts 10 min; a managed add-on installs in 1-2 min (estimate)"),
    "kubernetes:helm.sh/v3:Release": (
        150, "argo-workflows chart: pre-install hook Job fetches the full CRDs, then Pulumi awaits the "
             "Deployments (../shared/PLATFORM-FACTS.md, argo-helm crds.full); ~2-3 min (estimate)"),
    "alicloud:rds/instance:Instance": (
        720, "alicloud_db_instance docs: RDS PostgreSQL takes ~10-15 min; "
             "aliyun/terraform-provider-alicloud#6181 "
             "raised the PostgreSQL creation status wait from 500 to 1000 s"),
    "alicloud:rds/database:Database": (
        10, "alicloud_db_database docs: one API call on a running instance (estimate)"),
    "alicloud:rds/rdsAccount:RdsAccount": (
        10, "alicloud_rds_account docs: one API call, waits for Available (estimate)"),
    "alicloud:rds/accountPrivilege:AccountPrivilege": (
        10, "alicloud_db_account_privilege docs: one API call (estimate)"),
    "alicloud:vpc/network:Network": (
        10, "alicloud_vpc docs: CreateVpc, then waits for Available: seconds (estimate)"),
    "alicloud:vpc/switch:Switch": (
        10, "alicloud_vswitch docs: CreateVSwitch, waits for Available: seconds (estimate)"),
    "alicloud:ecs/securityGroup:SecurityGroup": (
        3, "alicloud_security_group docs: synchronous API call: seconds"),
    "alicloud:vpc/natGateway:NatGateway": (
        90, "alicloud_nat_gateway docs: enhanced NAT gateway becomes Available in ~1-2 min (estimate)"),
    "alicloud:ecs/eipAddress:EipAddress": (
        5, "alicloud_eip_address docs: allocation is synchronous: seconds"),
    "alicloud:ecs/eipAssociation:EipAssociation": (
        10, "alicloud_eip_association docs: waits for InUse: seconds"),
    "alicloud:vpc/snatEntry:SnatEntry": (
        10, "alicloud_snat_entry docs: waits for Available: seconds (estimate)"),
    "alicloud:kms/key:Key": (3, "alicloud_kms_key docs: synchronous API call: seconds"),
    "alicloud:oss/bucket:Bucket": (5, "alicloud_oss_bucket docs: PutBucket is synchronous: seconds"),
    "alicloud:oss/bucketAcl:BucketAcl": (2, "alicloud_oss_bucket_acl docs: one API call: seconds"),
    "alicloud:oss/bucketPolicy:BucketPolicy": (2, "alicloud_oss_bucket_policy docs: one API call (PutBucketPolicy): seconds"),
    "alicloud:oss/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        2, "alicloud_oss_bucket_public_access_block docs: one API call: seconds"),
    "alicloud:ram/role:Role": (3, "alicloud_ram_role docs: RAM API calls are synchronous: seconds"),
    "alicloud:ram/policy:Policy": (3, "alicloud_ram_policy docs: RAM API calls are synchronous: seconds"),
    "alicloud:ram/rolePolicyAttachment:RolePolicyAttachment": (
        3, "alicloud_ram_role_policy_attachment docs: one API call: seconds"),
    "alicloud:log/project:Project": (5, "alicloud_log_project docs: one API call: seconds"),
    "alicloud:log/store:Store": (5, "alicloud_log_store docs: one API call: seconds"),
    "alicloud:log/alert:Alert": (5, "resource_alicloud_log_alert.go: one CreateAlert call, no waiting: seconds"),
    "alicloud:log/storeIndex:StoreIndex": (
        5, "resource_alicloud_log_store_index.go: one CreateIndex call, no waiting: seconds"),
    "alicloud:eci/imageCache:ImageCache": (
        300, "alicloud_eci_image_cache docs: pulls the images and snapshots them: minutes (estimate)"),
    "random:index/randomPassword:RandomPassword": (0, "computed locally by the random provider"),
    # askflow/ackone/provider.py: waits for the workflow cluster to run, sends UpdateHubClusterFeature
    # and waits until the cluster reports the settings back. The provider's own update of this cluster
    # type waits for running and then 4 minutes (resource_alicloud_ack_one_cluster.go l. 276-282).
    FEATURES_TYPE: (
        240, "askflow/ackone/provider.py: UpdateHubClusterFeature, then the settings read back; "
             "resource_alicloud_ack_one_cluster.go l. 276-282 allows 4 min after a feature update (upper figure)"),
    # The alerts (infra/components/monitoring.py): each is one ARMS API call with no state to wait
    # for (resource_alicloud_arms_*.go define no Timeouts and no StateRefreshFunc).
    "alicloud:arms/prometheusAlertRule:PrometheusAlertRule": (
        2, "resource_alicloud_arms_prometheus_alert_rule.go: one API call, no waiting: seconds"),
    "alicloud:arms/dispatchRule:DispatchRule": (
        2, "resource_alicloud_arms_dispatch_rule.go: one API call, no waiting: seconds"),
    "alicloud:arms/alertContact:AlertContact": (
        2, "resource_alicloud_arms_alert_contact.go: one API call, no waiting: seconds"),
    "alicloud:arms/alertContactGroup:AlertContactGroup": (
        2, "resource_alicloud_arms_alert_contact_group.go: one API call, no waiting: seconds"),
    "alicloud:arms/alertRobot:AlertRobot": (
        2, "resource_alicloud_arms_alert_robot.go: one API call, no waiting: seconds"),
    "alicloud:arms/prometheusMonitoring:PrometheusMonitoring": (
        2, "resource_alicloud_arms_prometheus_monitoring.go: one API call (CreatePrometheusMonitoring), no waiting: seconds"),
}

#: Figures for whole families of types, used when a type has no entry of its own.
PREFIX_DURATIONS: dict[str, tuple[float, str]] = {
    "pulumi:providers:": (0, "a provider is configured locally; nothing is created"),
    "kubernetes:": (1, "one API server request; Pulumi's await logic for plain objects returns at once"),
}

#: Fallback for types with neither: flagged in the output so the table gets an entry.
UNKNOWN_DURATION: tuple[float, str] = (30, "no figure for this type yet: 30 s assumed")


def duration_of(typ: str, inputs: dict[str, Any] | None = None) -> tuple[float, str]:
    """Typical creation seconds of a resource type (a ManagedKubernetes by its profile) and the
    source of the figure."""
    if typ == MANAGED_KUBERNETES and inputs:
        for sub in SUBSTRATES.values():
            if sub.resource_type == typ and sub.profile == inputs.get("profile"):
                return sub.creation_seconds, sub.creation_source
    if typ in DURATIONS:
        return DURATIONS[typ]
    for prefix, value in PREFIX_DURATIONS.items():
        if typ.startswith(prefix):
            return value
    return UNKNOWN_DURATION


@dataclass(frozen=True)
class Step:
    """One custom resource in the schedule: when it can start, how long it takes, its slack."""

    urn: str
    type: str
    name: str
    start: float
    seconds: float
    slack: float
    source: str

    @property
    def finish(self) -> float:
        return self.start + self.seconds


@dataclass
class CriticalPath:
    """The schedule of a plan: ``chain`` is the longest path, ``steps`` every custom resource."""

    total: float
    chain: list[Step]
    steps: dict[str, Step]
    waits_for: dict[str, list[str]] = field(default_factory=dict)
    unknown_types: list[str] = field(default_factory=list)


def _custom_descendants(plan: Plan) -> dict[str, list[str]]:
    children: dict[str, list[str]] = defaultdict(list)
    for r in plan.resources:
        if r.parent:
            children[r.parent].append(r.urn)
    by_urn = plan.by_urn()
    out: dict[str, list[str]] = {}

    def walk(urn: str) -> list[str]:
        if urn not in out:
            found: list[str] = []
            for child in children.get(urn, []):
                if by_urn[child].custom:
                    found.append(child)
                found.extend(walk(child))
            out[urn] = sorted(set(found))
        return out[urn]

    for r in plan.resources:
        if not r.custom:
            walk(r.urn)
    return out


def waits_for(plan: Plan) -> dict[str, list[str]]:
    """For each custom resource, the custom resources the engine makes it wait for.

    Its dependencies (a component expanded to its custom descendants), its explicit provider, and
    a custom parent: the SDK registers a child only once its parent's URN has resolved
    (``prepare_resource`` awaits ``opts.parent.urn``), and a custom resource's URN resolves when
    its RegisterResource call returns, i.e. once the parent exists. A component parent registers at
    once, so it delays nothing.
    """
    by_urn = plan.by_urn()
    descendants = _custom_descendants(plan)
    out: dict[str, list[str]] = {}
    for r in plan.resources:
        if not r.custom:
            continue
        deps: set[str] = set()
        for urn in [*r.dependencies, r.provider]:
            dep = by_urn.get(urn)
            if dep is None:
                continue
            if dep.custom:
                deps.add(urn)
            else:
                deps.update(descendants.get(urn, []))
        parent = by_urn.get(r.parent)
        if parent is not None and parent.custom:
            deps.add(parent.urn)
        deps.discard(r.urn)
        out[r.urn] = sorted(deps)
    return out


def _topological(nodes: list[str], deps: dict[str, list[str]]) -> list[str]:
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(urn: str) -> None:
        # Iterative DFS would be longer; plans are a few hundred resources deep at most.
        if state.get(urn) == 2:
            return
        if state.get(urn) == 1:
            raise ValueError(f"dependency cycle through {urn}")
        state[urn] = 1
        for dep in deps[urn]:
            visit(dep)
        state[urn] = 2
        order.append(urn)

    for urn in sorted(nodes):
        visit(urn)
    return order


def critical_path(plan: Plan) -> CriticalPath:
    """Schedule every custom resource as early as its dependencies allow; return the longest chain."""
    by_urn: dict[str, Registration] = plan.by_urn()
    deps = waits_for(plan)
    order = _topological(list(deps), deps)
    start: dict[str, float] = {}
    for urn in order:
        start[urn] = max((start[d] + duration_of(by_urn[d].type, by_urn[d].inputs)[0] for d in deps[urn]), default=0.0)
    finish = {urn: start[urn] + duration_of(by_urn[urn].type, by_urn[urn].inputs)[0] for urn in order}
    total = max(finish.values(), default=0.0)
    # Latest finish without delaying the total: the backward pass of the critical path method.
    dependents: dict[str, list[str]] = defaultdict(list)
    for urn, ds in deps.items():
        for d in ds:
            dependents[d].append(urn)
    latest_finish: dict[str, float] = {}
    for urn in reversed(order):
        latest_finish[urn] = min(
            (latest_finish[s] - duration_of(by_urn[s].type, by_urn[s].inputs)[0] for s in dependents[urn]), default=total
        )
    steps = {}
    for urn in order:
        r = by_urn[urn]
        seconds, source = duration_of(r.type, r.inputs)
        steps[urn] = Step(urn=urn, type=r.type, name=r.name, start=start[urn], seconds=seconds,
                          slack=latest_finish[urn] - finish[urn], source=source)
    chain: list[Step] = []
    if steps:
        # Walk back from the last finisher through the dependency that finishes last (ties: URN order).
        current: str | None = min(steps, key=lambda u: (-finish[u], u))
        while current is not None:
            chain.append(steps[current])
            preds = [d for d in deps[current] if finish[d] == start[current]]
            current = min(preds) if preds and start[current] > 0 else None
        chain.reverse()
    unknown = sorted({r.type for r in plan.resources if r.custom and duration_of(r.type) is UNKNOWN_DURATION})
    return CriticalPath(total=total, chain=chain, steps=steps, waits_for=deps, unknown_types=unknown)


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def format_critical_path(cp: CriticalPath) -> str:
    """The chain, the total, and what runs beside it (plain text; no markup brackets)."""
    lines = [f"Deploy critical path (pulumi up of an empty stack): about {_clock(cp.total)} min "
             f"({cp.total:.0f} s)", "", "  start   takes  resource"]
    for step in cp.chain:
        lines.append(f"  {_clock(step.start):>6} {step.seconds:>6.0f}s  {short_type(step.type)} {step.name}")
    lines += ["", "Off the chain (grouped by type: earliest start, slack = how much later it could finish "
                  "without delaying the total):"]
    on_chain = {s.urn for s in cp.chain}
    groups: dict[str, list[Step]] = defaultdict(list)
    for step in cp.steps.values():
        if step.urn not in on_chain:
            groups[step.type].append(step)
    for typ in sorted(groups):
        members = groups[typ]
        starts = sorted({s.start for s in members})
        when = (f"all start at t={_clock(starts[0])}" if len(starts) == 1
                else f"start between t={_clock(starts[0])} and t={_clock(starts[-1])}")
        if len(members) == 1:
            when = f"starts at t={_clock(starts[0])}"
        slack = min(s.slack for s in members)
        lines.append(f"  {len(members):>3} x {short_type(typ)}: {when}, slack >= {slack:.0f} s")
    if cp.unknown_types:
        lines += ["", "No figure for (30 s assumed; add them to askflow/plan/critical_path.py DURATIONS):"]
        lines += [f"  {typ}" for typ in cp.unknown_types]
    lines += ["", "Figures per type, with sources: askflow/plan/critical_path.py DURATIONS."]
    return "\n".join(lines) + "\n"
