"""Tenants: one namespace per team, which is how a batch job queue maps onto Argo.

Per tenant: a Namespace labelled for RRSA token injection, the workflow ServiceAccount annotated
with its RAM role, a Role + RoleBinding with only what Argo's executor needs
(``workflowtaskresults``: https://argo-workflows.readthedocs.io/en/stable/workflow-rbac/), a
ResourceQuota on requests and limits and a LimitRange (default requests and limits, a maximum per
container), the binding of the cluster's artifact admission policy (components.admission), a
default-deny NetworkPolicy, a RoleBinding of the tenant's user group to ``askflow-tenant-user``,
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
from components.admission import ARTIFACT_REPOSITORIES
from components.admission import POLICY_NAME as ARTIFACT_POLICY

WORKFLOW_SERVICE_ACCOUNT = "argo-workflow"
QUEUES_CONFIGMAP = "queues"
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


#: The ClusterRole of tenant users, bound per namespace (a RoleBinding to a ClusterRole grants it
#: in that namespace only). A ClusterRole because ACK's own grants (console "Custom" role,
#: GrantPermissions with is_custom) bind RAM users and roles to ClusterRoles, per namespace
#: (https://www.alibabacloud.com/help/en/ack/af4889).
TENANT_USER_ROLE = "askflow-tenant-user"
#: What a tenant's people may do in their namespace: submit, watch, stop and delete workflows; read
#: templates, cron workflows, pods and their logs. No Secrets, no ConfigMaps (the artifact
#: repository and queues are the platform's), no WorkflowTaskResults (only the executor reports
#: outputs), no pods/exec.
TENANT_USER_RULES: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    (("argoproj.io",), ("workflows",), ("create", "get", "list", "watch", "update", "patch", "delete")),
    (("argoproj.io",), ("workflowtemplates", "cronworkflows", "clusterworkflowtemplates"), ("get", "list", "watch")),
    (("",), ("pods", "pods/log", "events"), ("get", "list", "watch")),
)


def tenant_user_role(name: str, provider: k8s.Provider, parent: pulumi.Resource | None = None) -> k8s.rbac.v1.ClusterRole:
    """The ClusterRole every tenant namespace binds for its users (one per cluster)."""
    return k8s.rbac.v1.ClusterRole(
        name,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=TENANT_USER_ROLE, labels={"app.kubernetes.io/managed-by": "askflow"}),
        rules=[k8s.rbac.v1.PolicyRuleArgs(api_groups=list(g), resources=list(r), verbs=list(v))
               for g, r, v in TENANT_USER_RULES],
        opts=pulumi.ResourceOptions(parent=parent, provider=provider),
    )


def network_policy_spec(vpc_cidr: str, service_cidr: str) -> dict[str, object]:
    """Default deny for a tenant namespace, with what a workflow needs.

    Ingress only from the namespace's own pods (daemon steps, sidecars of one workflow). Egress:
    DNS (port 53, wherever the resolver is), the namespace's own pods, everything outside the
    VPC (OSS and STS endpoints, which resolve to Alibaba Cloud service addresses, and the internet
    through the NAT gateway), and inside the VPC only the Kubernetes API (6443 on the API server's
    address, 443 on its Service address): the executor creates and patches WorkflowTaskResults
    (Argo v4 ``workflow/executor``). So no tenant reaches another tenant's pods, argo-server,
    the controller's metrics or the archive database.
    """
    same_namespace: dict[str, object] = {"podSelector": {}}
    return {
        "podSelector": {},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [{"from": [same_namespace]}],
        "egress": [
            {"ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]},
            {"to": [same_namespace]},
            {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": [vpc_cidr]}}]},
            {"to": [{"ipBlock": {"cidr": vpc_cidr}}], "ports": [{"protocol": "TCP", "port": 6443}]},
            {"to": [{"ipBlock": {"cidr": service_cidr}}], "ports": [{"protocol": "TCP", "port": 443}]},
        ],
    }


@dataclass(frozen=True, kw_only=True)
class TenantArgs:
    tenant: Tenant
    """The tenant's settings."""
    role_name: pulumi.Input[str] | None
    """RAM role of the tenant's workflow service account (RRSA); None where RRSA is not available
    (the managed engine without an OIDC issuer): the account then carries no role annotation."""
    bucket_name: pulumi.Input[str]
    """Artifact bucket."""
    oss_endpoint: str
    """The region's internal OSS endpoint."""
    provider: k8s.Provider
    """The cluster's Kubernetes provider."""
    vpc_cidr: pulumi.Input[str]
    """The VPC's CIDR (the NetworkPolicy keeps tenant pods out of it but for the API server)."""
    service_cidr: str
    """The cluster's Service CIDR."""
    allow_artifact_gc: bool = False
    archive_logs: bool = True
    """Argo archives each step's main log in the repository (``archiveLogs``)."""
    """Grant the executor what artifact GC needs."""
    labels: dict[str, str] | None = None
    """Labels on every object."""
    namespace_labels: dict[str, str] | None = None
    """Labels on the namespace only: where its pods run (``alibabacloud.com/eci`` on ack-pro-eci)."""


def artifact_repository(bucket: str, endpoint: str, namespace: str, archive_logs: bool = True) -> dict[str, object]:
    """The namespace's OSS artifact repository: RRSA credentials, keys separated per workflow."""
    return {
        "archiveLogs": archive_logs,
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
            metadata=meta(WORKFLOW_SERVICE_ACCOUNT, annotations={POD_IDENTITY_ROLE_ANNOTATION: args.role_name}
                          if args.role_name is not None else None),
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
            # ECI sizes and bills a pod whose containers have limits by the sum of those limits
            # ("Specify the number of vCPUs and memory size to create a pod"), so requests alone cap
            # nothing: a pod requesting 1 CPU with a 64-CPU limit runs (and bills) as 64.
            spec=k8s.core.v1.ResourceQuotaSpecArgs(hard={
                "requests.cpu": t.quota.cpu,
                "requests.memory": t.quota.memory,
                "limits.cpu": t.quota.limits.cpu,
                "limits.memory": t.quota.limits.memory,
                "pods": str(t.quota.pods),
            }),
            opts=in_ns,
        )
        k8s.core.v1.LimitRange(
            f"{name}-limits",
            metadata=meta("askflow-defaults"),
            # A quota on limits.* refuses a container without limits, so the LimitRange gives one:
            # default_limit, which is default_request unless the tenant sets it. Equal to the
            # request, it sizes an ECI pod as the request alone would (ECI: requests and limits ->
            # the sum of limits). It must be explicit: with `max` and no `default`, Kubernetes makes
            # max every container's default limit (https://kubernetes.io/docs/concepts/policy/limit-range/),
            # and ECI would size every pod at max.
            spec=k8s.core.v1.LimitRangeSpecArgs(limits=[k8s.core.v1.LimitRangeItemArgs(
                type="Container",
                default_request={"cpu": t.default_request.cpu, "memory": t.default_request.memory},
                default={"cpu": t.limits.cpu, "memory": t.limits.memory},
                max={"cpu": t.container_max.cpu, "memory": t.container_max.memory},
            )]),
            opts=in_ns,
        )
        # The cluster's artifact admission policy (components.admission) applies to this namespace.
        k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
            f"{name}-artifact-policy",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=f"{ARTIFACT_POLICY}-{ns_name}", labels=labels),
            spec=k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpecArgs(
                policy_name=ARTIFACT_POLICY,
                validation_actions=["Deny"],
                # kubernetes.io/metadata.name is set by the API server and cannot be changed.
                match_resources=k8s.admissionregistration.v1.MatchResourcesArgs(
                    namespace_selector=k8s.meta.v1.LabelSelectorArgs(
                        match_labels={"kubernetes.io/metadata.name": ns_name}),
                ),
            ),
            opts=k8s_opts,
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-network-policy",
            metadata=meta("askflow-default-deny"),
            spec=pulumi.Output.from_input(args.vpc_cidr).apply(
                lambda cidr: network_policy_spec(cidr, args.service_cidr)),  # type: ignore[arg-type,return-value]
            opts=in_ns,
        )
        k8s.rbac.v1.RoleBinding(
            f"{name}-users",
            metadata=meta(TENANT_USER_ROLE),
            role_ref=k8s.rbac.v1.RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="ClusterRole",
                                             name=TENANT_USER_ROLE),
            subjects=[k8s.rbac.v1.SubjectArgs(kind="Group", name=t.group, api_group="rbac.authorization.k8s.io")],
            opts=in_ns,
        )
        k8s.core.v1.ConfigMap(
            f"{name}-queues",
            metadata=meta(QUEUES_CONFIGMAP),
            data={queue: str(limit) for queue, limit in t.queues.items()},
            opts=in_ns,
        )
        repo = pulumi.Output.from_input(args.bucket_name).apply(
            lambda bucket: yamlio.dumps(artifact_repository(bucket, args.oss_endpoint, ns_name, args.archive_logs))
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
