"""The settings of an ACK One workflow cluster that pulumi-alicloud does not expose, as a resource.

``alicloud.ackone.Cluster`` (profile ``XFlow``) creates the workflow cluster; this dynamic resource
then sets Argo Server on or off and the scheduling mode through ACK One's API (adcp 2022-01-01) and
outputs the cluster's private-IP kubeconfig as a secret, for the Kubernetes provider that deploys
tenants and templates to it. What the provider does on create, update, refresh and delete, and
why, is in :mod:`askflow.ackone.provider`; which settings exist and their values in
:mod:`askflow.ackone.features`.

Use::

    features = WorkflowClusterFeatures(
        "askflow-workflow",
        WorkflowClusterFeaturesArgs(cluster_id=cluster.id, region=region,
                                    argo_server_enabled=True, scheduling_mode="cost-optimized"),
        pulumi.ResourceOptions(parent=self),
    )
    k8s.Provider("askflow-workflow", kubeconfig=features.kubeconfig)

Credentials at ``pulumi up`` come from the Alibaba Cloud default chain of the machine running it
(environment, OIDC role in CI, ``~/.alibabacloud``): nothing about them is an input or in state.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi.dynamic

from askflow.ackone import features
from askflow.ackone.features import SchedulingMode
from askflow.ackone.provider import WorkflowClusterFeaturesProvider


@dataclass(frozen=True, kw_only=True)
class WorkflowClusterFeaturesArgs:
    cluster_id: pulumi.Input[str]
    """The workflow cluster's id (``alicloud.ackone.Cluster.id``). Another id replaces the resource."""
    region: str
    """The cluster's region (the stack's ``alicloud:region``): which adcp endpoint to call."""
    argo_server_enabled: bool
    """Argo Server (the Argo UI and API, on a VPC-internal address) on or off (``ArgoServerEnabled``)."""
    scheduling_mode: SchedulingMode
    """``stock-optimized`` (pay-as-you-go instances, the API's default) or ``cost-optimized``
    (preemptible instances that can be reclaimed mid-step) (``WorkflowScheduleMode``)."""


class WorkflowClusterFeatures(pulumi.dynamic.Resource, module=features.MODULE, name=features.NAME):
    """Argo Server and scheduling mode of a workflow cluster, and its kubeconfig
    (``pulumi-python:dynamic/ackone:WorkflowClusterFeatures``; its id is the cluster id)."""

    cluster_id: pulumi.Output[str]
    region: pulumi.Output[str]
    argo_server_enabled: pulumi.Output[bool]
    """As the cluster reports it after the change."""
    scheduling_mode: pulumi.Output[str]
    """As the cluster reports it after the change."""
    kubeconfig: pulumi.Output[str]
    """The private-IP kubeconfig (DescribeHubClusterKubeconfig, ``PrivateIpAddress=true``); a secret."""

    def __init__(self, name: str, args: WorkflowClusterFeaturesArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        secret = pulumi.ResourceOptions(additional_secret_outputs=["kubeconfig"])
        props = {
            "cluster_id": args.cluster_id,
            "region": args.region,
            "argo_server_enabled": args.argo_server_enabled,
            "scheduling_mode": args.scheduling_mode,
            "kubeconfig": None,  # an output: declared so that `kubeconfig` is an attribute
        }
        super().__init__(WorkflowClusterFeaturesProvider(), name, props, pulumi.ResourceOptions.merge(opts, secret))
        # additional_secret_outputs makes the engine encrypt it in state; wrapping it here makes it a
        # secret for the program too (the plan's mock monitor, like the cluster's kubeconfig in cluster.py).
        self.kubeconfig = pulumi.Output.secret(self.kubeconfig)
