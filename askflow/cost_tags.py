"""Cost by tenant: the ECI instance tags every workflow pod carries.

A pod that runs on ECI is an ECI instance, and the annotation ``k8s.aliyun.com/eci-custom-tags``
binds tags to it: "Up to three tags can be bound to a pod. Separate a tag key and a tag value with
a colon (:). Separate multiple tags with commas (,)", read only when the pod is created (ECI,
"Bind custom tags to a pod", and the annotation table of "ECI Pod Annotation",
https://help.aliyun.com/en/eci/user-guide/pod-annotations-1: example ``"env:test,name:alice"``).
Tags then split the bill (Expenses and Costs, cost allocation by tag). Limits of an ECI tag
(ECI "Use tags to manage elastic container instances",
https://www.alibabacloud.com/help/en/eci/user-guide/use-tags-to-manage-elastic-container-instances,
and TagResources, https://help.aliyun.com/zh/eci/developer-reference/api-eci-2018-08-08-tagresources):
a key of at most 64 characters (128 in TagResources), not starting with ``aliyun`` or ``acs:``; a
value of at most 128 characters; neither holds ``http://`` or ``https://``.

The three tags are the tenant, the template version and the workflow. ECI already tags every
instance ACK creates with ``NameSpace``, ``OwnerReferenceKind``/``OwnerReferenceName`` and
``PodName`` (same "Bind custom tags" page), so the tenant and workflow are there twice; ours carry
a stable ``askflow-`` prefix for cost rules and add the template version, which nothing else has.

Where the values come from (Argo substitutes global variables in the whole workflow spec, pod
metadata included, after merging the workflow, its WorkflowTemplate and the controller's
workflowDefaults: ``workflow/controller/operator.go`` ``setExecWorkflow`` and
``substituteGlobalVariables``, l. 4364-4596 at argoproj/argo-workflows v4.0.10):

- every deployed WorkflowTemplate ``<name>-v<N>`` names itself in its ``spec.podMetadata``
  (:func:`template_tags`), so workflows and CronWorkflows that run it carry its version;
- the workflow defaults carry the same annotation with ``askflow-template:none`` for workflows
  that run no deployed template (the template's own value wins: a WorkflowTemplate's spec is
  merged over the defaults).

ACS: its pods are not ECI instances and ACS documents no annotation or label that tags a pod's
instance (ACS pod overview, https://www.alibabacloud.com/help/en/cs/user-guide/acs-pod-instance-overview:
compute class and QoS labels only), so ``cluster.kind: acs`` has no cost tags: the plan says so
(:data:`ACS_NOTE`). There the bill splits by namespace and label through ACK's cost insights
(https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/best-practices-for-the-cost-insights-feature:
"break down cluster costs by namespace, label, and pod"), which needs Managed Service for
Prometheus; not verified on an ACS cluster.
"""

from __future__ import annotations

ANNOTATION = "k8s.aliyun.com/eci-custom-tags"
MAX_TAGS = 3
MAX_KEY = 64
MAX_VALUE = 128
TENANT_KEY = "askflow-tenant"
TEMPLATE_KEY = "askflow-template"
WORKFLOW_KEY = "askflow-workflow"
#: The template value of a workflow that runs no deployed WorkflowTemplate.
NO_TEMPLATE = "none"
ACS_NOTE = (
    "Cost by tenant: not available as instance tags on ACS (its pods are not ECI instances; ACS documents only "
    "the compute-class and QoS labels, https://www.alibabacloud.com/help/en/cs/user-guide/acs-pod-instance-overview). "
    "Split ACS cost by namespace (the tenant) and Argo's pod label workflows.argoproj.io/workflow with ACK cost "
    "insights (https://www.alibabacloud.com/help/en/ack/ack-managed-and-ack-dedicated/user-guide/"
    "best-practices-for-the-cost-insights-feature)."
)


def custom_tags(template: str) -> str:
    """The annotation's value for pods of a workflow running ``template`` (a deployed name, or
    :data:`NO_TEMPLATE`). Tenant and workflow are Argo variables, filled in per workflow."""
    tags = {TENANT_KEY: "{{workflow.namespace}}", TEMPLATE_KEY: template, WORKFLOW_KEY: "{{workflow.name}}"}
    value = ",".join(f"{k}:{v}" for k, v in tags.items())
    check(value)
    return value


def parse(value: str) -> dict[str, str]:
    """The tags an annotation value binds (``key:value`` pairs separated by commas)."""
    out: dict[str, str] = {}
    for part in value.split(","):
        key, sep, tag = part.partition(":")
        if not sep or not key or key in out:
            raise ValueError(f"{ANNOTATION}: {part!r} is not one key:value pair with a new key")
        out[key] = tag
    return out


def check(value: str) -> dict[str, str]:
    """The tags of ``value``, or ValueError naming the ECI limit it breaks."""
    tags = parse(value)
    if len(tags) > MAX_TAGS:
        raise ValueError(f"{ANNOTATION}: {len(tags)} tags, ECI binds at most {MAX_TAGS}")
    for key, tag in tags.items():
        if len(key) > MAX_KEY or key.startswith(("aliyun", "acs:")):
            raise ValueError(f"{ANNOTATION}: key {key!r} is over {MAX_KEY} characters or starts with aliyun/acs:")
        if len(tag) > MAX_VALUE or "http://" in tag or "https://" in tag or ":" in tag:
            raise ValueError(f"{ANNOTATION}: value {tag!r} of {key} is over {MAX_VALUE} characters or holds ':' or a URL")
    return tags


def template_tags(manifest: dict, deployed_name: str) -> dict:
    """``manifest`` (a rendered WorkflowTemplate) with the annotation in ``spec.podMetadata``; the
    platform owns the annotation, so a value the template set is replaced."""
    spec = dict(manifest["spec"])
    pod_metadata = dict(spec.get("podMetadata") or {})
    pod_metadata["annotations"] = {**(pod_metadata.get("annotations") or {}), ANNOTATION: custom_tags(deployed_name)}
    spec["podMetadata"] = pod_metadata
    return {**manifest, "spec": spec}
