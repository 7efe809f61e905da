"""Argo Workflows from its pinned Helm chart (argoproj/argo-helm ``argo-workflows``).

``helm.v3.Release`` (Helm itself, so the chart's CRD hook Job runs; ``helm.v3/v4.Chart`` would
render client-side and skip hooks). Values are ``infra/values/argo-workflows.yaml`` merged with
what depends on the stack (:func:`helm_values`). Auth is ``client`` or ``sso``, never ``server``.
The optional workflow archive is an ApsaraDB RDS for PostgreSQL instance in the stack's VPC.
Anything that uses Argo's CRDs must depend on :attr:`ArgoComponent.release`
(pulumi-kubernetes #3176).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s
import pulumi_random as random

from askflow import cost_tags, yamlio
from askflow.settings import WORKFLOW_RUN_AS_USER, Argo, deep_merge
from components.tenants import (
    POD_IDENTITY_LABEL,
    POD_IDENTITY_ROLE_ANNOTATION,
    POD_SECURITY_LABELS,
    WORKFLOW_SERVICE_ACCOUNT,
)

VALUES_FILE = Path(__file__).resolve().parent.parent / "values" / "argo-workflows.yaml"
RELEASE_NAME = "argo-workflows"
ARCHIVE_SECRET = "argo-archive-db"
SSO_SECRET = "argo-server-sso"
#: The executor's repository as the pinned chart names it (values.yaml ``executor.image.repository``,
#: argo-helm argo-workflows-1.0.18); the stack sets only its registry and tag (``images.tag``). It is
#: the init and wait container of every workflow pod, so the ECI image cache must hold it too.
EXECUTOR_REPOSITORY = "argoproj/argoexec"


def executor_image(s: Argo) -> str:
    """The executor image every workflow pod pulls: ``<image_registry>/argoproj/argoexec:<image_tag>``,
    with ``@<digest>`` when ``image_digests.executor`` pins it (as the chart renders it)."""
    digest = f"@{s.image_digests.executor}" if s.image_digests.executor else ""
    return f"{s.image_registry.rstrip('/')}/{EXECUTOR_REPOSITORY}:{s.image_tag}{digest}"


@dataclass(frozen=True, kw_only=True)
class ArchiveNetwork:
    """Where the archive database lives."""

    vpc_id: pulumi.Input[str]
    vswitch_id: pulumi.Input[str]
    allowed_cidrs: pulumi.Input[list[str]]
    """CIDRs allowed to connect: the vSwitches Argo's (ECI) pods take addresses from, not the VPC."""


@dataclass(frozen=True, kw_only=True)
class ArgoArgs:
    settings: Argo
    """The stack's Argo settings."""
    provider: k8s.Provider
    """The cluster's Kubernetes provider."""
    workflow_namespaces: tuple[str, ...]
    """Namespaces the controller watches (the tenants)."""
    server_role_name: pulumi.Input[str]
    """RAM role of argo-server's service account (reads artifacts through RRSA)."""
    artifact_gc: bool = False
    """Turn on artifact garbage collection by default (the executors may delete)."""
    depends_on: tuple[pulumi.Resource, ...] = ()
    """What the release waits for (tenant namespaces, roles)."""
    archive_network: ArchiveNetwork | None = None
    """Needed when the archive is on."""
    sso_client_secret: pulumi.Input[str] | None = None
    """OIDC client secret (Pulumi secret config) when auth_mode is sso."""
    protect: bool = False
    """Pulumi `protect` on the archive database (prod)."""
    deletion_protection: bool = False
    """Cloud-side deletion protection of the archive database (prod)."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags on cloud resources."""
    namespace_labels: dict[str, str] = field(default_factory=dict)
    """Labels on Argo's namespace: where the controller, server and CRD job run (askflow.substrate)."""
    workflow_pod_labels: dict[str, str] = field(default_factory=dict)
    """Labels every workflow pod gets through the workflow defaults (ACS compute class and QoS)."""
    executor_resource_ignore_env: str = "__ECI_RESOURCE_IGNORE__"
    """Env var that keeps the executor's init and wait containers out of the pod's sizing."""
    eci_cost_tags: bool = False
    """Workflow pods are ECI instances: tag them with tenant, template and workflow (askflow.cost_tags)."""


def helm_values(
    s: Argo,
    workflow_namespaces: tuple[str, ...],
    *,
    server_role_name: str,
    archive_host: str | None = None,
    artifact_gc: bool = False,
    workflow_pod_labels: dict[str, str] | None = None,
    executor_resource_ignore_env: str = "__ECI_RESOURCE_IGNORE__",
    eci_cost_tags: bool = False,
) -> dict[str, Any]:
    """The chart's values for a stack: the base file merged with what the stack decides."""
    base = yamlio.load_file(VALUES_FILE)
    pod_identity = {POD_IDENTITY_ROLE_ANNOTATION: server_role_name}
    computed: dict[str, Any] = {
        "images": {"tag": s.image_tag},
        "crds": {"upgradeJob": {"image": {"repository": s.kubectl_image}}},
        "controller": {
            "image": {"registry": s.image_registry},
            "workflowNamespaces": list(workflow_namespaces),
            "parallelism": s.parallelism,
            "namespaceParallelism": s.namespace_parallelism,
            "replicas": s.controller_replicas,
            "pdb": {"enabled": True, "minAvailable": 1} if s.controller_replicas > 1 else {"enabled": False},
            "resources": {
                "requests": {"cpu": s.controller_resources.cpu, "memory": s.controller_resources.memory},
                "limits": {"memory": s.controller_resources.memory},
            },
            "retentionPolicy": {
                "completed": s.retention_completed,
                "failed": s.retention_failed,
                "errored": s.retention_errored,
            },
            "workflowDefaults": {"spec": {
                "serviceAccountName": WORKFLOW_SERVICE_ACCOUNT,
                "activeDeadlineSeconds": s.active_deadline_seconds,
                "ttlStrategy": {
                    "secondsAfterSuccess": s.ttl_after_success_seconds,
                    "secondsAfterFailure": s.ttl_after_failure_seconds,
                },
                "podGC": {"strategy": s.pod_gc_strategy},
                # Workflow pods run as a non-root user unless a workflow says otherwise; Argo's
                # emissary executor supports it, output artifacts on the base layer included
                # (docs/workflow-pod-security-context.md, 8737 is the UID of Argo's non-root
                # executor image). ECI honours runAsUser at pod level (ECI "Configure a security
                # context"), so the processes are not root even where runAsNonRoot is not checked.
                **({"securityContext": {"runAsNonRoot": True, "runAsUser": WORKFLOW_RUN_AS_USER}}
                   if s.workflow_pods_non_root else {}),
            }},
        },
        "executor": {"image": {"registry": s.image_registry}},
        "server": {
            "image": {"registry": s.image_registry},
            "replicas": s.server_replicas,
            "pdb": {"enabled": True, "minAvailable": 1} if s.server_replicas > 1 else {"enabled": False},
            "resources": {
                "requests": {"cpu": s.server_resources.cpu, "memory": s.server_resources.memory},
                "limits": {"memory": s.server_resources.memory},
            },
            "authModes": [s.auth_mode],
            "serviceAccount": {"annotations": pod_identity},
        },
    }
    if workflow_pod_labels:
        # A workflow's own podMetadata is merged over these defaults, so it can still choose.
        computed["controller"]["workflowDefaults"]["spec"]["podMetadata"] = {
            "labels": dict(sorted(workflow_pod_labels.items()))}
    if eci_cost_tags:
        # Tenant, template (none: each deployed WorkflowTemplate names itself, and its spec wins over
        # these defaults) and workflow as ECI instance tags, for the bill (askflow.cost_tags).
        computed["controller"]["workflowDefaults"]["spec"].setdefault("podMetadata", {})["annotations"] = {
            cost_tags.ANNOTATION: cost_tags.custom_tags(cost_tags.NO_TEMPLATE)}
    if executor_resource_ignore_env != "__ECI_RESOURCE_IGNORE__":
        # The same intent in the substrate's own words (askflow.substrate.Substrate.executor_resource_ignore_env).
        computed["executor"]["env"] = [{"name": executor_resource_ignore_env, "value": "true"}]
    if s.template_referencing != "None":
        computed["controller"]["workflowRestrictions"] = {"templateReferencing": s.template_referencing}
    # Always set: the chart's default URL names a git tag of argo-helm, which can be moved; ours names
    # a commit (settings.ARGO_CRD_BASE_URL) or the operator's mirror of those files.
    computed["crds"]["upgradeJob"]["crdBaseURL"] = s.crd_base_url
    # A digest pins an image beyond its tag: the chart renders `<registry>/<repository>:<tag>`, so
    # `v4.0.10@sha256:...` as the tag is `...:v4.0.10@sha256:...` (templates/_helpers.tpl documents
    # that form and strips the digest from its version labels).
    for component in ("controller", "server", "executor"):
        digest = getattr(s.image_digests, component)
        if digest:
            computed[component]["image"]["tag"] = f"{s.image_tag}@{digest}"
    if artifact_gc:
        # Artifacts go when their workflow is deleted (TTL, retention). The GC pod does not run as
        # the workflow's service account: without artifactGC.serviceAccountName it gets the
        # namespace's `default` one (argo-workflows discussion #15623), which has neither the RRSA
        # role that may delete nor the workflowartifactgctasks grants, and every deleted workflow
        # would hang on its artifact-GC finalizer. The tenant's workflow account has both.
        computed["controller"]["workflowDefaults"]["spec"]["artifactGC"] = {
            "strategy": "OnWorkflowDeletion",
            "serviceAccountName": WORKFLOW_SERVICE_ACCOUNT,
        }
    if s.auth_mode == "sso" and s.sso is not None:
        computed["server"]["sso"] = {
            "enabled": True,
            "issuer": s.sso.issuer,
            "clientId": {"name": SSO_SECRET, "key": "client-id"},
            "clientSecret": {"name": SSO_SECRET, "key": "client-secret"},
            "redirectUrl": s.sso.redirect_url,
            "scopes": list(s.sso.scopes),
            "rbac": {"enabled": s.sso.rbac},
        }
    if s.enable_archive and archive_host:
        computed["controller"]["persistence"] = {
            "archive": True,
            "archiveTTL": s.archive_ttl,
            "nodeStatusOffLoad": True,
            "postgresql": {
                "host": archive_host,
                "port": 5432,
                "database": "argo",
                "tableName": "argo_workflows",
                "userNameSecret": {"name": ARCHIVE_SECRET, "key": "username"},
                "passwordSecret": {"name": ARCHIVE_SECRET, "key": "password"},
                "ssl": True,
                "sslMode": "require",
            },
        }
    values = deep_merge(base, computed)
    if not s.workflow_pods_non_root:
        values.pop("mainContainer", None)  # Argo's defaults for workflow containers (the executor stays hardened)
    return values


class ArgoComponent(pulumi.ComponentResource):
    """The argo-workflows Helm release and what it needs (``askflow:argo:ArgoWorkflows``)."""

    release: k8s.helm.v3.Release
    namespace: pulumi.Output[str]
    values: pulumi.Output[dict[str, Any]]
    plan_values: dict[str, Any]
    """The values as far as they are known before anything exists (without the server's RAM role
    and the archive's host): enough to know which Services and ports the chart renders."""

    def __init__(self, name: str, args: ArgoArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("askflow:argo:ArgoWorkflows", name, None, opts)
        s = args.settings
        k8s_opts = pulumi.ResourceOptions(parent=self, provider=args.provider)
        ns = k8s.core.v1.Namespace(
            f"{name}-ns",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=s.namespace,
                # The chart's controller, server and CRD job meet `baseline` (non-root, no privileges).
                labels={"app.kubernetes.io/managed-by": "askflow", **POD_SECURITY_LABELS, POD_IDENTITY_LABEL: "on",
                        **args.namespace_labels},
            ),
            opts=k8s_opts,
        )
        in_ns = pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[ns])
        waits: list[pulumi.Resource] = [ns, *args.depends_on]

        archive_host: pulumi.Input[str | None] = None
        if s.enable_archive:
            if args.archive_network is None:
                raise ValueError("enable_archive needs archive_network")
            archive_host, secret = self._archive(name, args, in_ns)
            waits.append(secret)
        if s.auth_mode == "sso":
            if args.sso_client_secret is None or s.sso is None:
                raise ValueError("auth_mode sso needs the SSO client secret")
            waits.append(k8s.core.v1.Secret(
                f"{name}-sso",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=SSO_SECRET, namespace=s.namespace),
                string_data={"client-id": s.sso.client_id, "client-secret": args.sso_client_secret},
                opts=in_ns,
            ))

        self.values = pulumi.Output.all(args.server_role_name, archive_host).apply(
            lambda v: helm_values(
                s, args.workflow_namespaces, server_role_name=v[0], archive_host=v[1], artifact_gc=args.artifact_gc,
                workflow_pod_labels=args.workflow_pod_labels,
                executor_resource_ignore_env=args.executor_resource_ignore_env, eci_cost_tags=args.eci_cost_tags,
            )
        )
        self.plan_values = helm_values(
            s, args.workflow_namespaces, server_role_name="", artifact_gc=args.artifact_gc,
            workflow_pod_labels=args.workflow_pod_labels, executor_resource_ignore_env=args.executor_resource_ignore_env,
            eci_cost_tags=args.eci_cost_tags)
        self.release = k8s.helm.v3.Release(
            f"{name}-release",
            name=RELEASE_NAME,
            chart="argo-workflows",
            version=s.chart_version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=s.chart_repository),
            namespace=s.namespace,
            values=self.values,
            atomic=True,
            cleanup_on_fail=True,
            timeout=900,
            opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=waits),
        )
        if s.enable_private_load_balancer:
            k8s.core.v1.Service(
                f"{name}-server-intranet",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name="argo-server-intranet",
                    namespace=s.namespace,
                    annotations={
                        # An internal (VPC-only) CLB; never internet-facing.
                        "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": "intranet",
                    },
                ),
                spec=k8s.core.v1.ServiceSpecArgs(
                    type="LoadBalancer",
                    selector={
                        "app.kubernetes.io/name": f"{RELEASE_NAME}-server",
                        "app.kubernetes.io/instance": RELEASE_NAME,
                    },
                    ports=[k8s.core.v1.ServicePortArgs(name="web", port=2746, target_port=2746)],
                ),
                opts=pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[self.release]),
            )
        self.namespace = ns.metadata.apply(lambda m: m.name or s.namespace)
        self.register_outputs({"namespace": self.namespace, "releaseStatus": self.release.status})

    def _archive(
        self, name: str, args: ArgoArgs, in_ns: pulumi.ResourceOptions
    ) -> tuple[pulumi.Output[str], k8s.core.v1.Secret]:
        net = args.archive_network
        assert net is not None
        password = random.RandomPassword(
            f"{name}-archive-password", length=32, special=False, opts=pulumi.ResourceOptions(parent=self)
        )
        db_opts = pulumi.ResourceOptions(parent=self, protect=args.protect)
        instance = alicloud.rds.Instance(
            f"{name}-archive",
            engine="PostgreSQL",
            engine_version="16.0",
            instance_type=args.settings.archive_instance_type,
            category=args.settings.archive_category,
            instance_storage=50,
            db_instance_storage_type="cloud_essd",
            instance_charge_type="Postpaid",
            instance_name=f"{name}-archive",
            vswitch_id=net.vswitch_id,
            security_ips=net.allowed_cidrs,
            ssl_action="Open",
            auto_upgrade_minor_version="Auto",
            # Audit trail of the archive: connections, disconnections and statement durations in
            # the logs, and the SQL collector kept 180 days.
            parameters=[
                alicloud.rds.InstanceParameterArgs(name=p, value="on")
                for p in ("log_connections", "log_disconnections", "log_duration")
            ],
            sql_collector_status="Enabled",
            sql_collector_config_value=180,
            deletion_protection=args.deletion_protection,
            tags=args.tags,
            opts=db_opts,
        )
        database = alicloud.rds.Database(
            f"{name}-archive-db", instance_id=instance.id, data_base_name="argo", opts=db_opts
        )
        account = alicloud.rds.RdsAccount(
            f"{name}-archive-account",
            db_instance_id=instance.id,
            account_name="argo",
            account_password=password.result,
            account_type="Normal",
            opts=db_opts,
        )
        privilege = alicloud.rds.AccountPrivilege(
            f"{name}-archive-privilege",
            instance_id=instance.id,
            account_name=account.account_name,
            db_names=[database.data_base_name],
            privilege="DBOwner",
            opts=db_opts,
        )
        # The release must not start before Argo's login and grants exist.
        secret = k8s.core.v1.Secret(
            f"{name}-archive-credentials",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=ARCHIVE_SECRET, namespace=args.settings.namespace),
            string_data={"username": "argo", "password": password.result},
            opts=pulumi.ResourceOptions.merge(in_ns, pulumi.ResourceOptions(depends_on=[privilege])),
        )
        return instance.connection_string, secret
