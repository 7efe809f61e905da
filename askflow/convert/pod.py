"""A Kubernetes PodSpec as an Argo container template (Kubernetes Jobs, AWS Batch on EKS).

Argo templates carry most pod fields themselves (`Template
<https://argo-workflows.readthedocs.io/en/latest/fields/#template>`_: nodeSelector, tolerations,
affinity, volumes, securityContext, ...), a few live on the workflow spec (imagePullSecrets,
dnsPolicy, hostNetwork), and the rest go through ``podSpecPatch`` (FORMATS.md section 3.4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from askflow.convert.access import Reader, meaningful
from askflow.convert.containers import ensure_requests, gpu_instance_type, quantity_text, resolve_image
from askflow.convert.model import INDEX_REF, PLATFORM_SERVICE_ACCOUNT, JobPlan, PathParts, Reporter
from askflow.convert.naming import k8s_name
from askflow.convert.resources import ANNOTATION_SPECS, DEFAULT_CPU, DEFAULT_MEMORY, parse_quantity
from askflow.lint.podsecurity import BASELINE_CAPABILITIES, baseline_problems
from askflow.settings import WORKFLOW_RUN_AS_USER

TEMPLATE_FIELDS = ("nodeSelector", "tolerations", "affinity", "volumes", "securityContext", "priorityClassName",
                   "schedulerName", "hostAliases")
SPEC_FIELDS = ("imagePullSecrets", "dnsPolicy", "dnsConfig", "hostNetwork")
PATCH_FIELDS = ("runtimeClassName", "terminationGracePeriodSeconds", "enableServiceLinks", "shareProcessNamespace",
                "topologySpreadConstraints", "os", "hostname", "subdomain", "setHostnameAsFQDN", "hostPID", "hostIPC",
                "preemptionPolicy", "readinessGates", "overhead", "schedulingGates", "hostUsers", "resources",
                "resourceClaims", "priority")
DROPPED = {
    "nodeName": "binds the pod to one node; ECI pods have no fixed node",
    "ephemeralContainers": "debugging containers are added to running pods, not templates",
}
#: nodeSelector labels set by other clouds' node pools: no ECI virtual node carries them.
CLOUD_NODE_LABELS = ("cloud.google.com/", "eks.amazonaws.com/", "k8s.amazonaws.com/", "karpenter.sh/",
                     "karpenter.k8s.aws/", "alpha.eksctl.io/", "kubernetes.azure.com/", "agentpool",
                     "node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type",
                     "topology.kubernetes.io/", "failure-domain.beta.kubernetes.io/")
#: Sidecars without requests get ECI's smallest useful slice rather than a full pod's size.
SIDECAR_CPU = "250m"
SIDECAR_MEMORY = "256Mi"


def as_root(sc: dict[str, Any]) -> dict[str, Any]:
    """A container securityContext that runs as root (uid 0) on the platform as it did in the source:
    runAsNonRoot false (the platform's pod default refuses root otherwise) and the runtime's default
    capabilities that baseline allows (the platform's container default drops them all; NET_RAW is
    the one baseline refuses)."""
    out = {**sc, "runAsNonRoot": sc.get("runAsNonRoot", False)}
    caps = dict(out.get("capabilities") or {})
    caps["add"] = sorted(set(caps.get("add") or []) | BASELINE_CAPABILITIES)
    out["capabilities"] = caps
    return out


@dataclass
class PodTemplate:
    """The template body and workflow-spec fields made from one pod."""

    template: dict[str, Any] = field(default_factory=dict)
    spec: dict[str, Any] = field(default_factory=dict)
    main_container: str = ""


def without_nulls(reader: Reader, value: Any, path: PathParts) -> Any:
    """``value`` without null fields: Kubernetes reads ``field: null`` as unset, Argo's CRDs reject it.
    A null inside a list has no such reading and is an error."""
    if isinstance(value, dict):
        return {k: without_nulls(reader, v, (*path, k)) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        for i, item in enumerate(value):
            if item is None:
                reader.fail((*path, i), "null in a list; remove it or give a value")
        return [without_nulls(reader, item, (*path, i)) for i, item in enumerate(value)]
    return value


def _sets_user(pod: dict[str, Any]) -> bool:
    """Whether the pod chooses its users (a pod-level securityContext, or a runAsUser on every container)."""
    pod_sc = pod.get("securityContext")
    if isinstance(pod_sc, dict) and meaningful(pod_sc):
        return True  # a template's own pod securityContext replaces the platform's default whole
    containers = [c for group in ("initContainers", "containers") for c in pod.get(group) or []]
    return all(isinstance(c, dict) and isinstance(c.get("securityContext"), dict)
               and c["securityContext"].get("runAsUser") is not None for c in containers)


def _node_selector(report: Reporter, path: PathParts, selector: dict[str, Any]) -> dict[str, Any]:
    """The selector without other clouds' node labels, each reported as not carried over."""
    kept: dict[str, Any] = {}
    for key, value in selector.items():
        if str(key).startswith(CLOUD_NODE_LABELS):
            report.add("NODE_SELECTOR_DROPPED", (*path, key), f"nodeSelector {key}={value} not carried over: a node "
                       "label of another cloud, which no ECI virtual node has (the pod would stay Pending)")
        else:
            kept[key] = value
    return kept


def _volume_quantities(volume: Any) -> Any:
    """emptyDir.sizeLimit as text (a Quantity, a string in Argo's schema)."""
    if isinstance(volume, dict) and isinstance(volume.get("emptyDir"), dict) and "sizeLimit" in volume["emptyDir"]:
        return {**volume, "emptyDir": {**volume["emptyDir"], "sizeLimit": quantity_text(volume["emptyDir"]["sizeLimit"])}}
    return volume


def _size_note(report: Reporter, path: PathParts, template: dict[str, Any], main: str) -> None:
    """Say what a pod with native sidecars asks for: the main container, sidecars and native sidecars together
    (Kubernetes sums them; an ordinary init container only needs to fit)."""
    natives = [c for c in template.get("initContainers") or [] if c.get("restartPolicy") == "Always"]
    if not natives:
        return
    running = [template["container"], *(template.get("sidecars") or []), *natives]
    cpu = [parse_quantity(c["resources"]["requests"].get("cpu"), memory=False) for c in running]
    memory = [parse_quantity(c["resources"]["requests"].get("memory"), memory=True) for c in running]
    total = ""
    if all(v is not None for v in cpu + memory):
        cores = sum(v for v in cpu if v is not None)
        mib = sum(v for v in memory if v is not None) / 2**20
        total = f": the pod requests cpu {cores:g} and memory {mib:g}Mi in all"
    names = ", ".join(repr(str(c.get("name"))) for c in natives)
    report.add("NATIVE_SIDECAR", (*path, "initContainers"), f"{names} (restartPolicy Always) run beside {main!r} for "
               f"the life of the pod, so their requests add to the main container's{total}",
               target="initContainers")


def _gpus(plan: JobPlan, report: Reporter, path: PathParts, template: dict[str, Any], task: str) -> None:
    """GPUs a pod's containers ask for -> an ECI GPU instance type in k8s.aliyun.com/eci-use-specs (a workflow
    parameter, as for AWS Batch), unless the pod names its instance type already."""
    containers = [template["container"], *(template.get("sidecars") or []), *(template.get("initContainers") or [])]
    gpus = 0.0
    for c in containers:
        res = c.get("resources") or {}
        value = (res.get("limits") or {}).get("nvidia.com/gpu", (res.get("requests") or {}).get("nvidia.com/gpu"))
        count = parse_quantity(value, memory=False) if value is not None else None
        gpus += count or 0
    if gpus <= 0:
        return
    meta = dict(template.get("metadata") or {})
    annotations = dict(meta.get("annotations") or {})
    if ANNOTATION_SPECS in annotations:
        return  # the pod names its ECI instance type itself
    annotations[ANNOTATION_SPECS] = gpu_instance_type(plan, report, task, int(gpus), (*path, "containers"))
    meta["annotations"] = dict(sorted(annotations.items()))
    template["metadata"] = meta


def _set_env(container: dict[str, Any], name: str, value: str) -> None:
    env = [e for e in container.get("env") or [] if e.get("name") != name]
    env.append({"name": name, "value": value})
    container["env"] = env


def map_pod(plan: JobPlan, report: Reporter, reader: Reader, pod: dict[str, Any], path: PathParts, *,
            task: str, pod_metadata: dict[str, Any] | None = None, metadata_path: PathParts = (),
            index_env: str | None = None, count: int | None = None) -> PodTemplate:
    """Map ``pod`` (a PodSpec at ``path``) for the leaf template of ``task``."""
    out = PodTemplate()
    pod = without_nulls(reader, pod, path)
    for where, what in baseline_problems(pod):
        report.add("POD_SECURITY_BASELINE", (*path, *where), f"{what}: tenant namespaces enforce Pod Security "
                   "baseline, which refuses it")
    if not _sets_user(pod):
        report.add("USER_DEFAULTED", (*path, "securityContext"), f"no runAsUser in the pod: it runs as uid {WORKFLOW_RUN_AS_USER}, "
                   "non-root, where argo.workflow_pods_non_root is on (the default)")
    containers = reader.opt_list(pod, "containers", path)
    if not containers:
        reader.fail((*path, "containers"), "a pod needs at least one container")
    index_value = INDEX_REF if count is not None else "0"
    pod_sc = pod.get("securityContext")
    pod_non_root = isinstance(pod_sc, dict) and pod_sc.get("runAsNonRoot") is True

    def convert(c: Any, cpath: PathParts, param: str, what: str, defaults: tuple[str, str, str]
                ) -> dict[str, Any]:
        c = dict(reader.mapping(c, cpath))
        image = reader.req_str(c, "image", cpath)
        c["image"] = resolve_image(plan, report, param, image, (*cpath, "image"), what=what)
        ensure_requests(c, report, (*cpath, "resources"), what=what, default_cpu=defaults[0],
                        default_memory=defaults[1], note=defaults[2])
        if index_env:
            _set_env(c, index_env, index_value)
        sc = c.get("securityContext")
        if isinstance(sc, dict) and sc.get("runAsUser") == 0 and not pod_non_root:
            # Root, as in the source: the platform's defaults would refuse it or take its capabilities.
            c["securityContext"] = as_root(sc)
            report.add("ROOT_KEPT", (*cpath, "securityContext"), f"{what} runs as root: runAsNonRoot false and the "
                       "runtime's default capabilities except NET_RAW (Pod Security baseline) are set explicitly")
        return c

    first = reader.mapping(containers[0], (*path, "containers", 0))
    out.main_container = str(first.get("name") or "main")
    main = convert(first, (*path, "containers", 0), f"{task}-image", f"container {out.main_container!r}",
                   (DEFAULT_CPU, DEFAULT_MEMORY, "ECI's default pod size"))
    main_requests = main["resources"]["requests"]
    main.pop("name", None)  # Argo names the main container `main`
    template: dict[str, Any] = {}
    meta = {key: reader.str_map(pod_metadata or {}, key, metadata_path) for key in ("annotations", "labels")}
    meta = {key: dict(sorted(values.items())) for key, values in meta.items() if values}
    if meta:
        template["metadata"] = meta
    template["container"] = main
    inits = [reader.mapping(c, (*path, "initContainers", i)) for i, c in
             enumerate(reader.opt_list(pod, "initContainers", path))]
    if inits:
        # An init container runs before the others, so the main container's requests do not size the pod up;
        # a native sidecar (restartPolicy Always) runs beside them, so its requests add to the pod's.
        template["initContainers"] = [
            convert(c, (*path, "initContainers", i), f"{task}-{k8s_name(str(c.get('name', i)))}-image",
                    f"{'native sidecar' if c.get('restartPolicy') == 'Always' else 'init container'} "
                    f"{c.get('name')!r}",
                    (SIDECAR_CPU, SIDECAR_MEMORY, "a small slice: a native sidecar's requests add to the pod's")
                    if c.get("restartPolicy") == "Always" else
                    (main_requests["cpu"], main_requests["memory"],
                     "the main container's requests, so the pod is not sized up"))
            for i, c in enumerate(inits)
        ]
    containers = [reader.mapping(c, (*path, "containers", i)) for i, c in enumerate(containers)]
    if len(containers) > 1:
        template["sidecars"] = [
            convert(c, (*path, "containers", i), f"{task}-{k8s_name(str(c.get('name', i)))}-image",
                    f"container {c.get('name')!r}", (SIDECAR_CPU, SIDECAR_MEMORY, "a small slice for a helper container"))
            for i, c in enumerate(containers[1:], start=1)
        ]
        report.add("MULTI_CONTAINER_SIDECARS", (*path, "containers"), f"containers after the first "
                   f"({', '.join(str(c.get('name')) for c in containers[1:])}) run as Argo sidecars, stopped when "
                   f"{out.main_container!r} ends", target="sidecars")
    _size_note(report, path, template, out.main_container)
    _gpus(plan, report, path, template, task)
    if index_env:
        report.add("RUNTIME_VARIABLES", path, f"{index_env} is set to the item index"
                   if count is not None else f"{index_env} is set to 0 (a single completion)")

    restart = reader.opt_str(pod, "restartPolicy", path)
    if restart in ("OnFailure", "Always"):
        report.add("RESTART_POLICY_CHANGED", (*path, "restartPolicy"), f"restartPolicy {restart} restarts the "
                   "container in place; Argo runs each retry in a new pod (files written by a failed attempt "
                   "are gone)")
    sa = reader.opt_str(pod, "serviceAccountName", path) or reader.opt_str(pod, "serviceAccount", path)
    if sa and sa != "default":
        plan.service_account = sa
        report.add("SERVICE_ACCOUNT_MAPPED", (*path, "serviceAccountName"), f"runs as service account {sa}",
                   target="spec.serviceAccountName")
    else:
        plan.service_account = PLATFORM_SERVICE_ACCOUNT
        why = "the `default` service account is not used on the platform" if sa else "the pod names no service account"
        report.add("SERVICE_ACCOUNT_DEFAULTED", (*path, "serviceAccountName"),
                   f"{why}: spec.serviceAccountName is {PLATFORM_SERVICE_ACCOUNT}", target="spec.serviceAccountName")
    deadline = reader.opt_int(pod, "activeDeadlineSeconds", path, minimum=1)
    if deadline is not None:
        template["activeDeadlineSeconds"] = str(deadline)
        report.add("ATTEMPT_TIMEOUT", (*path, "activeDeadlineSeconds"), f"each pod may run {deadline} s",
                   target="activeDeadlineSeconds")

    automount = reader.opt_bool(pod, "automountServiceAccountToken", path)
    if automount is False:
        # Argo's executor (the wait container) reads the pod through its token: a template with
        # automountServiceAccountToken false fails validation unless executor.serviceAccountName is set,
        # which names a second account the tenant does not have, so the token is mounted as usual.
        report.add("AUTOMOUNT_TOKEN_DROPPED", (*path, "automountServiceAccountToken"), "automountServiceAccountToken "
                   "false dropped: Argo needs the token for its executor unless executor.serviceAccountName is set; "
                   f"restrict what {plan.service_account} may do instead (its RBAC / RAM role)")
    handled = {"containers", "initContainers", "restartPolicy", "serviceAccountName", "serviceAccount",
               "activeDeadlineSeconds", "automountServiceAccountToken"}
    moved: list[str] = []
    patch: dict[str, Any] = {}
    for key, value in pod.items():
        if key in handled or not meaningful(value) and key != "hostNetwork":
            continue
        if key == "nodeSelector" and isinstance(value, dict):
            value = _node_selector(report, (*path, key), value)
            if not value:
                continue
        if key == "volumes" and isinstance(value, list):
            value = [_volume_quantities(v) for v in value]
        if key in TEMPLATE_FIELDS:
            template[key] = value
            moved.append(key)
        elif key in SPEC_FIELDS:
            out.spec[key] = value
            moved.append(f"spec.{key}")
        elif key in PATCH_FIELDS:
            patch[key] = value
        elif key in DROPPED:
            report.add("DROPPED_FIELD", (*path, key), f"{key} dropped: {DROPPED[key]}")
        else:
            report.add("DROPPED_FIELD", (*path, key), f"{key} is not a pod field askflow knows; add it to "
                       "podSpecPatch by hand if it matters")
    if patch:
        template["podSpecPatch"] = json.dumps(patch, sort_keys=True, separators=(",", ":"))
        moved.append(f"podSpecPatch ({', '.join(sorted(patch))})")
    report.add("POD_TEMPLATE_MAPPED", path, "the pod template became the container template"
               + (f"; pod fields: {', '.join(moved)}" if moved else ""), target=f"spec.templates[{task}]")
    out.template = template
    return out
