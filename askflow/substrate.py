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
    executor_resource_ignore_env: str
    """Env var that keeps a container out of the pod's sizing (set on Argo's init and wait)."""
    creation_seconds: float
    creation_source: str
    """Typical creation time of the cluster and where the figure comes from."""


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
        # ECI "Ignore specific containers when the system adjusts resources".
        executor_resource_ignore_env="__ECI_RESOURCE_IGNORE__",
        creation_seconds=900,
        creation_source=(
            "alicloud_cs_managed_kubernetes docs: it will cost about 15 minutes "
            "(website/docs/r/cs_managed_kubernetes.html.markdown l. 22; create timeout 90 min)"),
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
        # ACS "Configure resource warping to ignore specific containers"
        # (https://www.alibabacloud.com/help/en/cs/user-guide/configure-resource-warping-to-ignore-specific-containers).
        executor_resource_ignore_env="__IGNORE_RESOURCE__",
        creation_seconds=900,
        creation_source=(
            "alicloud_cs_managed_kubernetes docs: it will cost about 15 minutes "
            "(cs_managed_kubernetes.html.markdown l. 22); Alibaba states no figure for profile Acs"),
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
        executor_resource_ignore_env="__ECI_RESOURCE_IGNORE__",
        creation_seconds=300,
        creation_source=(
            "alicloud_cs_serverless_kubernetes docs: creation will cost about 5 minutes; the same cluster type "
            "through alicloud_cs_managed_kubernetes (profile Serverless)"),
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
        executor_resource_ignore_env="__ECI_RESOURCE_IGNORE__",
        creation_seconds=300,
        creation_source="alicloud_cs_serverless_kubernetes docs: creation will cost about 5 minutes (create timeout 60 min)",
    ),
}


def substrate(kind: ClusterKind) -> Substrate:
    """The facts of ``kind``."""
    return SUBSTRATES[kind]
