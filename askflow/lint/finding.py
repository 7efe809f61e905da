"""Lint findings and the catalogue of rules that produce them.

A :class:`Finding` names the file, the document index in it (0-based, empty documents not
counted), the object's kind and name, the JSON path in the source's own key names
(``spec.templates[0].dag.tasks[2].depends``) and the line and column of that path's YAML node
(:mod:`askflow.lint.positions`; 1-based). Rule ids are stable and kebab-case: scripts and
the template library filter on them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """One check: its id, the severity it reports with (warnings become errors with ``--strict``),
    the group it belongs to (``input``, ``structure``, ``argo``, ``oss``, ``platform``) and what it checks."""

    id: str
    severity: str
    group: str
    summary: str


_RULES = [
    # Input: a file that cannot be read is a finding, so one bad file never hides the others.
    Rule("unreadable", ERROR, "input", "a file that cannot be read or parsed (syntax, duplicate keys, encoding)"),
    # Structure: the Argo API (hera's models made strict, cross-checked with the v4.1.2 CRDs).
    Rule("unknown-field", ERROR, "structure", "a field the Argo API does not have (strict decoding)"),
    Rule("invalid-type", ERROR, "structure", "a value of the wrong JSON type"),
    Rule("missing-field", WARNING, "structure", "a field the schema requires is absent (Go's decoding does not require it)"),
    Rule("unquoted-string", WARNING, "structure", "a number or boolean where the schema says string (Argo reads it as text)"),
    Rule("api-version", ERROR, "structure", "apiVersion is not argoproj.io/v1alpha1"),
    # Semantics: what `argo lint` checks (../shared/argo/LINT-CHECKS.md), with Argo's messages.
    Rule("name-too-long", ERROR, "argo", "object name longer than Argo allows (63; CronWorkflow 52)"),
    Rule("duplicate-template-resource", ERROR, "argo", "the same WorkflowTemplate defined twice"),
    Rule("workflow-template-ref", ERROR, "argo", "templates given beside workflowTemplateRef"),
    Rule(
        "undefined-workflow-template", ERROR, "argo", "a referenced (Cluster)WorkflowTemplate does not exist"
    ),
    Rule("undefined-template", ERROR, "argo", "a referenced template does not exist"),
    Rule("invalid-template-ref", ERROR, "argo", "templateRef without name/template, or with template"),
    Rule("missing-name", ERROR, "argo", "a template, step, task, parameter or artifact has no name"),
    Rule("invalid-name", ERROR, "argo", "a name Argo does not accept"),
    Rule("duplicate-name", ERROR, "argo", "a name used twice where names must be unique"),
    Rule("missing-entrypoint", ERROR, "argo", "spec.entrypoint is required"),
    Rule(
        "argument-value",
        ERROR,
        "argo",
        "an argument without value/valueFrom, or with a valueFrom not allowed",
    ),
    Rule("enum", ERROR, "argo", "an empty enum, or a value not in its enum"),
    Rule("artifact-location", ERROR, "argo", "an artifact without from/location/key, or an invalid location"),
    Rule(
        "artifact-path", ERROR, "argo", "an artifact path that is missing, misplaced or escapes its directory"
    ),
    Rule("missing-input", ERROR, "argo", "an input parameter or artifact that the call does not supply"),
    Rule("hook-expression", ERROR, "argo", "a lifecycle hook other than exit without an expression"),
    # argo lint accepts these two; the controller fails the workflow when it gets there.
    Rule(
        "task-hook-expression",
        WARNING,
        "argo",
        "a DAG task hook other than exit without an expression (argo lint accepts it; it fails at run time)",
    ),
    Rule(
        "undefined-hook-template",
        WARNING,
        "argo",
        "a step's or task's onExit or hook template that does not exist (argo lint accepts it; it fails at run time)",
    ),
    Rule("pod-gc", ERROR, "argo", "unknown podGC strategy or invalid label selector"),
    Rule("pod-resources", ERROR, "argo", "podResources/resourceClaims where Argo does not allow them"),
    Rule("cron-schedule", ERROR, "argo", "a CronWorkflow schedule that is missing or does not parse"),
    Rule("cron-timezone", ERROR, "argo", "a CronWorkflow timezone that does not exist"),
    Rule("cron-concurrency-policy", ERROR, "argo", "concurrencyPolicy not Allow, Forbid or Replace"),
    Rule("cron-starting-deadline", ERROR, "argo", "negative startingDeadlineSeconds"),
    Rule("retry-policy", ERROR, "argo", "retryPolicy not Always, OnError, OnFailure or OnTransientError"),
    Rule("template-type", ERROR, "argo", "a template with no type, or more than one"),
    Rule("init-container-name", ERROR, "argo", "an init container without a name"),
    Rule("timeout", ERROR, "argo", "timeout/pendingTimeout on a non-leaf template, or a bare number"),
    Rule("active-deadline-seconds", ERROR, "argo", "activeDeadlineSeconds invalid or on a non-leaf template"),
    Rule("parallelism", ERROR, "argo", "parallelism on a leaf template"),
    Rule("unresolved-variable", ERROR, "argo", "a {{...}} variable that does not resolve in its scope"),
    Rule("metric", ERROR, "argo", "an invalid Prometheus metric"),
    Rule("mount-path", ERROR, "argo", "two volumes or artifacts mounted at the same path"),
    Rule("missing-image", ERROR, "argo", "a container or script template without an image"),
    Rule("container-set", ERROR, "argo", "an invalid containerSet"),
    Rule(
        "reserved-container-name", ERROR, "argo", "a container named like Argo's own (wait, supervisor, ...)"
    ),
    Rule("resource-template", ERROR, "argo", "an invalid resource template (action, manifest)"),
    Rule("loop", ERROR, "argo", "more than one of withItems/withParam/withSequence, or count with end"),
    Rule("dag-empty", ERROR, "argo", "a DAG without tasks"),
    Rule("dag-undefined-dependency", ERROR, "argo", "a DAG dependency on a task that does not exist"),
    Rule("dag-cycle", ERROR, "argo", "a DAG whose dependencies form a cycle"),
    Rule("dag-dependencies", ERROR, "argo", "depends mixed with dependencies or continueOn"),
    Rule("dag-task-result", ERROR, "argo", "an invalid task result in depends"),
    Rule("dag-target", ERROR, "argo", "a DAG target that is not a task"),
    Rule("dag-missing-dependency", ERROR, "argo", "an argument using a task that is not an ancestor"),
    Rule("output-parameter", ERROR, "argo", "an output parameter without exactly one valid source"),
    Rule("executor-plugin", ERROR, "argo", "an executor plugin without name, ports, resources or securityContext"),
    # Beyond Argo: OSS artifacts (../shared/argo/OSS-ARTIFACTS.md).
    Rule("oss-missing-key", ERROR, "oss", "an OSS artifact without key"),
    Rule("oss-security-token", ERROR, "oss", "an STS securityToken in plain text in the manifest"),
    Rule("oss-credentials-pair", ERROR, "oss", "accessKeySecret without secretKeySecret, or the reverse"),
    Rule("oss-lifecycle-rule", ERROR, "oss", "markInfrequentAccessAfterDays after markDeletionAfterDays"),
    Rule("oss-partial-location", WARNING, "oss", "bucket without endpoint or the reverse: silently ignored"),
    Rule("oss-sdk-creds-conflict", WARNING, "oss", "useSDKCreds with access key secrets, which are ignored"),
    Rule(
        "oss-extra-permissions",
        WARNING,
        "oss",
        "createBucketIfNotPresent/lifecycleRule need extra RAM rights",
    ),
    # Platform rules (serverless pods on ECI or ACS): warnings, errors with --strict.
    Rule("default-service-account", WARNING, "platform", "no serviceAccountName, or `default`"),
    Rule("resource-requests", WARNING, "platform", "a container without cpu and memory requests"),
    Rule("unpinned-image", WARNING, "platform", "an image without a tag or digest, or tagged latest"),
    Rule("active-deadline", WARNING, "platform", "no activeDeadlineSeconds on the workflow or its pods"),
    Rule("unbounded-retries", WARNING, "platform", "a retryStrategy without limit"),
    Rule("root-user", WARNING, "platform", "runAsUser 0 where the platform's runAsNonRoot default still applies"),
    Rule("pod-security-baseline", WARNING, "platform", "what Pod Security baseline refuses (tenant namespaces enforce it)"),
    Rule("parameter-in-code", WARNING, "platform", "a parameter pasted into script source or a `sh -c`/`python -c` program"),
    Rule("managed-engine-defaults", WARNING, "platform", "with --engine ack-one: a workflow spec that relies on askflow's workflow defaults (ttlStrategy, podGC, securityContext), which the managed engine does not apply"),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}

_PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def _path_key(path: str) -> tuple[tuple[int, int, str], ...]:
    """Sort ``a.b[10]`` after ``a.b[2]``: indexes compare as numbers."""
    return tuple((0, int(i), "") if i else (1, 0, k) for i, k in _PATH_PART.findall(path))


@dataclass(frozen=True)
class Finding:
    """One problem in one document.

    ``doc`` is the 0-based index of the document in its file; ``path`` is a JSON path in the
    source's key names; ``severity`` is ``"error"`` or ``"warning"``; ``rule`` is a key of
    :data:`RULES`. ``line`` and ``column`` (1-based) locate ``path`` in the file; 0 until
    :func:`askflow.lint.runner.lint_paths` has located it.
    """

    file: str
    doc: int
    kind: str
    name: str
    severity: str
    rule: str
    path: str
    message: str
    line: int = 0
    column: int = 0

    def where(self) -> str:
        """``file:line:column`` (``file`` alone while it is not located)."""
        return f"{self.file}:{self.line}:{self.column}" if self.line else self.file

    def text(self) -> str:
        """``file:line:column: severity: json.path: message [rule]`` on one line."""
        path = f"{self.path}: " if self.path else ""
        return f"{self.where()}: {self.severity}: {path}{self.message} [{self.rule}]"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def sort_key(self) -> tuple[Any, ...]:
        return (self.file, self.doc, _path_key(self.path), self.rule, self.message, self.severity)
