"""Every ``cluster.kind`` end to end through the plan: the cluster resource and its profile, the
add-ons, where workflow pods go, and that the policy pack passes (``askflow stack new X --from dev
--set cluster.kind=<kind>``, as the issue that introduced the kinds asks)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from askflow.cli import main
from askflow.errors import AskflowError
from askflow.plan import Plan, plan_stack
from askflow.plan.critical_path import critical_path
from askflow.plan.output import violations
from askflow.stacks.new import stack_new
from askflow.substrate import (
    CLUSTER_KINDS,
    MANAGED_KUBERNETES,
    POSEIDON_DOC,
    SERVERLESS_KUBERNETES,
    SUBSTRATES,
    network_policy_warning,
)
from tests.conftest import ROOT
from tests.support.projects import stack_files_project

ADDON = "alicloud:cs/kubernetesAddon:KubernetesAddon"
POOL = "alicloud:cs/nodePool:NodePool"
PROFILE_PATCH = "kubernetes:core/v1:ConfigMapPatch"




@cache
def _kind_plan(kind: str, source: str = "dev") -> Plan:
    import tempfile

    root = stack_files_project(Path(tempfile.mkdtemp(prefix=f"askflow-{kind}-")) / "project")
    sets = [f"cluster.kind={kind}"]
    if kind == "acs" and source == "prod":
        sets.append("templates.enable_image_cache=false")  # ACS has no ECI image caches
    stack_new(f"k-{kind}", source, sets, project_root=root)
    return plan_stack(f"k-{kind}", root)


def _one(plan: Plan, typ: str) -> Any:
    found = plan.of_type(typ)
    assert len(found) == 1, [r.urn for r in found]
    return found[0]


def _addons(plan: Plan) -> dict[str, Any]:
    return {r.inputs["name"]: r for r in plan.of_type(ADDON)}


@pytest.mark.parametrize("kind", CLUSTER_KINDS)
def test_every_kind_plans_with_the_policy_pack_clean(kind: str) -> None:
    plan = _kind_plan(kind)
    sub = SUBSTRATES[kind]
    cluster = _one(plan, sub.resource_type)
    other = SERVERLESS_KUBERNETES if sub.resource_type == MANAGED_KUBERNETES else MANAGED_KUBERNETES
    assert not plan.of_type(other)
    assert cluster.inputs["enableRrsa"] is True
    if sub.profile is not None:
        assert cluster.inputs["profile"] == sub.profile
        assert cluster.inputs["slbInternetEnabled"] is False
    assert violations(plan) == []
    assert plan.outputs["clusterKind"] == kind
    assert critical_path(plan).unknown_types == []


#: The add-ons each kind installs in a stack with logs and Prometheus on, written out (not read from
#: askflow.substrate, which they check): logtail-ds only where there are ECS nodes; the serverless
#: kinds' log controller; ACS's own Prometheus add-on.
ADDONS = {
    "ack-pro-eci": {"ack-virtual-node", "ack-pod-identity-webhook", "logtail-ds", "arms-prometheus"},
    "acs": {"ack-pod-identity-webhook", "alibaba-log-controller", "acs-arms-prometheus"},
    "ask": {"ack-pod-identity-webhook", "alibaba-log-controller", "arms-prometheus"},
    "ask-legacy": {"ack-pod-identity-webhook", "alibaba-log-controller", "arms-prometheus"},
}


@pytest.mark.parametrize("kind", CLUSTER_KINDS)
def test_add_ons_follow_the_kind(kind: str) -> None:
    sub = SUBSTRATES[kind]
    addons = _addons(_kind_plan(kind, "prod" if kind != "acs" else "staging"))
    assert set(addons) == ADDONS[kind]
    # The logging add-on of a serverless kind is never the per-node DaemonSet.
    if not sub.system_node_pool:
        assert "logtail-ds" not in addons
    config = json.loads(addons[sub.log_addon].inputs["config"])
    assert config["sls_project_name"].endswith("-logs")


@pytest.mark.parametrize("kind", CLUSTER_KINDS)
def test_where_workflow_pods_go(kind: str) -> None:
    plan = _kind_plan(kind)
    sub = SUBSTRATES[kind]
    namespaces = {r.inputs["metadata"]["name"]: r.inputs["metadata"]["labels"]
                  for r in plan.of_type("kubernetes:core/v1:Namespace")}
    values = _one(plan, "kubernetes:helm.sh/v3:Release").inputs["values"]
    defaults = values["controller"]["workflowDefaults"]["spec"]
    env = {e["name"]: e["value"] for e in values["executor"]["env"]}
    if kind == "ack-pro-eci":
        # A managed cluster has ECS nodes (the system pool): tenants' and Argo's pods are sent to
        # ECI by the namespace label, which outranks any nodeSelector or affinity.
        assert all(labels.get("alibabacloud.com/eci") == "true" for labels in namespaces.values())
        assert plan.of_type(POOL)
    else:
        assert not any("alibabacloud.com/eci" in labels for labels in namespaces.values())
        assert not plan.of_type(POOL)
    if sub.pods_on_eci:
        assert _one(plan, PROFILE_PATCH).inputs["metadata"]["name"] == "eci-profile"
        assert env == {"__ECI_RESOURCE_IGNORE__": "TRUE"}
        # ECI kinds: no ACS labels; only the cost tags (tests/test_cost_tags.py).
        assert "labels" not in defaults["podMetadata"] and list(defaults["podMetadata"]["annotations"]) == [
            "k8s.aliyun.com/eci-custom-tags"]
    else:
        # ACS: no eci-profile, no ECI annotations; the compute class and QoS are pod labels.
        assert not plan.of_type(PROFILE_PATCH)
        assert env == {"__IGNORE_RESOURCE__": "true"}
        # dev asks for spot (eci.spot_strategy SpotAsPriceGo): best-effort QoS on ACS.
        assert defaults["podMetadata"]["labels"] == {
            "alibabacloud.com/compute-class": "general-purpose", "alibabacloud.com/compute-qos": "best-effort"}
        assert not plan.of_type("alicloud:eci/imageCache:ImageCache")


def test_acs_without_spot_is_default_qos(tmp_path: Path) -> None:
    root = stack_files_project(tmp_path / "p")
    stack_new("nospot", "dev", ["cluster.kind=acs", "eci.spot_strategy=none"], project_root=root)
    values = _one(plan_stack("nospot", root), "kubernetes:helm.sh/v3:Release").inputs["values"]
    labels = values["controller"]["workflowDefaults"]["spec"]["podMetadata"]["labels"]
    assert labels["alibabacloud.com/compute-qos"] == "default"


@pytest.mark.parametrize(("sets", "message"), [
    (["cluster.kind=acs", "eci.instance_specs=[2-4Gi]"], "eci.instance_specs: ACS has no ECI instance specs"),
    (["cluster.kind=acs", "templates.enable_image_cache=true"], "templates.enable_image_cache: ACS has no ECI image caches"),
    (["cluster.kind=acs", "tenants[0].eci.spot_strategy=SpotAsPriceGo"], "tenants[0].eci.spot_strategy: per-tenant ECI"),
    (["cluster.kind=ack-eci"], "cluster.kind"),
])
def test_what_a_kind_cannot_do_is_one_line(tmp_path: Path, sets: list[str], message: str) -> None:
    root = stack_files_project(tmp_path / "p")
    before = sorted(p.name for p in (root / "environments").iterdir())
    with pytest.raises(AskflowError) as err:
        stack_new("bad", "dev", sets, project_root=root)
    assert message in err.value.line() and "\n" not in err.value.line()
    assert sorted(p.name for p in (root / "environments").iterdir()) == before  # nothing written


def test_prod_ack_pro_eci_needs_two_system_nodes(tmp_path: Path) -> None:
    root = stack_files_project(tmp_path / "p")
    with pytest.raises(AskflowError, match=r"cluster.system_node_pool.size: prod needs at least 2 system nodes"):
        stack_new("p1", "prod", ["cluster.system_node_pool.size=1"], project_root=root)


def test_ask_legacy_keeps_the_old_resource_and_warns_on_every_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _kind_plan("ask-legacy")
    cluster = _one(plan, SERVERLESS_KUBERNETES)
    # The URN stacks created before cluster.kind existed have: nothing is replaced.
    assert cluster.urn.endswith("::askflow-k-ask-legacy-cluster-ask") or cluster.name.endswith("-cluster-ask")
    assert cluster.inputs["endpointPublicAccessEnabled"] is False
    assert any("deprecated" in w and "cluster.kind" in w for w in plan.warnings)
    root = stack_files_project(tmp_path / "p")
    stack_new("old", "dev", ["cluster.kind=ask-legacy"], project_root=root)
    monkeypatch.chdir(root)
    assert main(["plan", "--stack", "old", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr()
    assert "deprecated" in out.out + out.err and "Moving from ASK" in out.out + out.err


def test_the_three_stacks_use_no_deprecated_cluster_resource() -> None:
    for stack in ("dev", "staging", "prod"):
        plan = plan_stack(stack, ROOT)
        assert not plan.of_type(SERVERLESS_KUBERNETES)
        assert _one(plan, MANAGED_KUBERNETES).inputs["profile"] == "Default"
        assert not any("deprecated" in w for w in plan.warnings)


# ------------------------------------------------------------------------------------------ issue #20
@pytest.mark.parametrize("kind", CLUSTER_KINDS)
def test_every_plan_says_where_the_tenants_network_policies_are_not_enforced(kind: str) -> None:
    """No kind's plan claims its NetworkPolicies are enforced: each says, once, which pods only
    Poseidon polices there, with Alibaba's page, and that askflow does not install it."""
    plan = _kind_plan(kind)
    lines = [w for w in plan.warnings if "NetworkPolicies" in w]
    assert len(lines) == 1, lines
    (line,) = lines
    support = SUBSTRATES[kind].network_policy
    assert "not enforced" in line and "Poseidon" in line and support.pods in line and support.source in line
    assert "askflow does not install it" in line
    # ...and nothing it could not verify is installed in its place.
    assert not [name for name in _addons(plan) if "poseidon" in name.lower()]


@pytest.mark.parametrize("kind", ["ack-pro-eci", "ask", "ask-legacy"])
def test_eci_kinds_outside_pro_get_no_network_policies_at_all(kind: str) -> None:
    """Alibaba supports network policies for ECI pods only in Pro clusters: a basic cluster's plan
    says they cannot be had there, not that an add-on would help."""
    line = network_policy_warning(kind, "ack.standard")  # type: ignore[arg-type]
    assert "not enforced" in line and "only in Pro clusters" in line and "cluster.cluster_spec is ack.standard" in line
    assert "install Poseidon" not in line
    assert "install Poseidon" in network_policy_warning(kind, "ack.pro.small")  # type: ignore[arg-type]


def test_acs_names_the_cpu_compute_classes_poseidon_covers() -> None:
    line = network_policy_warning("acs", "ack.standard")
    assert "ACS CPU pods" in line and "not gpu or gpu-hpn" in line and POSEIDON_DOC in line


def test_a_basic_ack_pro_eci_plan_says_its_policies_cannot_be_enforced(tmp_path: Path) -> None:
    root = stack_files_project(tmp_path / "p")
    stack_new("basic", "dev", ["cluster.cluster_spec=ack.standard"], project_root=root)
    plan = plan_stack("basic", root)
    assert [w for w in plan.warnings if "NetworkPolicies" in w] == [
        "askflow-basic: " + network_policy_warning("ack-pro-eci", "ack.standard")]
