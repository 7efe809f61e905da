"""What a converted job's pod annotations become on the stack's ``cluster.kind`` (askflow.substrate).

The converters write ECI pod annotations (instance specs, GPU instance types, spot, extra storage,
an elastic IP), which is right for the kinds whose pods run on ECI. An ACS cluster reads none of
them: its pods are sized from their requests and their compute class and QoS are pod labels
(https://www.alibabacloud.com/help/en/cs/user-guide/acs-pod-instance-overview). For
``--cluster-kind acs`` this pass turns what has an ACS counterpart into labels and drops the rest,
each with a report entry:

- a spot strategy (``k8s.aliyun.com/eci-spot-strategy``, and its price limit) becomes
  ``alibabacloud.com/compute-qos: best-effort`` (preemptible; no price cap on ACS);
- a GPU instance type (``ecs.gn*`` in ``k8s.aliyun.com/eci-use-specs``, or the workflow parameter the
  converter made for it) becomes ``alibabacloud.com/compute-class: gpu``; the GPU model is
  ``alibabacloud.com/gpu-model-series``, which a definition never names: the report says to set it;
- a CPU instance spec is dropped: ACS sizes the pod from the requests the converter already wrote;
- extra ephemeral storage and an elastic IP have no ACS pod annotation askflow can vouch for: dropped
  and reported, so nothing is silently lost.
"""

from __future__ import annotations

from typing import Any

from askflow.convert.model import JobPlan
from askflow.convert.resources import (
    ANNOTATION_EIP,
    ANNOTATION_EXTRA_STORAGE,
    ANNOTATION_SPECS,
    ANNOTATION_SPOT_PRICE,
    ANNOTATION_SPOT_STRATEGY,
)
from askflow.lint.platform import MANAGED_ENGINE_DEFAULTS
from askflow.substrate import ACS_COMPUTE_CLASS_LABEL, ACS_COMPUTE_QOS_LABEL, ClusterKind, Engine, substrate

GPU_MODEL_LABEL = "alibabacloud.com/gpu-model-series"


def _is_gpu(spec: str) -> bool:
    """A GPU instance type (``ecs.gn6i-...``, ``ecs.gn7...``) or the parameter that stands for one."""
    return any(s.strip().startswith("ecs.gn") for s in spec.split(",")) or "gpu-instance-type" in spec


def adapt_engine(plan: JobPlan, engine: Engine) -> None:
    """Say what a converted template loses on the managed engine (askflow.substrate.ACK_ONE_DIFFERENCES):
    the workflow defaults askflow sets on its own Argo (the non-root uid USER_DEFAULTED speaks of included)."""
    if engine == "self-managed" or not plan.converted:
        return
    missing = [k for k in MANAGED_ENGINE_DEFAULTS if plan.spec.get(k) is None]
    if missing:
        plan.report.add("ACK_ONE_DEFAULTS", plan.source.path,
                        f"argo.engine ack-one does not apply askflow's workflow defaults: set {', '.join(missing)} in the "
                        "template's spec, or it runs with Alibaba's controller defaults (and as the image's user)")


def adapt(plan: JobPlan, kind: ClusterKind) -> None:
    """Rewrite ``plan``'s pod annotations for ``kind`` in place (nothing to do where pods run on ECI)."""
    if substrate(kind).pods_on_eci or not plan.converted:
        return
    for task in plan.tasks:
        metadata: dict[str, Any] = task.template.get("metadata") or {}
        annotations: dict[str, str] = dict(metadata.get("annotations") or {})
        labels: dict[str, str] = dict(metadata.get("labels") or {})
        if not any(k.startswith("k8s.aliyun.com/eci-") for k in annotations):
            continue
        where = f"task {task.name}"
        strategy = annotations.pop(ANNOTATION_SPOT_STRATEGY, None)
        price = annotations.pop(ANNOTATION_SPOT_PRICE, None)
        annotations.pop("k8s.aliyun.com/eci-spot-fallback", None)
        if strategy is not None:
            labels[ACS_COMPUTE_QOS_LABEL] = "best-effort"
            plan.report.add("ACS_BEST_EFFORT", plan.source.path,
                            f"{where}: spot ({strategy}) became {ACS_COMPUTE_QOS_LABEL}: best-effort (preemptible)"
                            + (f"; ACS has no price cap, the limit {price} is dropped" if price else ""))
        spec = annotations.pop(ANNOTATION_SPECS, None)
        if spec is not None and _is_gpu(spec):
            labels[ACS_COMPUTE_CLASS_LABEL] = "gpu"
            plan.report.add("ACS_GPU_CLASS", plan.source.path,
                            f"{where}: the GPU instance type ({spec}) became {ACS_COMPUTE_CLASS_LABEL}: gpu; set "
                            f"{GPU_MODEL_LABEL} to the GPU model the job needs")
        elif spec is not None:
            plan.report.add("ACS_SPEC_DROPPED", plan.source.path,
                            f"{where}: {ANNOTATION_SPECS} {spec} dropped: ACS sizes the pod from its requests")
        for key in (ANNOTATION_EXTRA_STORAGE, ANNOTATION_EIP, *sorted(k for k in annotations
                                                                      if k.startswith("k8s.aliyun.com/eci-"))):
            if key in annotations:
                plan.report.add("ACS_ANNOTATION_DROPPED", plan.source.path,
                                f"{where}: {key}: {annotations.pop(key)} is an ECI annotation ACS does not read; "
                                "dropped")
        if annotations:
            metadata["annotations"] = dict(sorted(annotations.items()))
        else:
            metadata.pop("annotations", None)
        if labels:
            metadata["labels"] = dict(sorted(labels.items()))
        if metadata:
            task.template["metadata"] = metadata
        else:
            task.template.pop("metadata", None)
