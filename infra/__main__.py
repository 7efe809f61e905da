"""askflow's Pulumi program: the one place that decides what a stack creates.

Data flows one way: stack file -> settings -> components -> resources, and template sources ->
library -> WorkflowTemplate resources. Settings are parsed once from ``alicloud:region`` and
``askflow:platform``; components never read configuration.
Run it with ``pulumi up --stack <name>`` (credentials needed) or offline with
``askflow plan --stack <name>``.

With ``main: infra/`` the language host puts this folder first on ``sys.path``, so the
components import as ``components.<module>``.
"""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_alicloud as alicloud

from askflow.alerts import log_alert_rules
from askflow.errors import AskflowError
from askflow.rrsa import bucket_grants
from askflow.settings import PLATFORM_KEY, PROJECT, SSO_CLIENT_SECRET_KEY, Settings, parse_settings
from askflow.substrate import (
    ACS_COMPUTE_CLASS_LABEL,
    ACS_COMPUTE_QOS_LABEL,
    ECI_SCHEDULING_LABEL,
    engine_facts,
    substrate,
)

ROOT = Path(__file__).resolve().parent.parent


def eci_annotations(spot_strategy: str, price_limit: float | None, fallback: bool, specs: tuple[str, ...]) -> dict[str, str]:
    """ECI pod annotations (https://help.aliyun.com/en/eci/user-guide/pod-annotations-1)."""
    out: dict[str, str] = {}
    if spot_strategy != "none":
        out["k8s.aliyun.com/eci-spot-strategy"] = spot_strategy
        out["k8s.aliyun.com/eci-spot-fallback"] = "true" if fallback else "false"
        if price_limit is not None:
            out["k8s.aliyun.com/eci-spot-price-limit"] = f"{price_limit:g}"
    if specs:
        out["k8s.aliyun.com/eci-use-specs"] = ",".join(specs)
    return out


def build(settings: Settings, *, stack: str, sso_client_secret: pulumi.Output[str] | None) -> None:
    from components.admission import ArtifactPolicyArgs, ArtifactPolicyComponent
    from components.argo import RELEASE_NAME, ArchiveNetwork, ArgoArgs, ArgoComponent, executor_image
    from components.cluster import ClusterArgs, ClusterComponent, EciSelector
    from components.identity import IdentityArgs, IdentityComponent, ServiceAccountBinding
    from components.managed_engine import ManagedEngineArgs, ManagedEngineComponent
    from components.monitoring import MonitoringArgs, MonitoringComponent
    from components.network import NetworkArgs, NetworkComponent
    from components.observability import ObservabilityArgs, ObservabilityComponent
    from components.storage import StorageArgs, StorageComponent
    from components.templates import TemplatesArgs, TemplatesComponent
    from components.tenants import WORKFLOW_SERVICE_ACCOUNT, TenantArgs, TenantComponent, tenant_user_role

    s = settings
    name = s.name
    # askflow-environment lets the policy rules (askflow.policies.rules) know the class.
    tags = {**s.tags, "managed-by": "askflow", "askflow-stack": stack, "askflow-environment": s.environment}
    protect = s.protection.protect

    network = NetworkComponent(name, NetworkArgs(settings=s.network, tags=tags, protect=protect))
    logs = ObservabilityComponent(
        f"{name}-logs",
        ObservabilityArgs(settings=s.observability, project_name=s.sls_project_name, protect=protect, tags=tags,
                          # Alerts on the pods' logs need them collected (cluster.enable_log_collection, by
                          # the cluster's log add-on: not on ack-one, whose cluster askflow does not make).
                          log_alerts=log_alert_rules(s.alerts, tuple(t.name for t in s.tenants))
                          if s.cluster.enable_log_collection and engine_facts(s.argo.engine).installs_argo else (),
                          name_prefix=name),
    )
    storage = StorageComponent(
        f"{name}-artifacts",
        StorageArgs(settings=s.storage, bucket_name=s.bucket_name, protect=protect, tags=tags),
    )

    # Per-namespace ECI defaults: the stack's, overridden per tenant.
    sub = substrate(s.cluster.kind)
    selectors = []
    for t in s.tenants if sub.pods_on_eci else ():
        annotations = eci_annotations(
            t.eci.spot_strategy or s.eci.spot_strategy,
            t.eci.spot_price_limit if t.eci.spot_strategy else s.eci.spot_price_limit,
            s.eci.spot_fallback if t.eci.spot_fallback is None else t.eci.spot_fallback,
            s.eci.instance_specs if t.eci.instance_specs is None else t.eci.instance_specs,
        )
        if annotations:
            selectors.append(EciSelector(name=f"tenant-{t.name}", namespace=t.name, annotations=annotations))
    if s.cluster.endpoint_public_access:
        pulumi.log.warn(
            f"the API server of {name} will be reachable from the internet "
            f"(waived: {s.cluster.public_endpoint_reason}); prefer a private endpoint"
        )
    # argo.engine ack-one: an ACK One workflow cluster (Alibaba's Argo) instead of the cluster, the
    # Helm release and the archive database (askflow.substrate.ACK_ONE_DIFFERENCES).
    engine = engine_facts(s.argo.engine)
    if not s.rrsa_available:
        pulumi.log.warn(
            "argo.engine ack-one without argo.rrsa_oidc_issuer_url: the workflow cluster reports no RRSA OIDC issuer "
            "(alicloud_ack_one_cluster has no rrsa_metadata) and Alibaba documents none, so the stack creates no "
            "RRSA roles and workflow pods get no OSS credentials: templates with artifacts fail until you set "
            "argo.rrsa_oidc_issuer_url and argo.rrsa_oidc_provider_arn")
    if not engine.installs_argo:
        pulumi.log.warn(f"argo.engine ack-one does not apply: {'; '.join(s.not_applied_by_engine())} "
                        "(see \"Moving to the managed engine\" in the README)")
    cluster: ClusterComponent | ManagedEngineComponent = ClusterComponent(
        f"{name}-cluster",
        ClusterArgs(
            settings=s.cluster,
            cluster_name=name,
            vpc_id=network.vpc_id,
            vswitch_ids=network.vswitch_ids,
            pod_vswitch_ids=network.pod_vswitch_ids,
            security_group_id=network.security_group_id,
            sls_project_name=logs.project_name if s.cluster.enable_log_collection else None,
            sls_logstore_name=logs.logstore_name,
            eci_selectors=tuple(selectors),
            deletion_protection=s.protection.deletion_protection,
            protect=protect,
            retain_logs_on_delete=s.environment != "dev",
            # A public API endpoint is a waived policy: the reason travels with the cluster.
            tags={**tags, "askflow-waiver-public-endpoint": (s.cluster.public_endpoint_reason or "")[:128]}
            if s.cluster.endpoint_public_access else tags,
            # The cluster and its nodes come up with the stack's egress in place: ACK then adds no
            # NAT gateway of its own, and nodes can pull their images.
            depends_on=tuple(network.egress),
        ),
    ) if engine.installs_argo else ManagedEngineComponent(
        f"{name}-engine",
        ManagedEngineArgs(cluster_name=name, region=s.region, vpc_id=network.vpc_id,
                          vswitch_ids=network.pod_vswitch_ids, spot_strategy=s.eci.spot_strategy,
                          rrsa_oidc_issuer_url=s.argo.rrsa_oidc_issuer_url,
                          rrsa_oidc_provider_arn=s.argo.rrsa_oidc_provider_arn,
                          protect=protect, depends_on=tuple(network.egress)),
    )

    # The roles' bucket policies come from the bootstrap (askflow.rrsa): the stack only attaches them.
    service_accounts = {f"executor-{t.name}": (t.name, WORKFLOW_SERVICE_ACCOUNT) for t in s.tenants}
    service_accounts["argo-server"] = (s.argo.namespace, f"{RELEASE_NAME}-server")  # self-managed only (askflow.rrsa)
    identity = IdentityComponent(
        f"{name}-rrsa",
        IdentityArgs(
            oidc_issuer_url=cluster.oidc_issuer_url,
            oidc_provider_arn=cluster.oidc_provider_arn,
            bindings=tuple(
                ServiceAccountBinding(grant=g, namespace=service_accounts[g.key][0],
                                      service_account=service_accounts[g.key][1])
                for g in bucket_grants(s)
            ),
        ),
    )

    # ack-pro-eci: every pod of a tenant's or Argo's namespace goes to ECI, never to the system
    # nodes (the label outranks nodeSelector, affinity and ResourcePolicy). The serverless kinds
    # have nowhere else to put a pod.
    namespace_labels = {ECI_SCHEDULING_LABEL: "true"} if sub.virtual_node_addon and engine.installs_argo else {}
    # acs: the compute class and QoS are pod labels; the stack's spot choice becomes best-effort QoS.
    workflow_pod_labels = {
        ACS_COMPUTE_CLASS_LABEL: "general-purpose",
        ACS_COMPUTE_QOS_LABEL: "default" if s.eci.spot_strategy == "none" else "best-effort",
    } if s.cluster.kind == "acs" else {}
    # The VPC's CIDR: the stack's, or the brought VPC's (looked up).
    vpc_cidr: pulumi.Input[str] = alicloud.vpc.get_networks_output(
        ids=network.vpc_id.apply(lambda i: [i])).vpcs.apply(lambda vpcs: vpcs[0].cidr_block) \
        if s.network.bring_your_own else str(s.network.vpc_cidr)
    ArtifactPolicyComponent(
        f"{name}-admission",
        ArtifactPolicyArgs(bucket_name=storage.bucket_name, oss_endpoint=s.oss_internal_endpoint,
                           provider=cluster.provider),
    )
    tenant_user_role(f"{name}-tenant-user", cluster.provider)
    tenants = [
        TenantComponent(
            f"{name}-tenant-{t.name}",
            TenantArgs(
                tenant=t,
                role_name=identity.role_names.get(f"executor-{t.name}"),  # none: ack-one without RRSA
                bucket_name=storage.bucket_name,
                oss_endpoint=s.oss_internal_endpoint,
                provider=cluster.provider,
                vpc_cidr=vpc_cidr,
                service_cidr=str(s.cluster.service_cidr),
                allow_artifact_gc=s.storage.enable_artifact_gc,
                archive_logs=s.observability.archive_logs,
                namespace_labels=namespace_labels,
            ),
        )
        for t in s.tenants
    ]

    first_vswitch = network.vswitch_ids.apply(lambda ids: ids[0])
    # Who may connect to the archive database: the vSwitches ECI pods take their addresses from
    # (Argo's controller is one of those pods), not the whole VPC.
    pod_cidrs: pulumi.Input[list[str]] = alicloud.vpc.get_switches_output(
        ids=network.pod_vswitch_ids).vswitches.apply(lambda vs: sorted(v.cidr_block for v in vs)) \
        if s.network.bring_your_own else [str(c) for c in (s.network.pod_vswitch_cidrs or s.network.vswitch_cidrs)]
    argo = ArgoComponent(
        f"{name}-argo",
        ArgoArgs(
            settings=s.argo,
            provider=cluster.provider,
            workflow_namespaces=tuple(t.name for t in s.tenants),
            server_role_name=identity.role_names["argo-server"],
            # The release needs the namespaces it watches, the RRSA webhook that injects
            # credentials into its pods, and internet egress (its images come from the chart's
            # registry, its CRD hook Job downloads the full CRDs); it does not wait for anything else.
            depends_on=(
                *(t.ns for t in tenants),
                *([cluster.pod_identity_webhook] if cluster.pod_identity_webhook else []),
                *cluster.ready,  # somewhere for its pods to run (ECI's virtual node, the system nodes)
                *network.egress,
            ),
            archive_network=ArchiveNetwork(
                vpc_id=network.vpc_id,
                vswitch_id=first_vswitch,
                allowed_cidrs=pod_cidrs,
            ) if s.argo.enable_archive else None,
            sso_client_secret=sso_client_secret,
            artifact_gc=s.storage.enable_artifact_gc,
            protect=protect,
            deletion_protection=s.protection.deletion_protection,
            tags=tags,
            namespace_labels=namespace_labels,
            workflow_pod_labels=workflow_pod_labels,
            executor_resource_ignore_env=sub.executor_resource_ignore_env,
            eci_cost_tags=sub.pods_on_eci,
        ),
    ) if isinstance(cluster, ClusterComponent) else None  # ack-one: Alibaba runs Argo

    # Scraping and alerts need the cluster's ARMS Prometheus instance (the add-on cluster.enable_prometheus
    # installs) and Argo's Services; ack-one has neither here (Alibaba runs Argo).
    alerts = MonitoringComponent(
        f"{name}-alerts",
        MonitoringArgs(settings=s.alerts, contacts=s.observability.alert_contacts, cluster_id=cluster.cluster_id,
                       namespaces=tuple(t.name for t in s.tenants), name_prefix=name,
                       scrape_route=sub.scrape_route, argo_values=argo.plan_values, argo_namespace=s.argo.namespace,
                       argo_release=RELEASE_NAME,
                       depends_on=(cluster.prometheus_addon,) if cluster.prometheus_addon else ()),
    ) if s.cluster.enable_prometheus and argo is not None and isinstance(cluster, ClusterComponent) else None

    templates = TemplatesComponent(
        f"{name}-templates",
        TemplatesArgs(
            settings=s.templates,
            library_root=ROOT / "workflows",
            namespaces=s.template_namespaces,
            provider=cluster.provider,
            # The release installs Argo's CRDs; on ack-one the workflow cluster comes with them.
            release=argo.release if argo else cluster.ready[0],
            require_released=s.environment != "dev",
            image_cache_vswitch_id=first_vswitch,
            image_cache_security_group_id=network.security_group_id,
            image_cache_depends_on=tuple(network.egress),
            executor_image=executor_image(s.argo),
            eci_cost_tags=sub.pods_on_eci,
        ),
    )

    pulumi.export("clusterId", cluster.cluster_id)
    pulumi.export("clusterKind", s.cluster.kind)
    pulumi.export("engine", s.argo.engine)
    pulumi.export("kubeconfig", cluster.kubeconfig)
    pulumi.export("bucketName", storage.bucket_name)
    pulumi.export("ossInternalEndpoint", s.oss_internal_endpoint)
    pulumi.export("slsProject", logs.project_name)
    pulumi.export("roleArns", pulumi.Output.all(**identity.role_arns))
    pulumi.export("oidcIssuerUrl", cluster.oidc_issuer_url)
    pulumi.export("workflowTemplates", templates.deployed_names)
    if alerts is not None:
        pulumi.export("alertRules", alerts.rule_names)
    cluster_id = f"$(pulumi stack output clusterId --stack {stack})"
    pulumi.export("nextSteps", [
        # The stack's own kubeconfig expires with the run that made it (KUBECONFIG_MINUTES): a
        # person takes a temporary one of their own RAM identity's.
        *([f"aliyun cs DescribeClusterUserKubeconfig --ClusterId {cluster_id} "
           f"--TemporaryDurationMinutes 480 | jq -r .config > ~/.kube/askflow-{stack}",
           f"export KUBECONFIG=~/.kube/askflow-{stack}",
           f"kubectl -n {s.argo.namespace} port-forward svc/{RELEASE_NAME}-server 2746:2746"] if engine.installs_argo else
          # ack-one: argo-server runs in the namespace named after the cluster id (Alibaba, "Enable Argo
          # Server for a workflow cluster").
          [f"aliyun adcp DescribeHubClusterKubeconfig --ClusterId {cluster_id} --PrivateIpAddress true "
           f"| jq -r .Kubeconfig > ~/.kube/askflow-{stack}",
           f"export KUBECONFIG=~/.kube/askflow-{stack}",
           f"kubectl -n {cluster_id} port-forward svc/argo-server 2746:2746"]),
        f"argo auth token  # paste it at https://localhost:2746 (self-signed TLS; auth mode: {s.argo.auth_mode})",
        "export ARGO_SERVER=localhost:2746 ARGO_SECURE=true ARGO_INSECURE_SKIP_VERIFY=true  # or use the kubeconfig",
        *(
            f"argo submit -n {s.tenants[0].name} --from workflowtemplate/{n} --watch"
            for n in templates.first_names
        ),
    ])


def main() -> None:
    stack = pulumi.get_stack()
    config = pulumi.Config(PROJECT)
    settings = parse_settings(
        pulumi.Config("alicloud").get("region"),
        config.get_object("platform"),
        file=f"environments/Pulumi.{stack}.yaml",
    )
    sso_secret = config.get_secret(SSO_CLIENT_SECRET_KEY.split(":", 1)[1])
    if settings.argo.auth_mode == "sso" and sso_secret is None:
        raise AskflowError(
            f"auth_mode sso needs the client secret: pulumi config set --secret {SSO_CLIENT_SECRET_KEY.split(':', 1)[1]} …",
            file=f"environments/Pulumi.{stack}.yaml",
            path=SSO_CLIENT_SECRET_KEY,
        )
    try:
        build(settings, stack=stack, sso_client_secret=sso_secret)
    except AskflowError as exc:
        if exc.file or not exc.path:
            raise
        # Components get settings, not the stack file: an error they raise without a file is
        # about a setting (``templates.deploy[0]``); name it as the stack file spells it.
        raise AskflowError(exc.message, file=f"environments/Pulumi.{stack}.yaml",
                           path=f"{PLATFORM_KEY}.{exc.path}", exit_code=exc.exit_code) from None


try:
    main()
except AskflowError as exc:
    # The Pulumi CLI prints a RunError as one line, without a traceback.
    raise pulumi.RunError(exc.line()) from exc
