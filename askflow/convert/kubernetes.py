"""Kubernetes ``batch/v1`` Job and CronJob -> WorkflowTemplate (+ CronWorkflow).

Field semantics: kubernetes/api ``batch/v1/types.go`` (`Job
<https://kubernetes.io/docs/concepts/workloads/controllers/job/>`_, `CronJob
<https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/>`_); the mapping is
FORMATS.md section 3.4. What Argo cannot express is reported, and every report shows how to run the
Job unchanged through a `resource template <https://argo-workflows.readthedocs.io/en/latest/
walk-through/kubernetes-resources/>`_ (Argo ``examples/k8s-jobs.yaml``).
"""

from __future__ import annotations

import zoneinfo
from typing import Any

import kubernetes_validate
from croniter import croniter

from askflow import yamlio
from askflow.convert import retry
from askflow.convert.access import Reader, meaningful
from askflow.convert.model import INDEX_REF, CronPlan, Found, JobPlan, PathParts, Reporter, Task
from askflow.convert.naming import job_template_name, k8s_name, task_name
from askflow.convert.pod import map_pod

KINDS = ("Job", "CronJob")
#: Labels the template library sets itself (askflow.library.model.MANAGED_LABELS).
LIBRARY_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/version", "app.kubernetes.io/managed-by")
#: Server-populated metadata that carries nothing to convert.
_SERVER_METADATA = {"uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "selfLink",
                    "deletionTimestamp", "deletionGracePeriodSeconds", "finalizers"}
_SERVER_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)
MAX_CRON_NAME = 52
#: The Kubernetes API schema inputs are checked against (batch/v1beta1 CronJobs are read as batch/v1).
KUBERNETES_VERSION = kubernetes_validate.latest_version()
DEFAULT_BACKOFF_LIMIT = 6
#: Annotation and label the Job controller sets on each pod of an Indexed Job (its completion index).
COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"


def check_schema(reader: Reader, kind: str, spec: Any, path: PathParts = ("spec",), *, api: str = "batch/v1"
                 ) -> None:
    """Validate ``spec`` against Kubernetes' own OpenAPI schema (kubernetes-validate, strict: unknown
    fields are errors), so nothing malformed is copied into a template. Only the spec is checked (in a
    stand-in object): the converter reads metadata itself and drops what it does not use."""
    obj = {"apiVersion": api, "kind": kind, "metadata": {"name": "x"}, "spec": spec}
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        where = list(exc.path)[1:] if list(exc.path)[:1] == ["spec"] else list(exc.path)
        reader.fail([*path, *where], f"not a valid Kubernetes {kind} (Kubernetes {KUBERNETES_VERSION} schema): "
                    f"{exc.message}")


def is_kubernetes(doc: Any) -> bool:
    return (isinstance(doc, dict) and isinstance(doc.get("apiVersion"), str)
            and doc["apiVersion"].startswith("batch/") and doc.get("kind") in KINDS)


def describe(doc: dict[str, Any]) -> str:
    return str(doc.get("kind"))


def _metadata(reader: Reader, doc: dict[str, Any]) -> tuple[dict[str, Any], str]:
    meta = reader.opt_map(doc, "metadata")
    name = reader.opt_str(meta, "name", ["metadata"])
    if not name:
        generate = reader.opt_str(meta, "generateName", ["metadata"])
        if not generate:
            reader.fail(["metadata", "name"], "is required (or metadata.generateName)")
        name = generate.rstrip("-")
    return meta, name


def _labels(reader: Reader, meta: dict[str, Any], path: PathParts, report: Reporter, *, drop_library: bool
            ) -> tuple[dict[str, str], dict[str, str]]:
    # map[string]string in ObjectMeta: the API server refuses `version: 1.0` or `enabled: yes` unquoted, so do we
    labels = dict(sorted(reader.str_map(meta, "labels", path).items()))
    annotations = {k: v for k, v in sorted(reader.str_map(meta, "annotations", path).items())
                   if k not in _SERVER_ANNOTATIONS}
    if drop_library:
        for key in LIBRARY_LABELS:
            if key in labels:
                report.add("DROPPED_FIELD", (*path, "labels", key), f"label {key}={labels.pop(key)} dropped: the "
                           "template library sets it (askflow manages these objects)")
    return labels, annotations


def _drop_object_metadata(report: Reporter, meta: dict[str, Any], path: PathParts) -> None:
    for key, value in meta.items():
        if key in ("name", "generateName", "labels", "annotations") or key in _SERVER_METADATA:
            continue
        if key == "namespace":
            report.add("DROPPED_FIELD", (*path, key), f"namespace {value} dropped: each stack deploys the "
                       "library into its own namespace")
        elif meaningful(value):
            report.add("DROPPED_FIELD", (*path, key), f"metadata.{key} dropped: it belongs to the source object")


def _pod_failure_policy(reader: Reader, report: Reporter, policy: dict[str, Any], path: PathParts, main: str
                        ) -> str:
    rules: list[tuple[str, bool]] = []
    for i, rule in enumerate(reader.opt_list(policy, "rules", path)):
        rpath = (*path, "rules", i)
        rule = reader.mapping(rule, rpath)
        action = reader.req_str(rule, "action", rpath)
        if action not in ("FailJob", "FailIndex", "Ignore", "Count"):
            reader.fail((*rpath, "action"), f"unknown action {action!r} (FailJob, FailIndex, Ignore or Count)")
        conditions: list[str] = []
        codes = reader.opt_map(rule, "onExitCodes", rpath)
        if codes:
            operator = reader.req_str(codes, "operator", (*rpath, "onExitCodes"))
            if operator not in ("In", "NotIn"):
                reader.fail((*rpath, "onExitCodes", "operator"), f"unknown operator {operator!r} (In or NotIn)")
            values = reader.opt_list(codes, "values", (*rpath, "onExitCodes"))
            if not values or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                reader.fail((*rpath, "onExitCodes", "values"), "expected a non-empty list of exit codes")
            conditions.append(retry.exit_code_in(values, negate=operator == "NotIn"))
            container = reader.opt_str(codes, "containerName", (*rpath, "onExitCodes"))
            if container and container != main:
                report.add("POD_FAILURE_POLICY_APPROXIMATED", (*rpath, "onExitCodes", "containerName"),
                           f"Argo's lastRetry.exitCode is the main container's; the rule on container {container!r} "
                           "is applied to it")
        pod_conditions = reader.opt_list(rule, "onPodConditions", rpath)
        if pod_conditions:
            conditions.append(retry.INFRASTRUCTURE_FAILURE)
            kinds = ", ".join(str(c.get("type")) for c in pod_conditions if isinstance(c, dict))
            report.add("RETRY_REASON_APPROXIMATED", (*rpath, "onPodConditions"),
                       f"pod condition {kinds} read as an infrastructure failure ({retry.INFRASTRUCTURE_FAILURE})")
        if not conditions:
            reader.fail(rpath, "a rule needs onExitCodes or onPodConditions")
        stop = action in ("FailJob", "FailIndex")
        rules.append((retry.all_of(conditions), not stop))
        if codes and action == "FailJob":
            report.add("RETRY_EXIT_CODES", rpath, "FailJob on exit codes: no retry for them (and the DAG fails fast)",
                       target="retryStrategy.expression")
        elif action == "FailIndex":
            report.add("POD_FAILURE_POLICY_APPROXIMATED", rpath, "FailIndex: the item is not retried; its "
                       "failure fails the workflow when the other items finish")
        elif action == "Ignore":
            report.add("POD_FAILURE_POLICY_APPROXIMATED", rpath, "Ignore: the pod is retried, but the retry "
                       "counts against retryStrategy.limit (Kubernetes does not count it)")
        elif codes:
            report.add("RETRY_EXIT_CODES", rpath, "Count on exit codes: retried (the default)",
                       target="retryStrategy.expression")
    return retry.fold(rules)


def _alternative(job_spec: dict[str, Any], name: str, labels: dict[str, str]) -> str:
    """Markdown: the Job unchanged inside a resource template, with its labels (a Kueue queue-name label is
    what admits a suspended Job)."""
    metadata: dict[str, Any] = {"generateName": f"{name}-"}
    if labels:
        metadata["labels"] = labels
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "spec": job_spec}
    completions = job_spec["completions"] if isinstance(job_spec.get("completions"), int) else 1
    backoff = job_spec["backoffLimit"] if isinstance(job_spec.get("backoffLimit"), int) else DEFAULT_BACKOFF_LIMIT
    template = {
        "name": "run-job",
        "resource": {
            "action": "create",
            "setOwnerReference": True,
            "successCondition": f"status.succeeded > {max(completions - 1, 0)}",
            "failureCondition": f"status.failed > {backoff}",
            "manifest": yamlio.dumps(job),
        },
    }
    return (
        "## Alternative: run the Job unchanged\n\n"
        "Every Job feature (podFailurePolicy, successPolicy, Indexed completions, the job-wide backoff "
        "limit) keeps its Kubernetes meaning if Argo creates the Job itself through a `resource` template "
        "(Argo `examples/k8s-jobs.yaml`). Argo then cannot retry, pass artifacts or size the pod: the Job "
        "controller does. The workflow's service account needs RBAC to create `jobs.batch`. Add this "
        "template to a new version and call it from `main`:\n\n"
        f"```yaml\n{yamlio.dumps([template])}```\n"
    )


def _job(plan: JobPlan, report: Reporter, reader: Reader, job_spec: dict[str, Any], path: PathParts) -> Task:
    """The Job spec at ``path`` -> the plan's single task (fan-out, retries, deadline, pod)."""
    task = task_name(plan.name)
    pod_template = reader.req_map(job_spec, "template", path)
    pod_spec = reader.req_map(pod_template, "spec", (*path, "template"))
    pod_meta = reader.opt_map(pod_template, "metadata", (*path, "template"))

    completions = reader.opt_int(job_spec, "completions", path, minimum=0)
    parallelism = reader.opt_int(job_spec, "parallelism", path, minimum=0)
    mode = reader.opt_str(job_spec, "completionMode", path) or "NonIndexed"
    if mode not in ("NonIndexed", "Indexed"):
        reader.fail((*path, "completionMode"), f"unknown completionMode {mode!r} (NonIndexed or Indexed)")
    if mode == "Indexed" and completions is None:
        reader.fail((*path, "completions"), "completionMode Indexed needs completions")
    count: int | None = None
    if completions is None:
        if parallelism is not None and parallelism > 1:
            count = parallelism
            report.add("WORK_QUEUE_SEMANTICS", (*path, "parallelism"), f"a work-queue Job (parallelism {parallelism},"
                       f" no completions) became {parallelism} items that must all succeed; Kubernetes ends the "
                       "Job at the first success", target=f"spec.templates[main].dag.tasks[{task}].withSequence")
    elif completions > 1:
        count = completions
        if mode == "Indexed":
            report.add("FAN_OUT", (*path, "completions"), f"{completions} Indexed completions became withSequence "
                       f"count {completions}; JOB_COMPLETION_INDEX is the item",
                       target=f"spec.templates[main].dag.tasks[{task}].withSequence")
        else:
            report.add("NON_INDEXED_COMPLETIONS", (*path, "completions"), f"{completions} completions became "
                       f"{completions} items, each retried on its own; Kubernetes keeps creating pods until "
                       f"{completions} succeed", target=f"spec.templates[main].dag.tasks[{task}].withSequence")
    elif completions == 0:
        report.add("DROPPED_FIELD", (*path, "completions"), "completions 0 (a Job that does nothing) runs one pod")
    if parallelism == 0:
        plan.spec["suspend"] = True
        report.add("SUSPEND_APPROXIMATED", (*path, "parallelism"), "parallelism 0 pauses a Job; each workflow "
                   "starts suspended instead (argo resume)", target="spec.suspend")

    pod = map_pod(plan, report, reader, pod_spec, (*path, "template", "spec"), task=task,
                  pod_metadata=pod_meta, metadata_path=(*path, "template", "metadata"), index_env="JOB_COMPLETION_INDEX" if mode == "Indexed" else None,
                  count=count)
    plan.spec.update(pod.spec)

    per_index = reader.opt_int(job_spec, "backoffLimitPerIndex", path, minimum=0)
    backoff = reader.opt_int(job_spec, "backoffLimit", path, minimum=0)
    if per_index is not None:
        limit = per_index
        report.add("RETRY_LIMIT", (*path, "backoffLimitPerIndex"), f"backoffLimitPerIndex {per_index} became "
                   f"retryStrategy.limit {per_index} for each item", target=f"spec.templates[{task}].retryStrategy")
        if backoff is not None:
            report.add("DROPPED_FIELD", (*path, "backoffLimit"), "backoffLimit is ignored next to backoffLimitPerIndex")
    else:
        limit = DEFAULT_BACKOFF_LIMIT if backoff is None else backoff
        origin = "the Kubernetes default backoffLimit" if backoff is None else f"backoffLimit {backoff}"
        if count is None:
            report.add("RETRY_LIMIT", (*path, "backoffLimit"), f"{origin} became retryStrategy.limit {limit} "
                       "(with Kubernetes' exponential back-off: 10 s doubling, capped at 6 min)",
                       target=f"spec.templates[{task}].retryStrategy")
        else:
            report.add("RETRY_COUNT_SEMANTICS", (*path, "backoffLimit"), f"{origin} counts failures across all "
                       f"pods of the Job; Argo retries each of the {count} items up to {limit} times",
                       target=f"spec.templates[{task}].retryStrategy")
    max_failed = reader.opt_int(job_spec, "maxFailedIndexes", path, minimum=0)
    if max_failed is not None:
        report.add("MAX_FAILED_INDEXES", (*path, "maxFailedIndexes"), f"maxFailedIndexes {max_failed}: in Argo "
                   "any item that fails after its retries fails the workflow")
    strategy: dict[str, Any] = {"limit": str(limit)}
    policy = reader.opt_map(job_spec, "podFailurePolicy", path)
    expression = retry.TRUE
    if policy:
        expression = _pod_failure_policy(reader, report, policy, (*path, "podFailurePolicy"), pod.main_container)
    if expression == retry.FALSE:
        strategy["limit"] = "0"
    elif limit > 0:
        strategy["retryPolicy"] = "Always"
        if expression != retry.TRUE:
            strategy["expression"] = expression
        strategy["backoff"] = {"duration": "10s", "factor": "2", "cap": "6m"}
    template = dict(pod.template)
    if mode == "Indexed":
        # The Job controller puts the index on each pod as this annotation (and label); pods read it through the
        # downward API (fieldRef metadata.annotations['batch.kubernetes.io/job-completion-index']), so the
        # converted pod carries it too, or such a reference would read an empty string.
        value = INDEX_REF if count is not None else "0"
        meta = dict(template.get("metadata") or {})
        for key in ("annotations", "labels"):
            meta[key] = dict(sorted({**(meta.get(key) or {}), COMPLETION_INDEX: value}.items()))
        template = {"metadata": meta, **{k: v for k, v in template.items() if k != "metadata"}}
        report.add("RUNTIME_VARIABLES", (*path, "completionMode"), f"the pod annotation and label "
                   f"{COMPLETION_INDEX} carry the item index, as on the Job's pods (downward API references to them "
                   "keep working)", target=f"spec.templates[{task}].metadata")
    template["retryStrategy"] = strategy

    deadline = reader.opt_int(job_spec, "activeDeadlineSeconds", path, minimum=1)
    if deadline is not None:
        plan.deadline = deadline
        report.add("DEADLINE_MAPPED", (*path, "activeDeadlineSeconds"), f"the Job may run {deadline} s in all; "
                   "so may the workflow", target="spec.activeDeadlineSeconds")
    ttl = reader.opt_int(job_spec, "ttlSecondsAfterFinished", path, minimum=0)
    if ttl is not None:
        # All three fields: the controller's workflowDefaults set secondsAfterSuccess and
        # secondsAfterFailure, are merged field by field, and override secondsAfterCompletion.
        plan.spec["ttlStrategy"] = {"secondsAfterCompletion": ttl, "secondsAfterSuccess": ttl, "secondsAfterFailure": ttl}
        report.add("TTL_MAPPED", (*path, "ttlSecondsAfterFinished"), f"the workflow and its pods are deleted "
                   f"{ttl} s after it finishes, whether it succeeded or failed", target="spec.ttlStrategy")
    if reader.opt_bool(job_spec, "suspend", path):
        plan.spec["suspend"] = True
        report.add("SUSPEND_APPROXIMATED", (*path, "suspend"), "each submitted workflow starts suspended until "
                   "`argo resume`", target="spec.suspend")
    if meaningful(job_spec.get("successPolicy")):
        report.add("UNSUPPORTED_SUCCESS_POLICY", (*path, "successPolicy"), "successPolicy dropped: every item "
                   "must succeed in Argo; run the Job unchanged (below) to keep early success")
    parallel = parallelism if parallelism is not None else 1
    if count is not None and parallel < count and parallel > 0:
        report.add("PARALLELISM_MAPPED", (*path, "parallelism"), f"at most {parallel} items run at once",
                   target="parallelism")
    handled = {"template", "completions", "parallelism", "completionMode", "backoffLimitPerIndex", "backoffLimit",
               "maxFailedIndexes", "podFailurePolicy", "activeDeadlineSeconds", "ttlSecondsAfterFinished", "suspend",
               "successPolicy"}
    reasons = {"podReplacementPolicy": "Argo always replaces a pod once it has terminated",
               "managedBy": "the workflow controller manages the pods",
               "selector": "Argo labels its own pods", "manualSelector": "Argo labels its own pods"}
    for key, value in job_spec.items():
        if key in handled or not meaningful(value):
            continue
        report.add("DROPPED_FIELD", (*path, key), f"{key} dropped: " + reasons.get(key, "not a Job field Argo has"))
    worst = int(template.get("activeDeadlineSeconds", 0)) * (int(strategy["limit"]) + 1)
    return Task(name=task, template=template, count=count,
                parallelism=parallel if count is not None and 0 < parallel < count else None, worst_seconds=worst)


def _schedule(reader: Reader, report: Reporter, spec: dict[str, Any]) -> tuple[str, str | None]:
    schedule = reader.req_str(spec, "schedule", ["spec"]).strip()
    timezone: str | None = None
    for prefix in ("CRON_TZ=", "TZ="):
        if schedule.startswith(prefix):
            timezone, _, schedule = schedule[len(prefix):].partition(" ")
            schedule = schedule.strip()
            report.add("CRON_MAPPED", ["spec", "schedule"], f"the {prefix.rstrip('=')} prefix became timezone "
                       f"{timezone}", target="spec.timezone")
    fields = schedule.split()
    if not (schedule.startswith("@") and len(fields) == 1 or len(fields) == 5) or not croniter.is_valid(schedule):
        reader.fail(["spec", "schedule"], f"{schedule!r} is not a 5-field cron schedule")
    return schedule, timezone


def _cron(plan: JobPlan, report: Reporter, reader: Reader, doc: dict[str, Any], source_name: str) -> None:
    spec = reader.req_map(doc, "spec")
    schedule, timezone = _schedule(reader, report, spec)
    cron_spec: dict[str, Any] = {"schedules": [schedule]}
    mapped = [f"schedule {schedule!r}"]
    tz = reader.opt_str(spec, "timeZone", ["spec"]) or timezone
    if tz:
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            reader.fail(["spec", "timeZone"], f"unknown time zone {tz!r} (an IANA name such as Europe/Oslo)")
        cron_spec["timezone"] = tz
        mapped.append(f"timezone {tz}")
    policy = reader.opt_str(spec, "concurrencyPolicy", ["spec"])
    if policy is not None:
        if policy not in ("Allow", "Forbid", "Replace"):
            reader.fail(["spec", "concurrencyPolicy"], f"unknown concurrencyPolicy {policy!r} (Allow, Forbid, Replace)")
        cron_spec["concurrencyPolicy"] = policy
        mapped.append(f"concurrencyPolicy {policy}")
    deadline = reader.opt_int(spec, "startingDeadlineSeconds", ["spec"], minimum=0)
    if deadline is None:
        report.add("CRON_DEADLINE_DEFAULT", ["spec", "startingDeadlineSeconds"], "unset: Kubernetes still starts "
                   "a missed run (up to 100 missed), Argo's default 0 skips it; set startingDeadlineSeconds in "
                   "the CronWorkflow to catch up", target="spec.startingDeadlineSeconds")
    else:
        cron_spec["startingDeadlineSeconds"] = deadline
        mapped.append(f"startingDeadlineSeconds {deadline}")
    suspend = reader.opt_bool(spec, "suspend", ["spec"])
    if suspend is not None:
        cron_spec["suspend"] = suspend
        mapped.append(f"suspend {str(suspend).lower()}")
    for key in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        value = reader.opt_int(spec, key, ["spec"], minimum=0)
        if value is not None:
            cron_spec[key] = value
            mapped.append(f"{key} {value}")
    report.add("CRON_MAPPED", ["spec"], "CronWorkflow fields: " + ", ".join(mapped), target="cron spec")
    job_template = reader.req_map(spec, "jobTemplate", ["spec"])
    job_meta = reader.opt_map(job_template, "metadata", ["spec", "jobTemplate"])
    labels, annotations = _labels(reader, job_meta, ["spec", "jobTemplate", "metadata"], report, drop_library=False)
    workflow_meta = {k: v for k, v in (("labels", labels), ("annotations", annotations)) if v}
    if workflow_meta:
        cron_spec["workflowMetadata"] = workflow_meta
        report.add("WORKFLOW_METADATA", ["spec", "jobTemplate", "metadata"], "jobTemplate labels/annotations label "
                   "each workflow the CronWorkflow starts", target="spec.workflowMetadata")
    handled = {"schedule", "timeZone", "concurrencyPolicy", "startingDeadlineSeconds", "suspend",
               "successfulJobsHistoryLimit", "failedJobsHistoryLimit", "jobTemplate"}
    for key, value in spec.items():
        if key not in handled and meaningful(value):
            report.add("DROPPED_FIELD", ["spec", key], f"{key} is not a CronJob field Argo has")
    meta = reader.opt_map(doc, "metadata")
    cron_labels, cron_annotations = _labels(reader, meta, ["metadata"], report, drop_library=True)
    job_spec = reader.req_map(job_template, "spec", ["spec", "jobTemplate"])
    plan.tasks.append(_job(plan, report, reader, job_spec, ["spec", "jobTemplate", "spec"]))
    plan.crons.append(CronPlan(k8s_name(source_name, limit=MAX_CRON_NAME), cron_spec, cron_labels, cron_annotations))
    plan.notes.append(_alternative(job_spec, plan.name, labels))


def convert(found: Found, name: str | None = None) -> JobPlan:
    """One Job or CronJob document -> a plan (raises AskflowError for a malformed one)."""
    source = found.source
    doc = found.data
    reader = Reader(source.file, source.parts, strict=True)
    report = Reporter(source.parts)
    meta, source_name = _metadata(reader, doc)
    plan = JobPlan(name=job_template_name(name, source_name, report, ["metadata", "name"]), source=source,
                   report=report, source_name=source_name)
    api = str(doc.get("apiVersion"))
    if api != "batch/v1":
        report.add("LEGACY_API_VERSION", ["apiVersion"], f"{api} read as batch/v1")
    _drop_object_metadata(report, meta, ["metadata"])
    check_schema(reader, str(doc.get("kind")), reader.req_map(doc, "spec"))
    if doc.get("kind") == "CronJob":
        _cron(plan, report, reader, doc, source_name)
    else:
        labels, annotations = _labels(reader, meta, ["metadata"], report, drop_library=False)
        workflow_meta = {k: v for k, v in (("labels", labels), ("annotations", annotations)) if v}
        if workflow_meta:
            plan.spec["workflowMetadata"] = workflow_meta
            report.add("WORKFLOW_METADATA", ["metadata"], "the Job's labels/annotations label each submitted "
                       "workflow", target="spec.workflowMetadata")
        job_spec = reader.req_map(doc, "spec")
        plan.tasks.append(_job(plan, report, reader, job_spec, ["spec"]))
        plan.notes.append(_alternative(job_spec, plan.name, labels))
    report.add("RESOURCE_TEMPLATE_OFFERED", [], "to keep every Job semantic, run the Job unchanged through a "
               "resource template (see 'Alternative' in the Markdown report)")
    for key in doc:
        if key not in ("apiVersion", "kind", "metadata", "spec", "status"):
            report.add("DROPPED_FIELD", [key], f"top-level {key} is not part of a {doc.get('kind')}")
    return plan


