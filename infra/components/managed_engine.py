"""The managed engine (``argo.engine: ack-one``): an ACK One workflow cluster instead of askflow's own Argo.

One ``alicloud.ackone.Cluster`` with ``profile: XFlow`` (Serverless Argo Workflows) in the stack's VPC
replaces the cluster of ``cluster.kind`` with its add-ons and node pool, the Argo Helm release and the
archive database. What the provider does not expose (argo-server on or off, the scheduling mode, the
kubeconfig) comes from ACK One's own API through ``components.workflow_cluster`` (a dynamic
resource); :func:`workflow_cluster_access` is the one place that talks to it. Its kubeconfig builds the
``k8s.Provider`` every tenant, template and CronWorkflow uses, as the cluster component's does.

Provider facts (terraform-provider-alicloud ``alicloud/resource_alicloud_ack_one_cluster.go`` at 81c43b67):
``network`` {``vpc_id``, ``vswitches``} is Required and ForceNew (l. 45-70), ``profile`` ForceNew with
values ``Default`` and ``XFlow`` (l. 71-77), ``cluster_name`` ForceNew (l. 30-35); create, update and
delete time out after 25 minutes (l. 24-28); there is no ``deletion_protection``, no ``tags`` and no
``rrsa_metadata``. What the engine does differently is listed, with Alibaba's pages, in
``askflow.substrate.ACK_ONE_DIFFERENCES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_alicloud as alicloud
import pulumi_kubernetes as k8s

from askflow.substrate import ACK_ONE_WORKFLOW_PROFILE

if TYPE_CHECKING:
    from askflow.ackone.features import SchedulingMode

#: ``eci.spot_strategy`` as the workflow cluster's scheduling mode (CreateHubCluster
#: ``WorkflowScheduleMode``: ``cost-optimized`` uses preemptible instances, ``stock-optimized`` pay-as-you-go;
#: SpotWithPriceLimit is refused by the settings).
SCHEDULING_MODES: dict[str, SchedulingMode] = {"none": "stock-optimized", "SpotAsPriceGo": "cost-optimized"}


@dataclass(frozen=True, kw_only=True)
class ManagedEngineArgs:
    cluster_name: str
    """Name of the workflow cluster (CreateHubCluster ``Name``)."""
    region: str
    """The stack's region (ACK One's API is regional)."""
    vpc_id: pulumi.Input[str]
    """The stack's VPC."""
    vswitch_ids: pulumi.Input[list[str]]
    """vSwitches pods take their addresses from, across zones (at most 10; the settings check)."""
    spot_strategy: str = "none"
    """``eci.spot_strategy``: the scheduling mode (:data:`SCHEDULING_MODES`)."""
    rrsa_oidc_issuer_url: str | None = None
    """``argo.rrsa_oidc_issuer_url``: the workflow cluster's RRSA issuer, when the stack file names one."""
    rrsa_oidc_provider_arn: str | None = None
    """``argo.rrsa_oidc_provider_arn``: its RAM OIDC provider."""
    argo_server_enabled: bool = True
    """argo-server (UI and API) on a private VPC address, as the self-managed engine always has it."""
    protect: bool = False
    """Pulumi ``protect`` on the workflow cluster (prod): the provider has no deletion protection."""
    depends_on: tuple[pulumi.Resource, ...] = ()
    """What the cluster waits for (internet egress: the SNAT entries, for image pulls)."""


@dataclass(frozen=True)
class WorkflowClusterAccess:
    """What the rest of the stack needs from the ACK One API."""

    resource: pulumi.Resource
    """The resource that makes the cluster usable (Argo's CRDs exist once it is done)."""
    kubeconfig: pulumi.Output[str]
    """A secret kubeconfig of the workflow cluster."""


def workflow_cluster_access(name: str, cluster: alicloud.ackone.Cluster, args: ManagedEngineArgs,
                            parent: pulumi.Resource) -> WorkflowClusterAccess:
    """The features the provider does not expose, through ``components.workflow_cluster`` (ACK One's
    ``adcp`` 2022-01-01 API): argo-server, the scheduling mode and the kubeconfig."""
    from components.workflow_cluster import WorkflowClusterFeatures, WorkflowClusterFeaturesArgs

    features = WorkflowClusterFeatures(
        f"{name}-features",
        WorkflowClusterFeaturesArgs(
            cluster_id=cluster.id,
            region=args.region,
            argo_server_enabled=args.argo_server_enabled,
            scheduling_mode=SCHEDULING_MODES[args.spot_strategy],
        ),
        pulumi.ResourceOptions(parent=parent),
    )
    return WorkflowClusterAccess(resource=features, kubeconfig=pulumi.Output.secret(features.kubeconfig))


class ManagedEngineComponent(pulumi.ComponentResource):
    """An ACK One workflow cluster and its Kubernetes provider (``askflow:engine:AckOne``).

    It offers what the rest of the program reads from ``ClusterComponent``: ``cluster_id``,
    ``kubeconfig``, ``provider`` and ``ready``."""

    cluster_id: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    """The RRSA issuer the stack file names (empty without one: the provider reports none)."""
    oidc_provider_arn: pulumi.Output[str]
    provider: k8s.Provider
    ready: list[pulumi.Resource]
    """What must exist before Argo's custom resources can be created (the features: CRDs, argo-server)."""

    def __init__(self, name: str, args: ManagedEngineArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("askflow:engine:AckOne", name, None, opts)
        cluster = alicloud.ackone.Cluster(
            f"{name}-workflow-cluster",
            cluster_name=args.cluster_name,
            profile=ACK_ONE_WORKFLOW_PROFILE,
            network=alicloud.ackone.ClusterNetworkArgs(vpc_id=args.vpc_id, vswitches=args.vswitch_ids),
            # argocd_enabled is refused with profile XFlow (l. 88-92): never set.
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect, depends_on=list(args.depends_on),
                custom_timeouts=pulumi.CustomTimeouts(create="25m", update="25m", delete="25m"),
            ),
        )
        self.cluster_id = cluster.id
        self.oidc_issuer_url = pulumi.Output.from_input(args.rrsa_oidc_issuer_url or "")
        self.oidc_provider_arn = pulumi.Output.from_input(args.rrsa_oidc_provider_arn or "")
        access = workflow_cluster_access(name, cluster, args, self)
        self.kubeconfig = access.kubeconfig
        self.ready = [access.resource]
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"clusterId": self.cluster_id, "kubeconfig": self.kubeconfig})
