"""WorkflowClusterFeatures under the plan's mocks: what the engine registers, how the plan checks it,
and what `askflow plan --against` says when it changes."""

from __future__ import annotations

import copy
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from askflow.ackone.features import FEATURES_TYPE
from askflow.plan import Plan
from askflow.plan.changes import compare
from askflow.plan.contract.check import KeyIndex, check_resources
from tests.plan.harness import record

CLUSTER_ID = "c0123456789abcdef0123456789abcdef"


def _plan(**over: Any) -> Plan:
    from components.workflow_cluster import WorkflowClusterFeatures, WorkflowClusterFeaturesArgs

    args: dict[str, Any] = {"cluster_id": CLUSTER_ID, "region": "cn-hangzhou", "argo_server_enabled": True,
                            "scheduling_mode": "cost-optimized", **over}

    def program() -> None:
        features = WorkflowClusterFeatures("askflow-test-workflow", WorkflowClusterFeaturesArgs(**args))
        k8s.Provider("askflow-test-workflow", kubeconfig=features.kubeconfig)
        pulumi.export("kubeconfig", features.kubeconfig)
        pulumi.export("settings", pulumi.Output.all(features.argo_server_enabled, features.scheduling_mode))

    return record(program)


def _features(plan: Plan) -> Any:
    found = plan.of_type(FEATURES_TYPE)
    assert len(found) == 1, [r.type for r in plan.resources]
    return found[0]


def test_it_registers_as_its_own_dynamic_type_with_the_provider_pickled_as_a_secret() -> None:
    plan = _plan()
    r = _features(plan)
    assert r.custom and r.id == CLUSTER_ID
    assert {k: v for k, v in r.inputs.items() if v is not None} == {
        "__provider": "[secret]", "cluster_id": CLUSTER_ID, "region": "cn-hangzhou",
        "argo_server_enabled": True, "scheduling_mode": "cost-optimized"}
    assert plan.outputs["settings"] == [True, "cost-optimized"]


def test_the_kubeconfig_is_a_secret_and_feeds_the_kubernetes_provider() -> None:
    plan = _plan()
    assert plan.outputs["kubeconfig"] == "[secret]"
    provider = next(r for r in plan.resources if r.type == "pulumi:providers:kubernetes")
    assert provider.inputs["kubeconfig"] == "[secret]"
    assert _features(plan).urn in provider.dependencies


def test_the_plan_holds_it_to_its_declared_inputs() -> None:
    plan = _plan()
    assert [f.line() for f in check_resources(plan.resources, KeyIndex({}))] == []

    def errors(mutate: Any) -> list[str]:
        resources = copy.deepcopy(plan.resources)
        mutate(_features(Plan(**{**vars(plan), "resources": resources})))
        return [f.line() for f in check_resources(resources, KeyIndex({})) if f.severity == "error"]

    assert errors(lambda r: r.inputs.update(scheduling_mode="cheapest")) == [
        "pulumi-python:dynamic.WorkflowClusterFeatures askflow-test-workflow: scheduling_mode: 'cheapest' is not "
        "one of 'stock-optimized', 'cost-optimized'"]
    assert errors(lambda r: r.inputs.update(argo_server_enabled="yes")) == [
        "pulumi-python:dynamic.WorkflowClusterFeatures askflow-test-workflow: argo_server_enabled: 'yes' is not a "
        "boolean"]
    assert errors(lambda r: r.inputs.update(price_limit="0.5")) == [
        "pulumi-python:dynamic.WorkflowClusterFeatures askflow-test-workflow: price_limit: is not an input of this "
        "resource"]
    assert errors(lambda r: r.inputs.update(__provider="gASV...")) == [
        "pulumi-python:dynamic.WorkflowClusterFeatures askflow-test-workflow: __provider: the pickled provider is "
        "not a secret: keep serialize_as_secret_always = True"]
    assert errors(lambda r: setattr(r, "type", "pulumi-python:dynamic:Resource")) == [
        "pulumi-python:dynamic.Resource askflow-test-workflow: (type): a dynamic resource askflow does not declare: "
        "subclass pulumi.dynamic.Resource with module= and name=, and add its inputs to "
        "askflow.plan.contract.dynamic_resources"]


@pytest.mark.parametrize(("change", "action", "forced"), [
    ({"scheduling_mode": "stock-optimized"}, "update", []),
    ({"argo_server_enabled": False}, "update", []),
    ({"cluster_id": "cfedcba9876543210fedcba9876543210"}, "replace", ["cluster_id (askflow/ackone/features.py)"]),
])
def test_against_an_earlier_plan_settings_update_and_another_cluster_replaces(
        change: dict[str, Any], action: str, forced: list[str]) -> None:
    old = _plan().to_dict()
    comparison = compare(old, _plan(**change), against="old.json", allow_replacement=False)
    mine = [c for c in comparison.changes if c.type == FEATURES_TYPE]
    assert [(c.action, c.properties, c.forced_by) for c in mine] == [(action, sorted(change), forced)]
