"""The settings of an ACK One workflow cluster that askflow manages through the adcp API.

Values and their meaning only: no Pulumi, no SDK. :mod:`askflow.ackone.provider` applies them, the
plan's contract checker holds a plan's inputs to :data:`CONTRACT`, and ``askflow plan --against``
reads from it which changes replace the resource.

Sources (adcp 2022-01-01, SDK ``alibabacloud-adcp20220101`` 3.1.1, ``models.py``):

- ``UpdateHubClusterFeatureRequest`` (``argo_server_enabled: bool`` sent as ``ArgoServerEnabled``;
  ``workflow_schedule_mode: str`` sent as ``WorkflowScheduleMode``, "cost-optimized" or
  "stock-optimized", "takes effect only if Profile is set to XFlow"); ``client.py``
  ``update_hub_cluster_feature_with_options`` puts both in the query. Alibaba's API reference says
  the same (https://www.alibabacloud.com/help/en/ack/distributed-cloud-container-platform-for-kubernetes/developer-reference/api-adcp-2022-01-01-updatehubclusterfeature).
- "Modify the configuration of a workflow cluster" names the two modes: stock-optimized
  (inventory-prioritized, the default, pay-as-you-go instances) and cost-optimized
  (cost-prioritized, preemptible instances that can be reclaimed before a workflow ends)
  (https://www.alibabacloud.com/help/en/ack/distributed-cloud-container-platform-for-kubernetes/user-guide/modify-the-configuration-of-a-workflow-cluster).
- ``DescribeHubClusterDetailsResponseBodyClusterWorkflowConfig`` reads them back
  (``ArgoServerEnabled``, ``WorkflowScheduleMode``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

#: ``class WorkflowClusterFeatures(pulumi.dynamic.Resource, module=MODULE, name=NAME)`` registers
#: as ``pulumi-python:dynamic/<module>:<name>`` (pulumi ``dynamic/dynamic.py``,
#: ``Resource.__init_subclass__``), so a plan can tell it from any other dynamic resource.
MODULE = "ackone"
NAME = "WorkflowClusterFeatures"
FEATURES_TYPE = f"pulumi-python:dynamic/{MODULE}:{NAME}"

SchedulingMode = Literal["stock-optimized", "cost-optimized"]
#: ``WorkflowScheduleMode`` values the API takes (SDK models.py, UpdateHubClusterFeatureRequest).
SCHEDULING_MODES: tuple[SchedulingMode, ...] = ("stock-optimized", "cost-optimized")

#: Inputs that name another cluster: changing one replaces the resource (its id is the cluster id).
REPLACE_ON: tuple[str, ...] = ("cluster_id", "region")
#: Inputs that UpdateHubClusterFeature changes in place.
UPDATE_ON: tuple[str, ...] = ("argo_server_enabled", "scheduling_mode")
INPUTS: tuple[str, ...] = REPLACE_ON + UPDATE_ON
#: Outputs beyond the inputs: the private-IP kubeconfig (a Pulumi secret).
OUTPUTS: tuple[str, ...] = (*INPUTS, "kubeconfig")

_SOURCE = "askflow/ackone/features.py"

#: The resource's inputs in the form of the plan's contract data (askflow/plan/contract/data/
#: contract.json): what ``askflow plan`` checks, as it checks the providers' resources. ``__provider``
#: is the pickled provider the Pulumi SDK adds to every dynamic resource (a secret, never shown).
CONTRACT: dict[str, Any] = {
    "properties": {
        "__provider": {"type": "string"},
        "cluster_id": {"type": "string", "terraform": {
            "forceNew": True, "rules": [{"notEmpty": True}], "source": _SOURCE}},
        "region": {"type": "string", "terraform": {
            "forceNew": True, "rules": [{"notEmpty": True}], "source": _SOURCE}},
        "argo_server_enabled": {"type": "boolean"},
        "scheduling_mode": {"type": "string", "enum": list(SCHEDULING_MODES)},
        # An output; the resource passes it as None so that Pulumi makes it an attribute.
        "kubeconfig": {"type": "string"},
    },
    "required": ["__provider", *INPUTS],
    "sdk": "infra/components/workflow_cluster.py WorkflowClusterFeatures",
}


def problems(props: Mapping[str, Any], unknown: object = None) -> list[tuple[str, str]]:
    """``(property, reason)`` for each input the API would refuse; values equal to ``unknown``
    (not known before the cluster exists) are left for later."""
    out: list[tuple[str, str]] = []
    for key in INPUTS:
        value = props.get(key)
        if unknown is not None and value == unknown:
            continue
        if value is None:
            out.append((key, f"{key} is required"))
        elif key in ("cluster_id", "region") and (not isinstance(value, str) or not value.strip()):
            out.append((key, f"{key} must be a non-empty string, not {value!r}"))
        elif key == "argo_server_enabled" and not isinstance(value, bool):
            out.append((key, f"argo_server_enabled must be true or false, not {value!r}"))
        elif key == "scheduling_mode" and value not in SCHEDULING_MODES:
            allowed = " or ".join(SCHEDULING_MODES)
            out.append((key, f"scheduling_mode must be {allowed} (adcp WorkflowScheduleMode), not {value!r}"))
    return out


def changed(olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """``(changed inputs, those among them that replace)``, in :data:`INPUTS` order.

    A value not known yet (the cluster is being created or replaced in the same run) is a change:
    a new cluster id means another cluster.
    """
    diffs = [k for k in INPUTS if olds.get(k) != news.get(k)]
    return diffs, [k for k in diffs if k in REPLACE_ON]
