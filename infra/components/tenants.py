"""Tenants: one namespace per team, which is how a batch job queue maps onto Argo.

Per tenant: a Namespace labelled for RRSA token injection, the workflow ServiceAccount annotated
with its RAM role, a Role + RoleBinding with only what Argo's executor needs
(``workflowtaskresults``: https://argo-workflows.readthedocs.io/en/stable/workflow-rbac/), a
ResourceQuota and a LimitRange (default requests, since ECI sizes pods from them; no default limits,
which ECI would size pods from instead),
the namespace's default artifact repository (OSS through RRSA, ``useSDKCreds``), and the queues:
a semaphore ConfigMap whose keys are queue names and whose values are their concurrency
(https://argo-workflows.readthedocs.io/en/stable/synchronization/).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from askflow import yamlio
from askflow.settings import Tenant

WORKFLOW_SERVICE_ACCOUNT = "argo-workflow"
QUEUES_CONFIGMAP = "queues"
ARTIFACT_REPOSITORIES = "artifact-repositories"
POD_IDENTITY_LABEL = "pod-identity.alibabacloud.com/injection"
POD_IDENTITY_ROLE_ANNOTATION = "pod-identity.alibabacloud.com/role-name"
# Pod Security Admission (https://kubernetes.io/docs/concepts/security/pod-security-admission/).
# `baseline` is enforced: no privileged pods, host namespaces, hostPath or added capabilities,
# none of which Argo's emissary executor needs ("No privileged access", workflow-executors.md).
# `restricted` only warns and audits: it also demands seccompProfile on every pod, which ECI does
# not list among the security-context fields it honours (ECI "Configure a security context"), and
# tenant images that need root would be refused outright.
POD_SECURITY_LABELS = {
    "pod-security.kubernetes.io/enforce": "baseline",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
}


@dataclass(frozen=True, kw_only=True)
class TenantArgs:
    tenant: Tenant
    """The tenant's settings."""
    role_name: pulumi.Input[str]
    """RAM role of the tenant's workflow service account (RRSA)."""
    bucket_name: pulumi.Input[str]
    """Artifact bucket."""
    oss_endpoint: str
    """The region's internal OSS endpoint."""
    provider: k8s.Provider
    """The cluster's Kubernetes provider."""
    allow_artifact_gc: bool = False
    """Grant the executor what artifact GC needs."""
    labels: dict[str, str] | None = None
    """Labels on every object."""
    namespace_labels: dict[str, str] | None = None
    """Labels on the namespace only: where its pods run (``alibabacloud.com/eci`` on ack-pro-eci)."""


def artifact_repository(bucket: str, endpoint: str, namespace: str) -> dict[str, object]:
    """The namespace's OSS artifact repository: RRSA credentials, keys separated per workflow."""
    return {
        "archiveLogs": True,
        "oss": {
            "endpoint": endpoint,
            "bucket": bucket,
            "useSDKCreds": True,
            # <namespace>/<date>/<workflow>/<pod>: a tenant's role may only touch its prefix.
            "keyFormat": (
                f"{namespace}/{{{{workflow.creationTimestamp.Y}}}}/{{{{workflow.creationTimestamp.m}}}}/"
                "{{workflow.creationTimestamp.d}}/{{workflow.name}}/{{pod.name}}"
            ),
        },
    }


class TenantComponent(pulumi.ComponentResource):
    """A team's namespace, identity, quota, queues and artifact repository (``askflow:tenants:Tenant``)."""

    namespace: pulumi.Output[str]
    service_account: pulumi.Output[str]
    ns: k8s.core.v1.Namespace

    def __init__(self, name: str, args: TenantArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("askflow:tenants:Tenant", name, None, opts)
        t = args.tenant
        ns_name = t.name
        labels = {"app.kubernetes.io/managed-by": "askflow", "askflow.dev/tenant": ns_name, **(args.labels or {})}
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.provider)

        def meta(obj_name: str, **extra: object) -> k8s.meta.v1.ObjectMetaArgs:
            return k8s.meta.v1.ObjectMetaArgs(name=obj_name, namespace=ns_name, labels=labels, **extra)  # type: ignore[arg-type]

        ns = self.ns = k8s.core.v1.Namespace(
            f"{name}-ns",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=ns_name,
                labels={**labels, **POD_SECURITY_LABELS, POD_IDENTITY_LABEL: "on", **(args.namespace_labels or {})},
            ),
            opts=k8s_opts,
        )
        in_ns = pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[ns])
        sa = k8s.core.v1.ServiceAccount(
            f"{name}-sa",
            metadata=meta(WORKFLOW_SERVICE_ACCOUNT, annotations={POD_IDENTITY_ROLE_ANNOTATION: args.role_name}),
            automount_service_account_token=True,
            opts=in_ns,
        )
        rules = [
            k8s.rbac.v1.PolicyRuleArgs(
                api_groups=["argoproj.io"], resources=["workflowtaskresults"], verbs=["create", "patch"]
            )
        ]
        if args.allow_artifact_gc:
            rules += [
                k8s.rbac.v1.PolicyRuleArgs(
                    api_groups=["argoproj.io"], resources=["workflowartifactgctasks"], verbs=["list", "watch"]
                ),
                k8s.rbac.v1.PolicyRuleArgs(
                    api_groups=["argoproj.io"], resources=["workflowartifactgctasks/status"], verbs=["patch"]
                ),
            ]
        role = k8s.rbac.v1.Role(f"{name}-executor-role", metadata=meta("argo-executor"), rules=rules, opts=in_ns)
        k8s.rbac.v1.RoleBinding(
            f"{name}-executor-binding",
            metadata=meta("argo-executor"),
            role_ref=k8s.rbac.v1.RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="Role", name="argo-executor"),
            subjects=[k8s.rbac.v1.SubjectArgs(kind="ServiceAccount", name=WORKFLOW_SERVICE_ACCOUNT, namespace=ns_name)],
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[role, sa]),
        )
        k8s.core.v1.ResourceQuota(
            f"{name}-quota",
            metadata=meta("askflow-quota"),
            spec=k8s.core.v1.ResourceQuotaSpecArgs(hard={
                "requests.cpu": t.quota.cpu,
                "requests.memory": t.quota.memory,
                "pods": str(t.quota.pods),
            }),
            opts=in_ns,
        )
        k8s.core.v1.LimitRange(
            f"{name}-limits",
            metadata=meta("askflow-defaults"),
            # No default limit unless the tenant sets one. ECI sizes a pod from its containers'
            # resources: requests only -> their sum, requests and limits -> the sum of limits
            # ("Specify the number of vCPUs and memory size to create a pod"). A default limit gives
            # every container a limit, so every pod would be sized (and billed) by it.
            spec=k8s.core.v1.LimitRangeSpecArgs(limits=[k8s.core.v1.LimitRangeItemArgs(
                type="Container",
                default_request={"cpu": t.default_request.cpu, "memory": t.default_request.memory},
                default={"cpu": t.default_limit.cpu, "memory": t.default_limit.memory} if t.default_limit else None,
            )]),
            opts=in_ns,
        )
        k8s.core.v1.ConfigMap(
            f"{name}-queues",
            metadata=meta(QUEUES_CONFIGMAP),
            data={queue: str(limit) for queue, limit in t.queues.items()},
            opts=in_ns,
        )
        repo = pulumi.Output.from_input(args.bucket_name).apply(
            lambda bucket: yamlio.dumps(artifact_repository(bucket, args.oss_endpoint, ns_name))
        )
        k8s.core.v1.ConfigMap(
            f"{name}-artifact-repositories",
            metadata=meta(
                ARTIFACT_REPOSITORIES,
                annotations={"workflows.argoproj.io/default-artifact-repository": "oss"},
            ),
            data={"oss": repo},
            opts=in_ns,
        )
        self.namespace = ns.metadata.apply(lambda m: m.name or ns_name)
        self.service_account = sa.metadata.apply(lambda m: m.name or WORKFLOW_SERVICE_ACCOUNT)
        self.register_outputs({"namespace": self.namespace, "serviceAccount": self.service_account})
