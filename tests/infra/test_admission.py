"""The tenant artifact admission policy, evaluated by a CEL implementation (common-expression-language).

Every place a Workflow, WorkflowTemplate, CronWorkflow or WorkflowTaskResult can name an artifact,
with every trick a tenant might try to reach another tenant's prefix through argo-server (Argo
v4.0.6 server/artifacts/artifact_server.go serves the location in the status with its own RAM role),
is refused; the library's own templates and ordinary keys are admitted.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

import cel
import pytest

from askflow.plan import Plan, plan_stack
from tests.conftest import ROOT
from tests.plan import harness  # noqa: F401 - puts infra/ on sys.path (components.<module>)

BUCKET = "askflow-dev-cn-hangzhou-artifacts"
ENDPOINT = "https://oss-cn-hangzhou-internal.aliyuncs.com"
NS = "data-eng"


@functools.cache
def policy() -> dict[str, Any]:
    from components.admission import policy_spec  # type: ignore[import-not-found]

    return policy_spec(BUCKET, ENDPOINT)


def refusals(obj: dict[str, Any], namespace: str = NS) -> list[str]:
    """The messages the API server would answer with ([] when it admits the object). An
    expression that fails to evaluate refuses too (failurePolicy: Fail)."""
    spec = policy()
    assert spec["failurePolicy"] == "Fail"
    ctx: dict[str, Any] = {"object": obj, "request": {"namespace": namespace}}
    ctx["variables"] = {v["name"]: cel.evaluate(v["expression"], ctx) for v in spec["variables"]}
    out = []
    for v in spec["validations"]:
        try:
            ok = cel.evaluate(v["expression"], ctx)
        except Exception as exc:  # noqa: BLE001 - the API server refuses on any evaluation error
            out.append(f"error: {exc}")
            continue
        if ok is not True:
            out.append(cel.evaluate(v["messageExpression"], ctx))
    return out


def workflow(spec: dict[str, Any], kind: str = "Workflow") -> dict[str, Any]:
    if kind == "CronWorkflow":
        return {"apiVersion": "argoproj.io/v1alpha1", "kind": kind, "spec": {"schedule": "0 * * * *", "workflowSpec": spec}}
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": kind, "spec": spec}


def main(**template: Any) -> dict[str, Any]:
    return {"name": "main", "container": {"image": "alpine:3.20"}, **template}


def args(art: dict[str, Any]) -> dict[str, Any]:
    return {"arguments": {"artifacts": [art]}}


# Each place an artifact (or artifact location) can sit, as a function of the artifact.
PLACES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "workflow arguments": lambda a: workflow({"entrypoint": "main", **args(a), "templates": [main()]}),
    "template inputs": lambda a: workflow({"templates": [main(inputs={"artifacts": [a]})]}),
    "template outputs": lambda a: workflow({"templates": [main(outputs={"artifacts": [a]})]}),
    "template archiveLocation": lambda a: workflow({"templates": [main(archiveLocation=a)]}),
    "data artifactPaths": lambda a: workflow({"templates": [
        {"name": "d", "data": {"source": {"artifactPaths": a}, "transformation": []}}]}),
    "step arguments": lambda a: workflow({"templates": [{"name": "s", "steps": [[{"name": "x", "template": "m", **args(a)}]]}]}),
    "step hook arguments": lambda a: workflow({"templates": [{"name": "s", "steps": [[
        {"name": "x", "template": "m", "hooks": {"exit": {"template": "m", **args(a)}}}]]}]}),
    "task arguments": lambda a: workflow({"templates": [{"name": "d", "dag": {"tasks": [{"name": "x", "template": "m", **args(a)}]}}]}),
    "task hook arguments": lambda a: workflow({"templates": [{"name": "d", "dag": {"tasks": [
        {"name": "x", "template": "m", "hooks": {"running": {"template": "m", "expression": "true", **args(a)}}}]}}]}),
    "inline step template": lambda a: workflow({"templates": [{"name": "s", "steps": [[
        {"name": "x", "inline": main(outputs={"artifacts": [a]})}]]}]}),
    "inline task template": lambda a: workflow({"templates": [{"name": "d", "dag": {"tasks": [
        {"name": "x", "inline": main(inputs={"artifacts": [a]})}]}}]}),
    "inline template's steps": lambda a: workflow({"templates": [{"name": "d", "dag": {"tasks": [
        {"name": "x", "inline": {"steps": [[{"name": "y", "template": "m", **args(a)}]]}}]}}]}),
    "templateDefaults": lambda a: workflow({"templateDefaults": {"outputs": {"artifacts": [a]}}, "templates": [main()]}),
    "workflow hooks": lambda a: workflow({"hooks": {"exit": {"template": "main", **args(a)}}, "templates": [main()]}),
    "WorkflowTemplate": lambda a: workflow({"templates": [main(inputs={"artifacts": [a]})]}, "WorkflowTemplate"),
    "CronWorkflow": lambda a: workflow({"templates": [main(outputs={"artifacts": [a]})]}, "CronWorkflow"),
    "WorkflowTaskResult": lambda a: {"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTaskResult",
                                     "outputs": {"artifacts": [a]}},
    "workflow status node inputs": lambda a: {**workflow({"templates": [main()]}),
                                              "status": {"nodes": {"wf-1": {"inputs": {"artifacts": [a]}}}}},
    "workflow status node outputs": lambda a: {**workflow({"templates": [main()]}),
                                               "status": {"nodes": {"wf-0": {}, "wf-1": {"outputs": {"artifacts": [a]}}}}},
}


def oss(key: str, **extra: Any) -> dict[str, Any]:
    return {"name": "a", "path": "/tmp/a", "oss": {"key": key, **extra}}


GOOD = [
    oss(f"{NS}/input.csv"),
    oss(f"{NS}/{{{{workflow.name}}}}/out.tgz"),  # templated after the literal prefix
    oss(f"uploads/{NS}/0b1e/data.csv"),
    oss(f"{NS}/x", bucket=BUCKET, endpoint=ENDPOINT),
    oss(f"{NS}/v1.2/.hidden/x"),
    {"name": "a", "path": "/tmp/a", "raw": {"data": "hello"}},
    {"name": "a", "path": "/tmp/a", "http": {"url": "https://example.com/x"}},
    {"name": "a", "path": "/src", "git": {"repo": "https://github.com/argoproj/argo-workflows.git"}},
    {"name": "a", "from": "{{steps.gen.outputs.artifacts.a}}"},
    {"name": "a", "path": "/tmp/a"},  # no location: the namespace's repository (its keyFormat is the tenant's)
]

BAD = {
    "another tenant's prefix": oss("ml/model.pkl"),
    "another tenant's uploads": oss("uploads/ml/0b1e/data.csv"),
    "a tenant whose name extends ours": oss(f"{NS}-2/x"),
    "a leading slash": oss(f"/{NS}/x"),
    "dot-dot": oss(f"{NS}/../ml/model.pkl"),
    "dot-dot anywhere (as Argo v4.1 refuses for upload keys)": oss(f"{NS}/file..tar"),
    "dot-dot at the end": oss(f"{NS}/a/.."),
    "an empty segment": oss(f"{NS}//x"),
    "a dot segment": oss(f"{NS}/./x"),
    "a trailing dot segment": oss(f"{NS}/."),
    "a backslash": oss(f"{NS}/..\\ml"),
    "a wholly templated key": oss("{{inputs.parameters.key}}"),
    "a template in the first segment": oss(f"{NS}{{{{inputs.parameters.suffix}}}}/x"),
    "an empty key": oss(""),
    "no key": {"name": "a", "oss": {"bucket": BUCKET}},
    "another bucket": oss(f"{NS}/x", bucket="someone-elses-bucket"),
    "a templated bucket": oss(f"{NS}/x", bucket="{{workflow.parameters.bucket}}"),
    "another endpoint": oss(f"{NS}/x", endpoint="https://attacker.example.com"),
    **{f"the {d} driver": {"name": "a", d: {"key": f"{NS}/x", "bucket": BUCKET}}
       for d in ("s3", "gcs", "azure", "hdfs", "artifactory", "plugin")},
}


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("art", GOOD, ids=range(len(GOOD)))
def test_keys_in_the_tenant_prefix_are_admitted(place: str, art: dict[str, Any]) -> None:
    assert refusals(PLACES[place](copy.deepcopy(art))) == []


@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("trick", sorted(BAD))
def test_every_trick_is_refused_in_every_place(place: str, trick: str) -> None:
    found = refusals(PLACES[place](copy.deepcopy(BAD[trick])))
    assert found and all(not m.startswith("error") for m in found), found
    assert found[0] == (f"an artifact in namespace {NS} must be an OSS key under {NS}/ (or uploads/{NS}/) in the "
                        "stack's bucket, without '..', '//' or other storage drivers; see askflow README, Security")


def test_the_prefix_is_the_requests_namespace() -> None:
    """The same object is fine in its own tenant's namespace and refused in another's."""
    obj = PLACES["template outputs"](oss("ml/model.pkl"))
    assert refusals(obj, "ml") == [] and refusals(obj, NS)


def test_an_inline_template_inside_an_inline_template_is_refused() -> None:
    obj = workflow({"templates": [{"name": "d", "dag": {"tasks": [{"name": "x", "inline": {
        "steps": [[{"name": "y", "inline": main()}]]}}]}}]})
    assert refusals(obj)


def test_the_artifact_repository_is_the_namespaces_own() -> None:
    ok = workflow({"artifactRepositoryRef": {"configMap": "artifact-repositories", "key": "oss"}, "templates": [main()]})
    assert refusals(ok) == []
    assert refusals(workflow({"artifactRepositoryRef": {"configMap": "queues", "key": "default"}, "templates": [main()]}))


def test_objects_without_artifacts_are_admitted() -> None:
    for obj in (workflow({}), {"kind": "Workflow"}, {"kind": "CronWorkflow", "spec": {}},
                {"kind": "WorkflowTaskResult"}, {"kind": "Workflow", "spec": {}, "status": {"phase": "Running"}}):
        assert refusals(obj) == [], obj


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return {s: plan_stack(s, ROOT) for s in ("dev", "prod")}


def test_the_library_is_admitted_in_every_tenant(plans: dict[str, Plan]) -> None:
    """Every WorkflowTemplate and CronWorkflow a stack deploys passes its namespace's policy."""
    checked = 0
    for plan in plans.values():
        for r in plan.resources:
            if r.type in ("kubernetes:argoproj.io/v1alpha1:WorkflowTemplate", "kubernetes:argoproj.io/v1alpha1:CronWorkflow"):
                assert refusals(dict(r.inputs), r.inputs["metadata"]["namespace"]) == [], r.urn
                checked += 1
    assert checked >= 10


def test_each_stack_binds_the_policy_to_every_tenant(plans: dict[str, Plan]) -> None:
    for stack, plan in plans.items():
        (vap,) = plan.of_type("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy")
        bucket = f"askflow-{stack}-cn-hangzhou-artifacts"
        assert f"'{bucket}'" in vap.inputs["spec"]["validations"][0]["expression"]
        # Each expression is parsed (and its cost budgeted) on its own; keep them short.
        assert max(len(v["expression"]) for v in vap.inputs["spec"]["validations"]) < 10_000
        bindings = {b.inputs["spec"]["matchResources"]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]:
                    b.inputs["spec"] for b in plan.of_type(
                        "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding")}
        assert set(bindings) == {"data-eng", "ml"}
        assert all(b == {**b, "policyName": vap.inputs["metadata"]["name"], "validationActions": ["Deny"]}
                   for b in bindings.values())
