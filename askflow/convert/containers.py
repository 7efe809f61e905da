"""What every converted container gets, whatever its source format: a pinned image (or a clearly marked
parameter), and CPU/memory requests (ECI sizes pods from them; strict lint requires them)."""

from __future__ import annotations

from typing import Any

from askflow.convert.images import image_status, is_ecr, why_unpinned
from askflow.convert.model import JobPlan, PathParts, Reporter
from askflow.convert.resources import ANNOTATION_SPECS, DEFAULT_CPU, DEFAULT_GPU_SPEC, DEFAULT_MEMORY


def resolve_image(plan: JobPlan, report: Reporter, param: str, image: str, path: PathParts, *,
                  what: str = "the container") -> str:
    """``image`` when pinned; else declare workflow parameter ``param`` (no default) and return a reference."""
    status = image_status(image)
    if is_ecr(image):
        report.add("ECR_IMAGE", path, f"{image!r} is in Amazon ECR: push it to ACR (Alibaba Cloud Container "
                   "Registry) in the cluster's region and use that reference")
    if status == "pinned":
        report.add("IMAGE_MAPPED", path, f"{what} runs {image}")
        return image
    plan.source_values[param] = image
    ref = plan.add_parameter(
        param, description=f"Container image for {what}. The source's {why_unpinned(image, status)}; supply a "
        "pinned reference (tag or digest).")
    report.add("IMAGE_PARAMETER", path, f"{why_unpinned(image, status)}: {what} runs the workflow parameter "
               f"`{param}` (no default); supply it at submit time (-p {param}=<image:tag>) or write it into "
               "a new version", target=f"spec.arguments.parameters[{param}]")
    return ref


def quantity_text(value: Any) -> Any:
    """A resource quantity as text (``1`` -> ``"1"``, ``0.5`` -> ``"0.5"``): Argo's JSON schema types
    resource.Quantity as a string (../shared/argo/v4.1.2/schema.json); Kubernetes parses both the same."""
    if isinstance(value, bool):
        return value  # not a quantity: the Kubernetes schema check refuses it
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return value


def gpu_instance_type(plan: JobPlan, report: Reporter, task: str, gpus: int, path: PathParts) -> str:
    """Declare the workflow parameter ``<task>-gpu-instance-type`` (ECI needs a GPU instance type in
    k8s.aliyun.com/eci-use-specs to give a pod GPUs); returns its reference for the annotation."""
    param = f"{task}-gpu-instance-type"
    default = DEFAULT_GPU_SPEC if gpus == 1 else None
    ref = plan.add_parameter(
        param, value=default, description=f"ECI GPU instance type for task {task} ({gpus} GPU(s)); set by "
        f"askflow convert{' to a 1-GPU default' if default else ''}: check it (ECS gn* families)")
    report.add("GPU_INSTANCE_TYPE", path, f"{gpus} GPU(s) -> limits nvidia.com/gpu {gpus}",
               target=f"spec.templates[{task}].container.resources")
    report.add("GPU_SPEC_PARAMETER", path, f"{ANNOTATION_SPECS} is the workflow parameter `{param}`"
               + (f" (default {default}, 1 NVIDIA T4)" if default else f" (no default: pass an instance type with "
                  f"{gpus} GPUs)"), target=f"spec.arguments.parameters[{param}]")
    return ref


def ensure_requests(container: dict[str, Any], report: Reporter, path: PathParts, *, what: str,
                    default_cpu: str = DEFAULT_CPU, default_memory: str = DEFAULT_MEMORY,
                    note: str = "ECI's default pod size") -> None:
    """Give ``container`` cpu and memory requests: its limits (as Kubernetes does), else the defaults."""
    resources = dict(container.get("resources") or {})
    requests = {k: quantity_text(v) for k, v in (resources.get("requests") or {}).items()}
    limits = {k: quantity_text(v) for k, v in (resources.get("limits") or {}).items()}
    filled: list[str] = []
    for key, default in (("cpu", default_cpu), ("memory", default_memory)):
        if key in requests:
            continue
        if key in limits:
            requests[key] = limits[key]  # Kubernetes defaults a missing request to the limit
        else:
            requests[key] = default
            filled.append(f"{key} {default}")
    if filled:
        missing = " and ".join(k.split()[0] for k in filled)
        report.add("RESOURCES_DEFAULTED", path, f"{what} requests no {missing}: requests {', '.join(filled)} "
                   f"written explicitly ({note}); adjust to the job", target="resources.requests")
    resources["requests"] = dict(sorted(requests.items()))
    if limits:
        resources["limits"] = dict(sorted(limits.items()))
    container["resources"] = dict(sorted(resources.items()))  # limits, requests (and claims) in a fixed order
