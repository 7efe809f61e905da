"""Argo on the cluster: Helm values against the chart, golden values, manifests against Kubernetes' schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from askflow import yamlio
from askflow.plan import Plan, plan_stack
from askflow.plan.output import helm_values, manifests
from tests.conftest import REGENERATE, ROOT, shared_path
from tests.plan import harness  # noqa: F401  (puts infra/ on sys.path, as the language host does)

GOLDEN = Path(__file__).parent / "golden"
STACKS = ["dev", "staging", "prod"]
CHART = ("argo-helm", "argo-workflows-1.0.18", "values.yaml")
# Keys the chart documents only in comments (values.yaml has `{}` or a commented example there).
OPEN_MAPS = {
    "controller.workflowDefaults", "controller.retentionPolicy", "controller.persistence",
    "controller.workflowRestrictions", "controller.resourceRateLimit", "controller.resources",
    "server.resources", "executor.resources", "controller.pdb", "server.pdb", "server.serviceAccount.annotations",
    # Kubernetes SecurityContext objects (`{}` in the chart): checked against Kubernetes' schema below.
    "executor.securityContext", "mainContainer.securityContext",
}


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return {s: plan_stack(s, ROOT) for s in STACKS}


def values_of(plan: Plan) -> dict[str, Any]:
    return helm_values(plan)["helm/argo-workflows.values.yaml"]


def unknown_keys(ours: Any, chart: Any, path: str = "") -> list[str]:
    if not isinstance(ours, dict):
        return []
    problems = []
    for key, value in ours.items():
        here = f"{path}.{key}" if path else key
        if here in OPEN_MAPS or any(here.startswith(m + ".") for m in OPEN_MAPS):
            continue
        if not isinstance(chart, dict) or key not in chart:
            problems.append(here)
            continue
        problems += unknown_keys(value, chart[key], here)
    return problems


@pytest.mark.parametrize("stack", STACKS)
def test_every_value_key_exists_in_the_chart(plans: dict[str, Plan], stack: str) -> None:
    chart = yamlio.load_file(shared_path(*CHART))
    assert unknown_keys(values_of(plans[stack]), chart) == []


def test_a_typo_fails_the_key_walk() -> None:
    chart = yamlio.load_file(shared_path(*CHART))
    assert unknown_keys({"controller": {"replicaz": 2}}, chart) == ["controller.replicaz"]


@pytest.mark.parametrize("stack", STACKS)
def test_values_match_golden(plans: dict[str, Plan], stack: str) -> None:
    text = yamlio.dumps(values_of(plans[stack]), sort_keys=True)
    golden = GOLDEN / f"argo-workflows.{stack}.values.yaml"
    if REGENERATE or not golden.exists() and not os.environ.get("CI"):
        golden.write_text(text)
    assert golden.read_text() == text


def test_crds_kept_and_no_credentials(plans: dict[str, Plan]) -> None:
    for plan in plans.values():
        values = values_of(plan)
        assert {k: values["crds"][k] for k in ("install", "keep", "full")} == {"install": True, "keep": True, "full": True}
        assert values["crds"]["upgradeJob"]["image"]["repository"] == "registry.k8s.io/kubectl"
        assert values["images"]["tag"] == "v4.0.10"
        # The CRD job downloads from a commit (content fixed by its hash), never from a movable tag.
        assert values["crds"]["upgradeJob"]["crdBaseURL"] == (
            "https://raw.githubusercontent.com/argoproj/argo-helm/4f4cc4f9605668855e2303c9805f09ac4360f35e/"
            "charts/argo-workflows/files/crds/full"
        )
        assert values["images"]["pullPolicy"] == "IfNotPresent"
        assert values["server"]["serviceType"] == "ClusterIP"
        assert values["server"]["authModes"] == ["client"]
        assert "server" not in values["server"]["authModes"]
        everything = yamlio.dumps(values) + "".join(yamlio.dumps(d) for d in manifests(plan).values())
        for word in ("accessKeySecret", "secretKeySecret", "securityToken", "accessKeyId", "AccessKeySecret"):
            assert word not in everything


def test_artifact_repository_uses_rrsa_per_tenant(plans: dict[str, Plan]) -> None:
    docs = manifests(plans["prod"])
    repo = yamlio.loads(docs["manifests/ml/configmap-artifact-repositories.yaml"]["data"]["oss"])
    assert repo["oss"]["useSDKCreds"] is True
    assert repo["oss"]["endpoint"] == "https://oss-cn-hangzhou-internal.aliyuncs.com"
    assert repo["oss"]["bucket"] == "askflow-prod-cn-hangzhou-artifacts"
    assert repo["oss"]["keyFormat"].startswith("ml/") and "{{workflow.name}}" in repo["oss"]["keyFormat"]
    assert repo["archiveLogs"] is True


def test_prod_is_highly_available_and_restricted(plans: dict[str, Plan]) -> None:
    prod, dev = values_of(plans["prod"]), values_of(plans["dev"])
    assert prod["controller"]["replicas"] == 2 and prod["controller"]["pdb"] == {"enabled": True, "minAvailable": 1}
    assert prod["server"]["replicas"] == 2 and prod["server"]["pdb"]["enabled"]
    assert prod["controller"]["resources"]["requests"] == {"cpu": "2", "memory": "4Gi"}
    assert prod["controller"]["workflowRestrictions"] == {"templateReferencing": "Secure"}
    assert prod["controller"]["persistence"]["archive"] is True
    assert dev["controller"]["replicas"] == 1 and "workflowRestrictions" not in dev["controller"]
    assert "persistence" not in dev["controller"]
    spec = prod["controller"]["workflowDefaults"]["spec"]
    assert spec["serviceAccountName"] == "argo-workflow" and spec["podGC"] == {"strategy": "OnPodSuccess"}
    assert prod["controller"]["workflowNamespaces"] == ["data-eng", "ml"]


def test_tenants_are_isolated(plans: dict[str, Plan]) -> None:
    docs = manifests(plans["prod"])
    for tenant in ("data-eng", "ml"):
        binding = docs[f"manifests/{tenant}/rolebinding-argo-executor.yaml"]
        assert binding["metadata"]["namespace"] == tenant
        assert binding["roleRef"]["kind"] == "Role"
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "argo-workflow", "namespace": tenant}]
        sa = docs[f"manifests/{tenant}/serviceaccount-argo-workflow.yaml"]
        assert sa["metadata"]["annotations"]["pod-identity.alibabacloud.com/role-name"] == f"askflow-prod-{tenant}-executor"
        ns = docs[f"manifests/_cluster/namespace-{tenant}.yaml"]
        assert ns["metadata"]["labels"]["pod-identity.alibabacloud.com/injection"] == "on"
        queues = docs[f"manifests/{tenant}/configmap-queues.yaml"]["data"]
        assert all(v.isdigit() for v in queues.values())
    assert not any(k.endswith("clusterrolebinding") for k in docs)


@pytest.mark.parametrize("stack", STACKS)
def test_quotas_cap_limits_and_limitranges_size_pods_as_their_requests(plans: dict[str, Plan], stack: str) -> None:
    """ECI sizes (and bills) a pod from its containers' limits whenever they have any, else from
    their requests (ECI "Specify the number of vCPUs and memory size to create a pod"), so the quota
    caps limits.* too. A quota on limits refuses containers without one, so the LimitRange gives a
    default limit equal to the default request (an ECI pod is sized as the request alone would), set
    explicitly: with `max` alone Kubernetes would default every limit to max."""
    docs = manifests(plans[stack])
    ranges = [doc for doc in docs.values() if doc.get("kind") == "LimitRange"]
    quotas = [doc for doc in docs.values() if doc.get("kind") == "ResourceQuota"]
    assert ranges and len(ranges) == len(quotas)
    for doc in ranges:
        (item,) = doc["spec"]["limits"]
        assert item["type"] == "Container" and set(item["defaultRequest"]) == {"cpu", "memory"}
        assert item["default"] == item["defaultRequest"], doc["metadata"]
        assert item["max"] == {"cpu": "16", "memory": "64Gi"}
    for doc in quotas:
        hard = doc["spec"]["hard"]
        assert {"requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "pods"} == set(hard)
        assert (hard["limits.cpu"], hard["limits.memory"]) == (hard["requests.cpu"], hard["requests.memory"])


@pytest.mark.parametrize("stack", STACKS)
def test_every_kubernetes_object_validates_against_the_cluster_version(plans: dict[str, Plan], stack: str) -> None:
    version = "1.33.0"
    checked = 0
    for rel, doc in manifests(plans[stack]).items():
        if doc["apiVersion"].split("/")[0] in ("argoproj.io", "log.alibabacloud.com") or rel.endswith("-patch.yaml"):
            continue  # custom resources: Argo's are checked against Argo's CRD schemas by the library tests
        kubernetes_validate.validate(doc, version, strict=True)  # secrets masked leaf by leaf, shape kept
        checked += 1
    assert checked >= 10


def test_artifact_gc_pods_run_as_the_tenant_workflow_account() -> None:
    """Argo runs the artifact-GC pod as spec.artifactGC.serviceAccountName, not as the workflow's
    account (argo-workflows discussion #15623); only argo-workflow has the RRSA role that may delete
    and the workflowartifactgctasks grants (tenants component)."""
    from components.argo import helm_values as chart_values  # type: ignore[import-not-found]
    from components.tenants import WORKFLOW_SERVICE_ACCOUNT  # type: ignore[import-not-found]

    from askflow.settings import parse_settings
    from tests.test_settings import BASE

    s = parse_settings("cn-hangzhou", BASE, file="x").argo
    spec = chart_values(s, ("team",), server_role_name="r", artifact_gc=True)["controller"]["workflowDefaults"]["spec"]
    assert spec["artifactGC"] == {"strategy": "OnWorkflowDeletion", "serviceAccountName": WORKFLOW_SERVICE_ACCOUNT}
    assert spec["serviceAccountName"] == WORKFLOW_SERVICE_ACCOUNT
    # Both keys are Argo's own (WorkflowLevelArtifactGC in the v4.1.2 JSON schema).
    schema = yamlio.load_file(shared_path("argo", "v4.1.2", "schema.json"))
    gc = schema["definitions"]["io.argoproj.workflow.v1alpha1.WorkflowLevelArtifactGC"]["properties"]
    assert set(spec["artifactGC"]) <= set(gc)
    off = chart_values(s, ("team",), server_role_name="r")["controller"]["workflowDefaults"]["spec"]
    assert "artifactGC" not in off


PSA_LEVELS = ("privileged", "baseline", "restricted")


@pytest.mark.parametrize("stack", STACKS)
def test_every_namespace_enforces_pod_security(plans: dict[str, Plan], stack: str) -> None:
    """Without Pod Security Admission labels a namespace admits privileged pods, hostPath and host
    namespaces. Argo's emissary executor needs none of them (workflow-executors.md: "No privileged
    access"), so every namespace askflow creates enforces `baseline` and warns on `restricted`."""
    namespaces = {rel: doc for rel, doc in manifests(plans[stack]).items() if doc["kind"] == "Namespace"}
    names = {doc["metadata"]["name"] for doc in namespaces.values()}
    assert {"argo", "data-eng", "ml"} <= names
    for doc in namespaces.values():
        labels = doc["metadata"]["labels"]
        assert labels["pod-security.kubernetes.io/enforce"] == "baseline", doc["metadata"]["name"]
        assert labels["pod-security.kubernetes.io/warn"] == "restricted"
        assert labels["pod-security.kubernetes.io/audit"] == "restricted"
        psa = {k: v for k, v in labels.items() if k.startswith("pod-security.kubernetes.io/")}
        assert all(v in PSA_LEVELS for v in psa.values())


@pytest.mark.parametrize("stack", STACKS)
def test_argo_server_serves_tls(plans: dict[str, Plan], stack: str) -> None:
    """In client auth mode every request to argo-server carries a Kubernetes bearer token, through
    a port-forward or across the VPC on the intranet SLB. Argo's own default is TLS with a
    self-signed certificate; plain text is for development only (docs/tls.md)."""
    server = values_of(plans[stack])["server"]
    assert server["secure"] is True
    assert "--secure=false" not in server.get("extraArgs", [])


def strict_schema(definition: str) -> dict[str, Any]:
    """One definition of Argo's JSON schema (which carries Kubernetes' own), refusing unknown keys."""
    schema = yamlio.load_file(shared_path("argo", "v4.1.2", "schema.json"))

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schema["definitions"])
    return {"$ref": f"#/definitions/{definition}", "definitions": schema["definitions"]}


def test_strict_schema_refuses_an_unknown_key() -> None:
    import jsonschema

    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"runAsNonRot": True}, strict_schema("io.k8s.api.core.v1.PodSecurityContext"))


@pytest.mark.parametrize("stack", STACKS)
def test_workflow_defaults_and_container_defaults_validate(plans: dict[str, Plan], stack: str) -> None:
    """workflowDefaults is a WorkflowSpec and the executor's and main container's securityContext
    are Kubernetes SecurityContexts: the chart passes them through unchecked, the controller would
    refuse its configmap (or silently drop a misspelt key)."""
    import jsonschema

    values = values_of(plans[stack])
    jsonschema.validate(values["controller"]["workflowDefaults"]["spec"],
                        strict_schema("io.argoproj.workflow.v1alpha1.WorkflowSpec"))
    for key in ("executor", "mainContainer"):
        jsonschema.validate(values[key]["securityContext"], strict_schema("io.k8s.api.core.v1.SecurityContext"))


@pytest.mark.parametrize("stack", STACKS)
def test_workflow_pods_run_unprivileged_by_default(plans: dict[str, Plan], stack: str) -> None:
    """Argo runs workflow pods as root unless told otherwise (workflow-pod-security-context.md).
    The emissary executor works as non-root and with no capability, so every stack defaults the
    pod to a non-root user (pod level: ECI honours runAsUser there) and drops every capability and
    privilege escalation in the init, wait and main containers (container level only)."""
    values = values_of(plans[stack])
    pod = values["controller"]["workflowDefaults"]["spec"]["securityContext"]
    assert pod["runAsNonRoot"] is True and pod["runAsUser"] > 0
    for key in ("executor", "mainContainer"):
        container = values[key]["securityContext"]
        assert container["allowPrivilegeEscalation"] is False, key
        assert container["capabilities"]["drop"] == ["ALL"], key
        assert "add" not in container["capabilities"] and not container.get("privileged"), key
        # Who the process runs as is the workflow's choice, at pod level: a container-level
        # default would override what a workflow's own securityContext says.
        assert "runAsUser" not in container and "runAsNonRoot" not in container, key


@pytest.mark.parametrize("stack", STACKS)
def test_executor_containers_never_take_the_tenant_limitrange_defaults(plans: dict[str, Plan], stack: str) -> None:
    """A LimitRange fills every missing request and limit of every container, the executor's init
    and wait containers included; its defaults are sized for main containers (2 vCPU, 4Gi). The
    executor states all four itself so its two containers add little to the ECI instance."""
    resources = values_of(plans[stack])["executor"]["resources"]
    for kind in ("requests", "limits"):
        assert set(resources[kind]) == {"cpu", "memory"}, kind


def test_the_non_root_default_can_be_turned_off() -> None:
    """argo.workflow_pods_non_root: false leaves workflow pods to their images' users (Argo's own
    default); the container hardening (no capabilities, no privilege escalation) stays."""
    from components.argo import helm_values as chart_values  # type: ignore[import-not-found]

    from askflow.settings import parse_settings
    from tests.test_settings import BASE

    on = parse_settings("cn-hangzhou", BASE, file="x").argo
    off = parse_settings("cn-hangzhou", {**BASE, "argo": {**BASE.get("argo", {}), "workflow_pods_non_root": False}},
                         file="x").argo
    assert on.workflow_pods_non_root is True
    spec_on = chart_values(on, ("team",), server_role_name="r")["controller"]["workflowDefaults"]["spec"]
    spec_off = chart_values(off, ("team",), server_role_name="r")["controller"]["workflowDefaults"]["spec"]
    assert spec_on["securityContext"] == {"runAsNonRoot": True, "runAsUser": 8737}
    assert "securityContext" not in spec_off
    assert {k: v for k, v in spec_on.items() if k != "securityContext"} == spec_off
    # The main containers' hardening goes with it (Argo's defaults); the executor's own stays.
    values_on = chart_values(on, ("team",), server_role_name="r")
    values_off = chart_values(off, ("team",), server_role_name="r")
    assert values_on["mainContainer"]["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert "mainContainer" not in values_off
    assert values_off["executor"]["securityContext"] == values_on["executor"]["securityContext"]


@pytest.mark.parametrize("stack", STACKS)
def test_eci_sizes_pods_without_the_executor_containers(plans: dict[str, Plan], stack: str) -> None:
    """ECI sizes a pod from its containers' limits (else requests) and rounds up to an instance size
    (ECI "Specify the number of vCPUs and memory size to create a pod"); Argo's init and wait
    containers are left out of that sum with ECI's __ECI_RESOURCE_IGNORE__ (ECI "Ignore specific
    containers when the system adjusts resources"), through the chart's executor.env."""
    executor = values_of(plans[stack])["executor"]
    assert {"name": "__ECI_RESOURCE_IGNORE__", "value": "TRUE"} in executor["env"]
    assert executor["resources"]["limits"]["cpu"] and executor["resources"]["limits"]["memory"]  # still bounded


def test_image_digests_pin_each_image_beyond_its_tag() -> None:
    """The chart takes `tag@digest` as a tag (templates/_helpers.tpl of 1.0.18 documents it and strips the
    digest from its labels); without digests the images stay pinned by tag only."""
    from components.argo import helm_values as chart_values  # type: ignore[import-not-found]

    from askflow.settings import parse_settings
    from tests.test_settings import BASE

    plain = chart_values(parse_settings("cn-hangzhou", BASE, file="x").argo, ("team",), server_role_name="r")
    assert all("tag" not in plain[c]["image"] for c in ("controller", "server", "executor"))
    digest = "sha256:" + "ab" * 32
    pinned = {**BASE, "argo": {**BASE.get("argo", {}), "image_digests": {"controller": digest, "executor": digest}}}
    values = chart_values(parse_settings("cn-hangzhou", pinned, file="x").argo, ("team",), server_role_name="r")
    assert values["controller"]["image"]["tag"] == values["executor"]["image"]["tag"] == f"v4.0.10@{digest}"
    assert "tag" not in values["server"]["image"]
    chart = yamlio.load_file(shared_path(*CHART))
    assert all("tag" in chart[c]["image"] for c in ("controller", "server", "executor"))
