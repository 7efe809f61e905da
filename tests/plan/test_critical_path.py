"""The deploy critical path of the real stacks: what is on the chain, what runs beside it."""

from __future__ import annotations

import copy
from functools import cache

import pytest

from askflow.plan import Plan, plan_stack
from askflow.plan.critical_path import DURATIONS, UNKNOWN_DURATION, critical_path, duration_of, format_critical_path
from tests.plan.harness import ROOT

NETWORK = "alicloud:vpc/network:Network"
SWITCH = "alicloud:vpc/switch:Switch"
CLUSTER = "alicloud:cs/managedKubernetes:ManagedKubernetes"
NAT = ["alicloud:vpc/natGateway:NatGateway", "alicloud:ecs/eipAssociation:EipAssociation", "alicloud:vpc/snatEntry:SnatEntry"]
POOL = "alicloud:cs/nodePool:NodePool"
ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"
ROLE = "alicloud:ram/role:Role"
RDS = "alicloud:rds/instance:Instance"
RELEASE = "kubernetes:helm.sh/v3:Release"
BUCKET = "alicloud:oss/bucket:Bucket"
TEMPLATE = "kubernetes:argoproj.io/v1alpha1:WorkflowTemplate"
CRON = "kubernetes:argoproj.io/v1alpha1:CronWorkflow"

#: prod's total in seconds when this test was written. ack-pro-eci: vpc 10 + vswitch 10 + the NAT
#: egress the cluster waits for (gateway 90, EIP 10, SNAT 10) + ACK Pro 900 + system node pool 300
#: + the RRSA webhook add-on 120 (it runs on those nodes) + Argo release 150 + templates 1.
#: A dependency that lengthens the chain makes the computed total exceed it.
PROD_TOTAL = 1601.0


@cache
def _plan(stack: str) -> Plan:
    return plan_stack(stack, ROOT)


def _one(plan: Plan, typ: str) -> str:
    (r,) = plan.of_type(typ)
    return r.urn


def test_every_type_in_the_stacks_has_a_cited_figure() -> None:
    for stack in ("dev", "staging", "prod"):
        cp = critical_path(_plan(stack))
        assert cp.unknown_types == []
    for typ, (seconds, source) in DURATIONS.items():
        assert seconds >= 0 and len(source) > 20, typ
    assert duration_of("alicloud:foo/bar:Bar") is UNKNOWN_DURATION
    assert duration_of("pulumi:providers:kubernetes")[0] == 0


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_chain_is_network_egress_cluster_nodes_addon_then_argo(stack: str) -> None:
    # ack-pro-eci: the cluster waits for the stack's egress (ACK then makes no NAT gateway of its
    # own), its system node pool follows, and the add-ons that run there (the RRSA webhook) come
    # before Argo. In prod the archive database (~12 min) runs beside that chain, shorter.
    cp = critical_path(_plan(stack))
    types = [s.type for s in cp.chain]
    assert types[:8] == [NETWORK, SWITCH, *NAT, CLUSTER, POOL, ADDON]
    assert types[8] == RELEASE and types[9] in (TEMPLATE, CRON) and len(types) == 10
    assert cp.total == sum(s.seconds for s in cp.chain)
    for before, after in zip(cp.chain, cp.chain[1:], strict=False):
        assert after.start == before.finish
        assert before.urn in cp.waits_for[after.urn]


def test_the_archive_database_runs_beside_the_cluster_chain() -> None:
    plan = _plan("prod")
    cp = critical_path(plan)
    assert cp.steps[_one(plan, RDS)].slack > 0
    assert _one(plan, RDS) not in {s.urn for s in cp.chain}


def test_cluster_figures_follow_the_kind() -> None:
    assert duration_of(CLUSTER, {"profile": "Default"})[0] == 900
    assert duration_of(CLUSTER, {"profile": "Serverless"})[0] == 300
    assert "Acs" in duration_of(CLUSTER, {"profile": "Acs"})[1]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_rrsa_roles_wait_for_the_cluster_and_argo_waits_for_them(stack: str) -> None:
    plan = _plan(stack)
    cp = critical_path(plan)
    cluster = cp.steps[_one(plan, CLUSTER)]
    release = cp.steps[_one(plan, RELEASE)]
    roles = [cp.steps[r.urn] for r in plan.of_type(ROLE)]
    assert roles
    for role in roles:
        assert role.start == cluster.finish  # the trust policy needs the cluster's OIDC issuer
        assert release.start >= role.finish


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_bucket_is_created_at_once_and_all_templates_together(stack: str) -> None:
    plan = _plan(stack)
    cp = critical_path(plan)
    assert cp.steps[_one(plan, BUCKET)].start == 0
    starts = {cp.steps[r.urn].start for r in plan.of_type(TEMPLATE)}
    assert len(plan.of_type(TEMPLATE)) > 1 and len(starts) == 1
    assert starts == {cp.steps[_one(plan, RELEASE)].finish}
    text = format_critical_path(cp)
    assert "alicloud:oss.Bucket: starts at t=0:00" in text
    assert "kubernetes:argoproj.io.WorkflowTemplate: all start at t=" in text


def test_prod_total_does_not_grow() -> None:
    assert critical_path(_plan("prod")).total <= PROD_TOTAL


def test_a_dependency_that_lengthens_the_chain_is_caught() -> None:
    plan = copy.deepcopy(_plan("prod"))
    by_urn = plan.by_urn()
    # Make the cluster wait for the archive database: the guard above must then fail.
    by_urn[_one(plan, CLUSTER)].dependencies.append(_one(plan, RDS))
    assert critical_path(plan).total > PROD_TOTAL


def test_a_dependency_on_a_component_waits_for_all_its_children() -> None:
    plan = copy.deepcopy(_plan("dev"))
    bucket = plan.by_urn()[_one(plan, BUCKET)]
    cluster_component = plan.by_urn()[plan.by_urn()[_one(plan, CLUSTER)].parent]
    assert not cluster_component.custom
    bucket.dependencies.append(cluster_component.urn)
    cp = critical_path(plan)
    assert _one(plan, CLUSTER) in cp.waits_for[bucket.urn]
    assert cp.steps[bucket.urn].start >= cp.steps[_one(plan, CLUSTER)].finish


def test_kubernetes_resources_wait_for_their_provider() -> None:
    plan = _plan("dev")
    cp = critical_path(plan)
    cluster_finish = cp.steps[_one(plan, CLUSTER)].finish
    for r in plan.resources:
        if r.custom and r.type.startswith("kubernetes:"):
            assert r.provider in cp.waits_for[r.urn]
            assert cp.steps[r.urn].start >= cluster_finish


def test_output_is_deterministic() -> None:
    assert format_critical_path(critical_path(_plan("prod"))) == format_critical_path(
        critical_path(plan_stack("prod", ROOT)))


def test_a_child_of_a_custom_resource_waits_for_its_parent() -> None:
    """The SDK registers a child after its parent's URN resolves, which for a custom parent is after
    the parent is created; a component parent delays nothing."""
    plan = copy.deepcopy(_plan("dev"))
    by_urn = plan.by_urn()
    bucket = by_urn[_one(plan, BUCKET)]
    cluster = _one(plan, CLUSTER)
    component = bucket.parent
    assert not by_urn[component].custom
    assert critical_path(plan).steps[bucket.urn].start == 0  # its component parent is no wait
    bucket.parent = cluster
    cp = critical_path(plan)
    assert cluster in cp.waits_for[bucket.urn]
    assert cp.steps[bucket.urn].start == cp.steps[cluster].finish
