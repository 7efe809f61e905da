"""The compute substrate of a stack: which cluster resource, which add-ons, where pods run.

``cluster.kind`` in the stack file picks one :class:`Substrate`; everything downstream (the cluster
component, tenants' namespace labels, the Argo values, the policy rules, the critical path, the
lint and converter advice) reads its facts from here, so a kind is described in one place.

Why four kinds (``../shared/PLATFORM-FACTS.md``, "Corrections"):

- ACK Serverless no longer creates clusters for accounts that never had one ("Starting February
  17, 2025, ... ACK Serverless disables cluster creation for new users who have never created an
  ACK Serverless cluster", https://www.alibabacloud.com/help/en/ack/serverless-kubernetes/product-overview/ask-overview),
  and ``alicloud_cs_serverless_kubernetes`` is deprecated since provider v1.276.0 ("Please use
  'alicloud_cs_managed_kubernetes' instead", terraform-provider-alicloud
  ``alicloud/resource_alicloud_cs_serverless_kubernetes.go``, DeprecationMessage).
- ``alicloud_cs_managed_kubernetes`` takes ``profile`` (ForceNew, Optional+Computed:
  ``alicloud/resource_alicloud_cs_managed_kubernetes.go`` l. 54-59 at 81c43b67; values ``Default``,
  ``Edge``, ``Serverless``, ``Acs``, ``website/docs/r/cs_managed_kubernetes.html.markdown`` l. 468-472),
  so one resource type covers ACK Pro, ACK Serverless and ACS.

So the default, ``ack-pro-eci``, is what Alibaba points new users to ("Use Serverless computing
elastically in ACK Managed Cluster Pro Edition", same ASK overview page): an ACK Pro cluster whose
workflow pods run on ECI through the ``ack-virtual-node`` add-on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ClusterKind = Literal["ack-pro-eci", "acs", "ask", "ask-legacy"]
CLUSTER_KINDS: tuple[ClusterKind, ...] = ("ack-pro-eci", "acs", "ask", "ask-legacy")

MANAGED_KUBERNETES = "alicloud:cs/managedKubernetes:ManagedKubernetes"
SERVERLESS_KUBERNETES = "alicloud:cs/serverlessKubernetes:ServerlessKubernetes"
#: Every Pulumi type a stack's cluster can have (the policy rules and tools look for any of them).
CLUSTER_TYPES: tuple[str, ...] = (MANAGED_KUBERNETES, SERVERLESS_KUBERNETES)

#: Pods (or whole namespaces) with this label go to ECI in an ACK managed cluster with
#: ack-virtual-node, ahead of any nodeSelector, affinity or ResourcePolicy ("has the highest
#: priority": https://help.aliyun.com/en/ack/ack-managed-and-ack-dedicated/user-guide/comparison-and-introduction-of-virtual-node-scheduling-scheme-ack/).
ECI_SCHEDULING_LABEL = "alibabacloud.com/eci"
#: ACS compute class and QoS are pod labels (https://www.alibabacloud.com/help/en/cs/user-guide/acs-pod-instance-overview):
#: class general-purpose (default), performance, gpu, gpu-hpn; QoS default or best-effort
#: (preemptible, evicted with about 5 minutes' notice: the ACS counterpart of ECI spot,
#: https://www.alibabacloud.com/help/en/cs/user-guide/besteeffort-instance-overview).
ACS_COMPUTE_CLASS_LABEL = "alibabacloud.com/compute-class"
ACS_COMPUTE_QOS_LABEL = "alibabacloud.com/compute-qos"

#: Where Alibaba documents NetworkPolicy enforcement for pods that are not on ECS nodes (issue #20).
#: "NetworkPolicy is supported only in ACK Serverless clusters, on ECI in ACK clusters, and on ACS CPU
#: instances" (Poseidon changelog, limitations); its enforcer there is the Poseidon add-on.
POSEIDON_DOC = "https://help.aliyun.com/en/ack/product-overview/poseidon"
#: "In elastic container instances of ACK Serverless clusters or ACK Pro clusters, network policies are
#: implemented by Poseidon" (Terway implements them only for pods on ECS nodes); prerequisites: ACK
#: Virtual Node 2.10.0 or later; "Network policies are supported only in ACK Serverless Pro clusters
#: and ACK Pro clusters" ("Use network policies", ACK Serverless user guide).
ECI_NETWORK_POLICY_DOC = (
    "https://www.alibabacloud.com/help/en/ack/serverless-kubernetes/user-guide/using-the-network-policy-networkpolicy")


@dataclass(frozen=True)
class NetworkPolicySupport:
    """What enforces a Kubernetes NetworkPolicy for a kind's workflow pods, as Alibaba documents it."""

    pods: str
    """The pods it covers, and what they need."""
    pro_only: bool
    """Only in Pro clusters (``cluster.cluster_spec: ack.pro.small``)."""
    source: str
    """Where Alibaba says so."""


def network_policy_warning(kind: ClusterKind, cluster_spec: str) -> str:
    """What every plan says about the tenants' default-deny NetworkPolicies on ``kind``.

    Never that they are enforced: Poseidon, the only enforcer Alibaba documents for ECI and ACS
    pods, is not installed by askflow. Its add-on name and ``config`` (the console's "enable
    NetworkPolicy" choice) appear nowhere in terraform-provider-alicloud (source, tests and docs at
    81c43b67 name only ``terway-eniip``'s ``NetworkPolicy`` key, for ECS nodes), so they cannot be
    verified, and a wrong guess would fail ``pulumi up`` or, worse, install it with policies off.
    """
    sub = SUBSTRATES[kind]
    support = sub.network_policy
    if support.pro_only and cluster_spec != "ack.pro.small":
        return (f"the tenants' NetworkPolicies are not enforced: Alibaba supports network policies on {sub.title} "
                f"only in Pro clusters, and cluster.cluster_spec is {cluster_spec} ({support.source}); "
                "set cluster.cluster_spec: ack.pro.small to have them")
    return (f"the tenants' NetworkPolicies are created but not enforced until the Poseidon add-on is installed: "
            f"on {sub.title} only Poseidon polices {support.pods} ({support.source}). askflow does not install it, "
            "because neither its add-on name nor its config appears in terraform-provider-alicloud, so neither could "
            "be verified: after the first `pulumi up`, install Poseidon in the ACK console (Add-ons, Networking) "
            "with NetworkPolicy enabled")

#: How a kind's ARMS Prometheus learns what to scrape (askflow.scraping builds the ServiceMonitors).
#:
#: ``prometheus-monitoring``: ``arms.PrometheusMonitoring`` (``alicloud_arms_prometheus_monitoring``:
#: ``cluster_id`` Required+ForceNew, ``type`` one of serviceMonitor/podMonitor/customJob/probe,
#: ``config_yaml`` a YAML string; resource_alicloud_arms_prometheus_monitoring.go l. 30-64 at 81c43b67)
#: on the Prometheus instance the kind's add-on created for the cluster, whose id is the cluster's
#: (the provider's own test passes the cluster id, resource_alicloud_arms_prometheus_monitoring_test.go
#: l. 38, 182-186), as the alert rules do. Every kind here has that add-on.
#: Not ``arms.Environment`` + ``arms.EnvServiceMonitor``: an Environment bound to the cluster is a
#: second integration of the same cluster (CreateEnvironment then InitEnvironment,
#: resource_alicloud_arms_environment.go l. 84-175), and deleting it deletes the Prometheus instance
#: (DeleteEnvironment with DeletePromInstance=true, l. 295-305), the one the add-on made and the
#: alert rules live on. It fits a cluster without such an add-on (environment_sub_type ``One`` is
#: ACK One, l. 55).
#: Alibaba documents ServiceMonitors for "container clusters" (ARMS, "Collect custom metrics with a
#: ServiceMonitor", https://www.alibabacloud.com/help/en/arms/prometheus-monitoring/custom-collection-through-servicemonitor,
#: updated 2026-09; an older version said ACK only). On ack-pro-eci the add-on's agent runs in the
#: cluster (on the system nodes) and reaches the ECI pods' VPC addresses; on acs and ask ARMS runs
#: the agent itself ("managed agent ... default of ASK, ACS", the provider's arms_environment docs,
#: managed_type). Not verified on a live cluster: that the managed agent honours a ServiceMonitor.
ScrapeRoute = Literal["prometheus-monitoring"]
SCRAPE_ROUTES: tuple[ScrapeRoute, ...] = ("prometheus-monitoring",)

DEPRECATION_WARNING = (
    "cluster.kind ask-legacy plans the deprecated cs.ServerlessKubernetes (alicloud_cs_serverless_kubernetes, "
    "deprecated since provider v1.276.0 and to be removed; ACK Serverless no longer creates clusters for new "
    "accounts). Keep it only for a cluster that already exists; move with cluster.kind: ask (the same ACK "
    "Serverless cluster type through cs.ManagedKubernetes) or ack-pro-eci. Either replaces the cluster: see "
    "\"Moving from ASK\" in the README"
)


@dataclass(frozen=True)
class Substrate:
    """What one ``cluster.kind`` is made of."""

    kind: ClusterKind
    resource_type: str
    """Pulumi type token of the cluster resource."""
    profile: str | None
    """``profile`` of ``cs.ManagedKubernetes`` (None: the legacy resource, which has none)."""
    title: str
    """How the README and the plan name it."""
    pods_on_eci: bool
    """Workflow pods run on ECI, so ECI annotations, eci-profile and ECI image caches apply."""
    virtual_node_addon: bool
    """ECI comes through the ``ack-virtual-node`` add-on (an ACK managed cluster); serverless
    kinds have their virtual nodes built in."""
    system_node_pool: bool
    """The cluster needs a small ECS node pool for its system add-ons (see ``cluster.py``)."""
    log_addon: str
    """Add-on that collects container stdout/stderr into SLS."""
    log_addon_takes_project: bool
    """The log add-on's ``config`` names the SLS project (``{"sls_project_name": ...}``)."""
    prometheus_addon: str
    """Managed Prometheus add-on."""
    scrape_route: ScrapeRoute
    """How ARMS Prometheus is told to scrape Argo (:data:`SCRAPE_ROUTES`)."""
    executor_resource_ignore_env: str
    """Env var that keeps a container out of the pod's sizing (set on Argo's init and wait)."""
    creation_seconds: float
    creation_source: str
    """Typical creation time of the cluster and where the figure comes from."""
    network_policy: NetworkPolicySupport
    """What enforces NetworkPolicy for the workflow pods (see :func:`network_policy_warning`)."""


SUBSTRATES: dict[ClusterKind, Substrate] = {
    "ack-pro-eci": Substrate(
        kind="ack-pro-eci",
        resource_type=MANAGED_KUBERNETES,
        profile="Default",
        title="ACK Pro with ECI (virtual nodes)",
        pods_on_eci=True,
        virtual_node_addon=True,
        system_node_pool=True,
        # A cluster with ECS nodes collects logs with logtail-ds, which also brings the
        # alibaba-log-controller that serves ECI pods' AliyunLogConfig
        # (https://help.aliyun.com/en/ack/product-overview/logtail-ds).
        log_addon="logtail-ds",
        log_addon_takes_project=True,
        # The provider's ACK managed example installs arms-prometheus
        # (website/docs/r/cs_managed_kubernetes.html.markdown, ~l. 331 at 81c43b67).
        prometheus_addon="arms-prometheus",
        scrape_route="prometheus-monitoring",
        # ECI "Ignore specific containers when the system adjusts resources".
        executor_resource_ignore_env="__ECI_RESOURCE_IGNORE__",
        creation_seconds=900,
        creation_source=(
            "alicloud_cs_managed_kubernetes docs: it will cost about 15 minutes "
            "(website/docs/r/cs_managed_kubernetes.html.markdown l. 22; create timeout 90 min)"),
        network_policy=NetworkPolicySupport(
            # Terway's own NetworkPolicy option (terway-eniip config, provider docs
            # cs_managed_kubernetes.html.markdown l. 280) covers pods on ECS nodes only.
            pods="ECI pods (with ack-virtual-node 2.10.0 or later)", pro_only=True, source=ECI_NETWORK_POLICY_DOC),
    ),
    "acs": Substrate(
        kind="acs",
        resource_type=MANAGED_KUBERNETES,
        profile="Acs",
        title="ACS (Container Compute Service)",
        pods_on_eci=False,
        virtual_node_addon=False,
        system_node_pool=False,
        # ACS runs no DaemonSets; its log add-on is alibaba-log-controller and its Prometheus
        # add-on acs-arms-prometheus (ACS component overview, https://help.aliyun.com/zh/cs/component-overview).
        log_addon="alibaba-log-controller",
        log_addon_takes_project=True,
        prometheus_addon="acs-arms-prometheus",
        scrape_route="prometheus-monitoring",
        # ACS "Configure resource warping to ignore specific containers"
        # (https://www.alibabacloud.com/help/en/cs/user-guide/configure-resource-warping-to-ignore-specific-containers).
        executor_resource_ignore_env="__IGNORE_RESOURCE__",
        creation_seconds=900,
        creation_source=(
            "alicloud_cs_managed_kubernetes docs: it will cost about 15 minutes "
            "(cs_managed_kubernetes.html.markdown l. 22); Alibaba states no figure for profile Acs"),
        network_policy=NetworkPolicySupport(
            pods="ACS CPU pods (compute classes general-purpose and performance; not gpu or gpu-hpn)",
            pro_only=False, source=POSEIDON_DOC),
    ),
    "ask": Substrate(
        kind="ask",
        resource_type=MANAGED_KUBERNETES,
        profile="Serverless",
        title="ACK Serverless (through cs.ManagedKubernetes)",
        pods_on_eci=True,
        virtual_node_addon=False,
        system_node_pool=False,
        # For ACK Serverless the provider turns sls_project_name into the alibaba-log-controller
        # add-on with {"sls_project_name": ...} (resource_alicloud_cs_serverless_kubernetes.go).
        log_addon="alibaba-log-controller",
        log_addon_takes_project=True,
        prometheus_addon="arms-prometheus",
        scrape_route="prometheus-monitoring",
        executor_resource_ignore_env="__ECI_RESOURCE_IGNORE__",
        creation_seconds=300,
        creation_source=(
            "alicloud_cs_serverless_kubernetes docs: creation will cost about 5 minutes; the same cluster type "
            "through alicloud_cs_managed_kubernetes (profile Serverless)"),
        network_policy=NetworkPolicySupport(pods="ECI pods", pro_only=True, source=ECI_NETWORK_POLICY_DOC),
    ),
    "ask-legacy": Substrate(
        kind="ask-legacy",
        resource_type=SERVERLESS_KUBERNETES,
        profile=None,
        title="ACK Serverless (deprecated cs.ServerlessKubernetes)",
        pods_on_eci=True,
        virtual_node_addon=False,
        system_node_pool=False,
        log_addon="alibaba-log-controller",
        log_addon_takes_project=True,
        prometheus_addon="arms-prometheus",
        scrape_route="prometheus-monitoring",
        executor_resource_ignore_env="__ECI_RESOURCE_IGNORE__",
        creation_seconds=300,
        creation_source="alicloud_cs_serverless_kubernetes docs: creation will cost about 5 minutes (create timeout 60 min)",
        network_policy=NetworkPolicySupport(pods="ECI pods", pro_only=True, source=ECI_NETWORK_POLICY_DOC),
    ),
}


def substrate(kind: ClusterKind) -> Substrate:
    """The facts of ``kind``."""
    return SUBSTRATES[kind]


# --- The workflow engine: askflow's own Argo (self-managed) or ACK One's managed Argo (ack-one) ---

Engine = Literal["self-managed", "ack-one"]
ENGINES: tuple[Engine, ...] = ("self-managed", "ack-one")

#: The ACK One cluster resource (terraform-provider-alicloud ``alicloud/resource_alicloud_ack_one_cluster.go``
#: at 81c43b67; pulumi-alicloud ``alicloud.ackone.Cluster``, token in ``pulumi_alicloud/ackone/cluster.py``).
ACK_ONE_CLUSTER = "alicloud:ackone/cluster:Cluster"
#: ``profile`` of a workflow cluster: ValidateFunc StringInSlice {"Default", "XFlow"}, ForceNew
#: (resource_alicloud_ack_one_cluster.go l. 71-77); ``Default`` is a Fleet instance (ArgoCD).
ACK_ONE_WORKFLOW_PROFILE = "XFlow"
#: "You can specify up to 10 vSwitches", all in the cluster's VPC (Alibaba, "Modify the configuration of a
#: workflow cluster", https://www.alibabacloud.com/help/en/ack/distributed-cloud-container-platform-for-kubernetes/user-guide/modify-the-configuration-of-a-workflow-cluster).
ACK_ONE_MAX_VSWITCHES = 10


@dataclass(frozen=True)
class EngineFacts:
    """What one ``argo.engine`` is made of."""

    engine: Engine
    title: str
    installs_argo: bool
    """askflow installs Argo itself (Helm release, archive database) on a cluster of ``cluster.kind``."""
    cluster_type: str | None
    """Pulumi type of the cluster the engine brings (None: ``cluster.kind`` decides)."""
    creation_seconds: float
    creation_source: str


ENGINE_FACTS: dict[Engine, EngineFacts] = {
    "self-managed": EngineFacts(
        engine="self-managed", title="Argo Workflows from its Helm chart, on the cluster of cluster.kind",
        installs_argo=True, cluster_type=None, creation_seconds=0, creation_source="the cluster.kind's figure"),
    "ack-one": EngineFacts(
        engine="ack-one", title="ACK One workflow cluster (Serverless Argo Workflows, managed Argo)",
        installs_argo=False, cluster_type=ACK_ONE_CLUSTER,
        # Alibaba states no creation time for a workflow cluster. The provider waits for state
        # "running" (l. 142-146) within a create timeout of 25 min (l. 24-28; docs "Timeouts":
        # "Defaults to 25 mins"); no add-ons, node pool or chart follow. 10 min is our estimate.
        creation_seconds=600,
        creation_source=("alicloud_ack_one_cluster: CreateHubCluster, then waits for state running; create "
                         "timeout 25 min (resource_alicloud_ack_one_cluster.go l. 24-28, 142-146); Alibaba "
                         "publishes no figure: 10 min estimated"),
    ),
}


def engine_facts(engine: Engine) -> EngineFacts:
    """The facts of ``engine``."""
    return ENGINE_FACTS[engine]


@dataclass(frozen=True)
class EngineDifference:
    """One thing the managed engine does differently, as askflow handles it, with its source."""

    topic: str
    handling: str
    source: str


#: What the managed engine does differently from askflow's own Argo, and what askflow does about it.
#: The README ("Moving to the managed engine") and every ack-one plan.md list these.
ACK_ONE_DIFFERENCES: tuple[EngineDifference, ...] = (
    EngineDifference(
        "Controller and chart",
        "Alibaba runs and upgrades the controller and argo-server (namespace named after the cluster id): no "
        "Helm release, chart version, images, replicas or controller sizing; askflow refuses those keys.",
        "Overview of Serverless Argo Workflows clusters: no cluster provisioning, no version management "
        "(https://www.alibabacloud.com/help/en/ack/overview-12); Enable Argo Server for a workflow cluster "
        "(kubectl get pod -n <cluster id>)"),
    EngineDifference(
        "Controller settings (workflowDefaults, templateReferencing, retention, parallelism)",
        "askflow does not write them: they live in the service's own workflow-controller-configmap (namespace "
        "<cluster id>), which Alibaba lets you edit by hand but which holds a podMetadata block the service "
        "needs; askflow will not overwrite a ConfigMap it does not own. The plan lists the argo.* values that "
        "are not applied; the library's templates set their service account, deadline and retries themselves "
        "(askflow lint --engine ack-one says what else they lose).",
        "How to modify workflow cluster configurations, workflow-controller-configmap "
        "(https://www.alibabacloud.com/help/en/ack/ack-argo-workflow-cluster/user-guide/modify-workflow-cluster-configurations)"),
    EngineDifference(
        "Workflow archive (persistence)",
        "No archive database: argo.enable_archive is refused. Alibaba documents persistence (archive, "
        "node-status offload to PostgreSQL or MySQL) only as a hand edit of its workflow-controller-configmap.",
        "How to modify workflow cluster configurations (same page)"),
    EngineDifference(
        "Artifact garbage collection and large artifacts",
        "Added by the service: artifact GC, multipart (resumable) upload of artifacts over 5 GiB to OSS, and "
        "streaming downloads through argo-server. storage.enable_artifact_gc still grants executors "
        "oss:DeleteObject, but the GC strategy is a template's own (spec.artifactGC), not a workflow default.",
        "Overview of Serverless Argo Workflows clusters: enhanced OSS management, large object uploading, "
        "artifacts garbage collection (https://www.alibabacloud.com/help/en/ack/overview-12)"),
    EngineDifference(
        "Where pods run (scheduling mode)",
        "The service places every pod (ECI or ACS); there is no eci-profile. eci.spot_strategy becomes the "
        "cluster's scheduling mode: none -> stock-optimized, SpotAsPriceGo -> cost-optimized (preemptible). "
        "SpotWithPriceLimit, eci.instance_specs, per-tenant eci and ECI image caches are refused.",
        "CreateHubCluster: WorkflowScheduleMode cost-optimized | stock-optimized, PriceLimit "
        "(https://help.aliyun.com/zh/ack/distributed-cloud-container-platform-for-kubernetes/developer-reference/api-adcp-2022-01-01-createhubcluster)"),
    EngineDifference(
        "RRSA (OSS credentials of workflow pods)",
        "Not available as far as the sources show: alicloud_ack_one_cluster has no enable_rrsa and exports no "
        "rrsa_metadata (resource_alicloud_ack_one_cluster.go l. 29-82), ACK One's API has no RRSA or OIDC field "
        "(adcp 2022-01-01, alibabacloud-adcp20220101 3.1.1 models.py), and Alibaba's workflow-cluster pages "
        "document none (their artifacts page points to Argo's OSS guide). So without argo.rrsa_oidc_issuer_url "
        "and argo.rrsa_oidc_provider_arn the stack creates no RRSA roles, tenant service accounts carry no role, "
        "and the plan warns that artifacts will fail; askflow never falls back to access keys (policy "
        "no-access-keys). With them, the roles and useSDKCreds repositories are exactly the self-managed ones.",
        "Configure artifacts (workflow cluster) "
        "(https://www.alibabacloud.com/help/en/ack/ack-argo-workflow-cluster/user-guide/configure-artifacts); "
        "resource_alicloud_ack_one_cluster.go at 81c43b67"),
    EngineDifference(
        "Service accounts",
        "The service binds the RBAC a workflow needs to any service account you create; askflow's executor Role "
        "and tenant-user RoleBindings are created as on the self-managed engine.",
        "Create an Argo workflow, Workflow ServiceAccount "
        "(https://www.alibabacloud.com/help/en/ack/ack-argo-workflow-cluster/user-guide/create-an-argo-workflow)"),
    EngineDifference(
        "Deletion protection and tags",
        "alicloud_ack_one_cluster has neither deletion_protection nor tags (l. 29-82): prod relies on Pulumi "
        "protect alone, and the policy pack's deletion-protection rule does not apply to it.",
        "resource_alicloud_ack_one_cluster.go l. 29-82 at 81c43b67"),
)


#: Stack-file keys (under ``askflow:platform``) that have no meaning on the managed engine: set in a
#: stack file with ``argo.engine: ack-one``, the settings refuse them (one line naming the key).
ACK_ONE_REFUSED_KEYS: dict[tuple[str, ...], str] = {
    **{("argo", key): "the managed engine runs Alibaba's Argo build: there is no chart, image or CRD job to choose"
       for key in ("chart_version", "chart_repository", "image_registry", "image_tag", "image_digests",
                   "kubectl_image", "crd_base_url")},
    **{("argo", key): "the managed engine's controller and argo-server are Alibaba's to size and replicate"
       for key in ("controller_replicas", "server_replicas", "controller_resources", "server_resources")},
    ("argo", "namespace"): "the managed controller and argo-server run in the namespace named after the cluster id",
    **{("argo", key): "askflow creates no archive database for the managed engine"
       for key in ("archive_ttl", "archive_instance_type", "archive_category")},
    ("cluster", "kind"): "the workflow cluster replaces the cluster of cluster.kind",
    ("cluster", "system_node_pool"): "a workflow cluster has no nodes of yours",
    ("eci", "instance_specs"): "a workflow cluster has no eci-profile: set k8s.aliyun.com/eci-use-specs in the templates",
}

#: Settings that stay valid but that askflow does not apply on the managed engine (every ack-one plan
#: warns with their values): the controller defaults live in the service's own ConfigMap, and the
#: cluster settings belong to a cluster the engine does not create.
ACK_ONE_NOT_APPLIED: tuple[tuple[str, ...], ...] = (
    *(("argo", key) for key in (
        "ttl_after_success_seconds", "ttl_after_failure_seconds", "pod_gc_strategy", "active_deadline_seconds",
        "retention_completed", "retention_failed", "retention_errored", "parallelism", "namespace_parallelism",
        "template_referencing", "workflow_pods_non_root")),
    *(("cluster", key) for key in (
        "kubernetes_version", "cluster_spec", "service_cidr", "kms_key_id", "auto_upgrade_channel",
        "maintenance_window", "enable_pod_identity_webhook", "enable_log_collection", "enable_prometheus")),
    ("eci", "spot_fallback"),
    ("protection", "deletion_protection"),
)
