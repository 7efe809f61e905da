"""Argo's semantic checks, offline: a port of ``argo lint`` (Argo Workflows v4.1.2).

The behaviour follows ``workflow/validate/validate.go`` as described in
``../shared/argo/LINT-CHECKS.md`` (numbers in comments refer to its list), with Argo's messages.
Two deliberate differences, both toward fewer false errors and more useful output:

* Argo stops at the first error; this reports every error it finds, each at the JSON path of the
  offending value. Where one error makes a later check meaningless (an undefined template, a
  templateRef built from variables) the later check accepts what it cannot know.
* Argo substitutes arguments into a template before scanning it for ``{{...}}``; this scans the
  template as written (input values are replaced by placeholders under Argo's fake arguments
  anyway), and checks the arguments at the call site, which is where Argo reports them too.

Templates from another document (a ``templateRef`` to a WorkflowTemplate given in another file,
or one of the library's ``extra_templates``) are validated in the caller's context, as Argo does,
but only problems that depend on that context (``{{workflow.*}}`` variables the calling workflow
does not define) are reported, at the call site; the rest belong to that template's own document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from askflow.lint import cron
from askflow.lint.variables import Scope, Tag, collect, has_tag, is_parameter, join

Report = Callable[[str, str, str], None]  # (rule, path, message)

TEMPLATE_TYPES = (
    "container",
    "containerSet",
    "steps",
    "script",
    "resource",
    "dag",
    "suspend",
    "data",
    "http",
    "plugin",
)
_TYPE_NAMES = {
    "container": "Container",
    "containerSet": "ContainerSet",
    "steps": "Steps",
    "script": "Script",
    "resource": "Resource",
    "dag": "DAG",
    "suspend": "Suspend",
    "data": "Data",
    "http": "HTTP",
    "plugin": "Plugin",
}
LEAF_TYPES = {"container", "containerSet", "script", "resource", "data", "http", "plugin"}
POD_TYPES = {"container", "containerSet", "script", "resource", "data"}
ARTIFACT_LOCATIONS = ("s3", "git", "http", "artifactory", "hdfs", "raw", "oss", "gcs", "azure", "plugin")
RETRY_POLICIES = {"Always", "OnError", "OnFailure", "OnTransientError", ""}
PODGC_STRATEGIES = {"", "OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion", "OnWorkflowSuccess"}
CONCURRENCY_POLICIES = {"Allow", "Forbid", "Replace", ""}
TASK_RESULTS = {
    "Succeeded",
    "Failed",
    "Skipped",
    "Omitted",
    "Errored",
    "Daemoned",
    "AnySucceeded",
    "AllFailed",
}
RESOURCE_ACTIONS = {"get", "create", "apply", "delete", "replace", "patch"}
RESERVED_CONTAINER_NAMES = {"wait", "supervisor"}
RESERVED_CONTAINER_PREFIX = "artifact-plugin-"
MAX_NAME = 63
MAX_CRON_NAME = 52

_FIELD_NAME = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")
_FIELD_NAME_MSG = (
    "name must consist of alpha-numeric characters or '-', and must start with an "
    "alpha-numeric character (e.g. My-name1-2, 123-NAME)"
)
_PARAM_NAME = re.compile(r"^[-a-zA-Z0-9_]+[-a-zA-Z0-9_]*$")
_PARAM_NAME_MSG = (
    "Parameter/Artifact name must consist of alpha-numeric characters, '_' or '-' e.g. my_param_1, MY-PARAM-1"
)
_METRIC_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
# common.GetTaskDependencies / ValidateTaskResults
_TASK_NAME = re.compile(r"([a-zA-Z0-9][-a-zA-Z0-9]*?\.[A-Z][a-zA-Z]+)|([a-zA-Z0-9][-a-zA-Z0-9]*)")
_TASK_RESULT = re.compile(r"([a-zA-Z0-9][-a-zA-Z0-9]*?\.[A-Z][a-zA-Z]+)")
_ARGO_VARIABLE = re.compile(r"^\{\{.+\}\}$", re.S)
_EXPRESSION_TAG = re.compile(r"\{\{\s*=\s*(.+?)\s*\}\}", re.S)
_ANY_TAG = re.compile(r"\{\{.*?\}\}", re.S)
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Rules whose outcome depends on the calling workflow: reported at the call site when the template
# comes from another document.
_CONTEXT_RULES = {"unresolved-variable"}
# Argo's FakeArguments: a template validated without a caller's arguments (every input parameter
# gets a placeholder value); a templateRef call is validated again with its real arguments.
_FAKE = None


def d(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else empty: semantic checks run on documents that may have
    structure errors (reported separately) and must not crash on them."""
    return value if isinstance(value, dict) else {}


def lst(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def goq(value: str) -> str:
    """Go's ``%q``: a double-quoted string with escapes."""
    return json.dumps(value, ensure_ascii=False)


def field_name_errors(name: str) -> list[str]:
    errs = []
    if len(name) > 128:
        errs.append("must be no more than 128 characters")
    if not _FIELD_NAME.match(name):
        errs.append(_FIELD_NAME_MSG)
    return errs


def template_type(tmpl: Mapping[str, Any]) -> list[str]:
    """The template types set on ``tmpl`` (Argo counts non-nil fields; ``steps: []`` counts)."""
    return [t for t in TEMPLATE_TYPES if tmpl.get(t) is not None]


def has_location(art: Mapping[str, Any]) -> bool:
    return any(isinstance(art.get(loc), dict) for loc in ARTIFACT_LOCATIONS)


# ----------------------------------------------------------------------------------------------
# Template holders: the objects templates live in, and where to find them.


@dataclass(eq=False)
class Holder:
    """A Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow's workflowSpec."""

    kind: str
    name: str
    namespace: str
    spec: dict[str, Any]
    spec_path: str
    labels: list[str] = field(default_factory=list)
    annotations: list[str] = field(default_factory=list)
    templates: dict[str, Tmpl] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, raw in enumerate(lst(self.spec.get("templates"))):
            if isinstance(raw, dict):
                tmpl = Tmpl(raw, f"{self.spec_path}.templates[{i}]", self)
                self.templates.setdefault(text(raw.get("name")), tmpl)

    @property
    def scope_id(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}"


@dataclass(eq=False)
class Tmpl:
    data: dict[str, Any]
    path: str
    holder: Holder
    inline: bool = False

    @property
    def name(self) -> str:
        return text(self.data.get("name"))

    @property
    def types(self) -> list[str]:
        return template_type(self.data)

    @property
    def type(self) -> str:
        types = self.types
        return types[0] if types else ""

    @property
    def is_leaf(self) -> bool:
        return self.type in LEAF_TYPES

    @property
    def is_pod(self) -> bool:
        return self.type in POD_TYPES


def not_found(name: str, cluster: bool, namespace: str) -> str:
    """Argo's offline client's miss (pkg/apiclient/offline-client.go)."""
    if cluster:
        return f"couldn't find cluster workflow template {goq(name)}"
    return f"couldn't find workflow template {goq(name)} in namespace {goq(namespace)}"


class Registry:
    """WorkflowTemplates and ClusterWorkflowTemplates that ``templateRef`` can resolve to."""

    def __init__(self) -> None:
        self.namespaced: dict[str, list[Holder]] = {}
        self.cluster: dict[str, Holder] = {}

    def add(self, holder: Holder) -> Holder | None:
        """Register ``holder``; returns the holder it duplicates, if any."""
        if holder.kind == "ClusterWorkflowTemplate":
            if holder.name in self.cluster:
                return self.cluster[holder.name]
            self.cluster[holder.name] = holder
            return None
        same = self.namespaced.setdefault(holder.name, [])
        for other in same:
            if other.namespace == holder.namespace:
                return other
        same.append(holder)
        return None

    def get(self, name: str, cluster: bool, namespace: str) -> Holder | None:
        if cluster:
            return self.cluster.get(name)
        candidates = self.namespaced.get(name, [])
        for holder in candidates:
            if holder.namespace == namespace:
                return holder
        return candidates[0] if candidates else None


@dataclass
class Call:
    """Where a template is called from: the holder of a step/task/entrypoint and its path."""

    holder: dict[str, Any]  # the step, task or synthetic {template: ...} / {templateRef: ...}
    path: str  # JSON path of the call in the document being linted
    prefix: str  # Argo's message prefix for errors about the call
    synthetic: bool = False  # an entrypoint/onExit/templateRef made up here: report at `path` itself
    # Whether an argument with neither value nor valueFrom is already reported (argument-value);
    # when it is not (spec.arguments while linting), the input it names is reported as not supplied.
    empty_args_reported: bool = True

    def at(self, *parts: str) -> str:
        return self.path if self.synthetic else ".".join((self.path, *parts))


# ----------------------------------------------------------------------------------------------


class Validator:
    """Validates one document; findings go to ``report(rule, path, message)``."""

    def __init__(self, registry: Registry, report: Report, tag_cache: dict[tuple[str, int], list[Tag]]) -> None:
        self.registry = registry
        self._report = report
        self._tags = tag_cache
        self.globals: set[str] = set()
        self.results: set[tuple[str, object]] = set()
        self.retry_checked: set[tuple[str, str]] = set()  # (holder, template path): one finding each
        self.holder: Holder | None = None
        self.redirect: tuple[str, str] | None = None  # (call path, message prefix) for external templates
        self.workflow_template = False

    # -- reporting -------------------------------------------------------------------------------
    def emit(self, rule: str, path: str, message: str) -> None:
        if self.redirect is None:
            self._report(rule, path, message)
        elif rule in _CONTEXT_RULES:
            call_path, prefix = self.redirect
            self._report(rule, call_path, f"{prefix}: {message}")

    def tags(self, value: Any) -> list[Tag]:
        # keyed by identity: every document stays alive (and unchanged) for the whole run
        key = ("all", id(value))
        found = self._tags.get(key)
        if found is None:
            found = self._tags[key] = collect(value, [])
        return found

    def resolve_all(
        self, scope: Scope, value: Any, base: str, prefix: str, tags: list[Tag] | None = None
    ) -> None:
        """Report every ``{{tag}}`` under ``value`` that does not resolve in ``scope`` (21)."""
        for rel, tag in self.tags(value) if tags is None else tags:
            if not scope.resolves(tag, self.globals, self.workflow_template):
                if self.redirect is not None and not tag.strip().startswith("workflow."):
                    continue  # intrinsic to the other document's template: reported there
                self.emit("unresolved-variable", join(base, rel), f"{prefix}failed to resolve {{{{{tag}}}}}")

    # -- objects ---------------------------------------------------------------------------------
    def validate_object(self, obj: dict[str, Any], holder: Holder) -> None:
        kind = obj.get("kind")
        meta = d(obj.get("metadata"))
        name = text(meta.get("name"))
        spec = d(obj.get("spec"))
        if kind == "CronWorkflow":
            self.validate_cron(obj, holder)
            return
        label = {
            "Workflow": "workflow",
            "WorkflowTemplate": "workflow template",
            "ClusterWorkflowTemplate": "cluster workflow template",
        }[str(kind)]
        if len(name) > MAX_NAME:  # (1)
            self.emit(
                "name-too-long",
                "metadata.name",
                f"{label} name {goq(name)} must not be more than 63 characters long (currently {len(name)})",
            )
        if kind == "Workflow":
            self.validate_workflow(holder, lint=True, ignore_entrypoint=False, workflow_template=False)
        else:
            self.validate_workflow(
                holder, lint=True, ignore_entrypoint=not text(spec.get("entrypoint")), workflow_template=True
            )

    def validate_cron(self, obj: dict[str, Any], holder: Holder) -> None:  # (11)
        meta = d(obj.get("metadata"))
        spec = d(obj.get("spec"))
        name = text(meta.get("name"))
        if len(name) > MAX_CRON_NAME:
            self.emit(
                "name-too-long",
                "metadata.name",
                f"cron workflow name {goq(name)} must not be more than 52 characters long (currently {len(name)})",
            )
        schedules = [s for s in lst(spec.get("schedules"))]
        if not schedules:
            self.emit("cron-schedule", "spec.schedules", "cron workflow must have at least one schedule")
        for i, schedule in enumerate(schedules):
            try:
                cron.parse_standard(text(schedule))
            except cron.CronError as exc:
                self.emit(
                    "cron-schedule",
                    f"spec.schedules[{i}]",
                    f"cron schedule {text(schedule)} is malformed: {exc}",
                )
        timezone = spec.get("timezone")
        if isinstance(timezone, str):
            problem = cron.timezone_error(timezone)
            if problem:
                self.emit("cron-timezone", "spec.timezone", f"invalid timezone {goq(timezone)}: {problem}")
        policy = spec.get("concurrencyPolicy")
        if isinstance(policy, str) and policy not in CONCURRENCY_POLICIES:
            self.emit(
                "cron-concurrency-policy",
                "spec.concurrencyPolicy",
                f"'{policy}' is not a valid concurrencyPolicy",
            )
        deadline = spec.get("startingDeadlineSeconds")
        if isinstance(deadline, int) and not isinstance(deadline, bool) and deadline < 0:
            self.emit(
                "cron-starting-deadline",
                "spec.startingDeadlineSeconds",
                "startingDeadlineSeconds must be positive",
            )
        # ConvertCronWorkflowToWorkflow, then ValidateWorkflow with empty options.
        self.validate_workflow(
            holder,
            lint=False,
            ignore_entrypoint=False,
            workflow_template=False,
            prefix="cannot validate Workflow: ",
        )

    def validate_workflow(
        self,
        holder: Holder,
        *,
        lint: bool,
        ignore_entrypoint: bool,
        workflow_template: bool,
        prefix: str = "",
    ) -> None:
        self.holder = holder
        self.workflow_template = workflow_template
        spec = holder.spec
        sp = holder.spec_path
        entrypoint = text(spec.get("entrypoint"))
        wft_ref = spec.get("workflowTemplateRef")
        ref_holder: Holder | None = None
        ref_path = f"{sp}.workflowTemplateRef"
        if isinstance(wft_ref, dict):  # (2)
            if lst(spec.get("templates")):
                self.emit(
                    "workflow-template-ref",
                    f"{sp}.templates",
                    f"{prefix}Templates is invalid field in spec if workflow referred WorkflowTemplate reference",
                )
            ref_name = text(wft_ref.get("name"))
            cluster = wft_ref.get("clusterScope") is True
            ref_holder = self.registry.get(ref_name, cluster, holder.namespace)
            if ref_holder is None:
                self.emit(
                    "undefined-workflow-template",
                    f"{ref_path}.name",
                    f"{prefix}{not_found(ref_name, cluster, holder.namespace)}",
                )
                return
            if not entrypoint:
                entrypoint = text(ref_holder.spec.get("entrypoint"))
        self.validate_names(
            lst(spec.get("templates")), f"{sp}.templates", f"{prefix}spec.templates", params=False
        )  # (3)

        # (5) arguments, merged with the referenced template's (util.MergeParameters: ours win)
        args = d(spec.get("arguments"))
        allow_empty = lint or workflow_template
        self.validate_arguments("spec.arguments.", args, allow_empty, f"{sp}.arguments", prefix)
        params = [p for p in lst(args.get("parameters")) if isinstance(p, dict)]
        artifacts = [a for a in lst(args.get("artifacts")) if isinstance(a, dict)]
        if ref_holder is not None:
            ref_args = d(ref_holder.spec.get("arguments"))
            own = {text(p.get("name")) for p in params}
            extra = [
                p
                for p in lst(ref_args.get("parameters"))
                if isinstance(p, dict) and text(p.get("name")) not in own
            ]
            if not allow_empty:
                for p in extra:
                    if p.get("value") is None and p.get("valueFrom") is None:
                        n = text(p.get("name"))
                        self.emit(
                            "argument-value",
                            ref_path,
                            f"{prefix}spec.arguments.{n}.value or spec.arguments.{n}.valueFrom is required",
                        )
            params = params + extra
            own_art = {text(a.get("name")) for a in artifacts}
            artifacts = artifacts + [
                a
                for a in lst(ref_args.get("artifacts"))
                if isinstance(a, dict) and text(a.get("name")) not in own_art
            ]
        merged_args = {"parameters": params, "artifacts": artifacts}

        g = self.globals
        g.update(
            (
                "workflow.name",
                "workflow.namespace",
                "workflow.mainEntrypoint",
                "workflow.serviceAccountName",
                "workflow.uid",
                "workflow.status",
            )
        )
        if params:
            g.update(("workflow.parameters", "workflow.parameters.json"))
        for p in params:
            if text(p.get("name")):
                g.add("workflow.parameters." + text(p.get("name")))
        annotations = list(holder.annotations)
        labels = list(holder.labels)
        for source in [spec] + ([ref_holder.spec] if ref_holder is not None else []):
            wm = d(source.get("workflowMetadata"))
            annotations += [str(k) for k in d(wm.get("annotations"))]
            labels += [str(k) for k in d(wm.get("labels"))] + [str(k) for k in d(wm.get("labelsFrom"))]
        g.update("workflow.annotations." + k for k in annotations)
        g.update(
            ("workflow.annotations", "workflow.annotations.json", "workflow.labels", "workflow.labels.json")
        )
        g.update("workflow.labels." + k for k in labels)
        if spec.get("priority") is not None:
            g.add("workflow.priority")

        if not ignore_entrypoint and not entrypoint:  # (6)
            self.emit("missing-entrypoint", f"{sp}.entrypoint", f"{prefix}spec.entrypoint is required")

        if not ignore_entrypoint and entrypoint:  # (7)
            call_args = _FAKE if workflow_template else merged_args
            step: dict[str, Any]
            if ref_holder is not None:
                step = {
                    "templateRef": {
                        "name": ref_holder.name,
                        "template": entrypoint,
                        "clusterScope": ref_holder.kind == "ClusterWorkflowTemplate",
                    }
                }
                path = ref_path
            else:
                step = {"template": entrypoint}
                path = f"{sp}.entrypoint"
            self.validate_template_holder(
                Call(step, path, prefix, synthetic=True, empty_args_reported=not allow_empty), holder, call_args
            )

        # onExit: the workflow's own, else the referenced template's
        on_exit = text(spec.get("onExit"))
        exit_call: Call | None = None
        if on_exit:
            if ref_holder is not None:
                exit_call = Call(
                    {
                        "templateRef": {
                            "name": ref_holder.name,
                            "template": on_exit,
                            "clusterScope": ref_holder.kind == "ClusterWorkflowTemplate",
                        }
                    },
                    f"{sp}.onExit",
                    prefix,
                    synthetic=True,
                )
            else:
                exit_call = Call({"template": on_exit}, f"{sp}.onExit", prefix, synthetic=True)
        elif ref_holder is not None and text(ref_holder.spec.get("onExit")):
            exit_call = Call(
                {
                    "templateRef": {
                        "name": ref_holder.name,
                        "template": text(ref_holder.spec.get("onExit")),
                        "clusterScope": ref_holder.kind == "ClusterWorkflowTemplate",
                    }
                },
                ref_path,
                prefix,
                synthetic=True,
            )
        if exit_call is not None:
            exit_call.empty_args_reported = not allow_empty
            g.add("workflow.failures")
            self.validate_template_holder(exit_call, holder, {"parameters": params, "artifacts": artifacts})

        self.validate_hooks(d(spec.get("hooks")), f"{sp}.hooks", f"{prefix}hooks")  # (8)

        pod_gc = spec.get("podGC")  # (9)
        if isinstance(pod_gc, dict):
            strategy = pod_gc.get("strategy")
            if strategy is not None and text(strategy) not in PODGC_STRATEGIES:
                self.emit(
                    "pod-gc",
                    f"{sp}.podGC.strategy",
                    f"{prefix}podGC.strategy unknown strategy '{text(strategy)}'",
                )
            problem = label_selector_error(pod_gc.get("labelSelector"))
            if problem:
                self.emit(
                    "pod-gc", f"{sp}.podGC.labelSelector", f"{prefix}podGC.labelSelector invalid: {problem}"
                )

        self.validate_pod_resources(
            spec.get("podResources"), f"{sp}.podResources", "spec.podResources", prefix
        )  # (10)

        if ref_holder is not None:  # every template of the referenced one, in this workflow's context
            for name in ref_holder.templates:
                if not name:
                    continue  # reported on the template's own document
                call = Call(
                    {
                        "templateRef": {
                            "name": ref_holder.name,
                            "template": name,
                            "clusterScope": ref_holder.kind == "ClusterWorkflowTemplate",
                        }
                    },
                    ref_path,
                    f"{prefix}templates.{name}",
                    synthetic=True,
                )
                self.validate_template_holder(call, holder, _FAKE)
            return
        for tmpl in list(holder.templates.values()):
            if tmpl.name:
                self.validate_template_holder(
                    Call({"template": tmpl.name}, tmpl.path, f"{prefix}templates.{tmpl.name}", True),
                    holder,
                    _FAKE,
                )

    # -- names and arguments ---------------------------------------------------------------------
    def validate_names(self, items: list[Any], path: str, prefix: str, *, params: bool) -> None:
        """validateWorkflowFieldNames: names present, valid and unique (3, 5, 17, 32, 37)."""
        seen: set[str] = set()
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            name = text(item.get("name"))
            if not name:
                self.emit("missing-name", f"{path}[{i}].name", f"{prefix}[{i}].name is required")
                continue
            errs = (
                ([_PARAM_NAME_MSG] if not _PARAM_NAME.match(name) else [])
                if params
                else field_name_errors(name)
            )
            if errs:
                self.emit(
                    "invalid-name",
                    f"{path}[{i}].name",
                    f"{prefix}[{i}].name: '{name}' is invalid: {';'.join(errs)}",
                )
            if name in seen:
                self.emit("duplicate-name", f"{path}[{i}].name", f"{prefix}[{i}].name '{name}' is not unique")
            seen.add(name)

    def validate_arguments(
        self, prefix: str, args: dict[str, Any], allow_empty: bool, path: str, msg_prefix: str = ""
    ) -> None:
        """validateArguments (5, 28)."""
        params = lst(args.get("parameters"))
        artifacts = lst(args.get("artifacts"))
        self.validate_names(params, f"{path}.parameters", f"{msg_prefix}{prefix}parameters", params=True)
        self.validate_names(artifacts, f"{path}.artifacts", f"{msg_prefix}{prefix}artifacts", params=True)
        for i, param in enumerate(params):
            if not isinstance(param, dict):
                continue
            n = text(param.get("name"))
            here = f"{path}.parameters[{i}]"
            value_from = param.get("valueFrom")
            if value_from is None and param.get("value") is None and not allow_empty:
                self.emit(
                    "argument-value",
                    here,
                    f"{msg_prefix}{prefix}{n}.value or {prefix}{n}.valueFrom is required",
                )
            if isinstance(value_from, dict):
                allowed = (
                    any(value_from.get(k) for k in ("configMapKeyRef", "event")) or "supplied" in value_from
                )
                disallowed = [k for k in ("path", "jsonPath", "parameter", "expression") if value_from.get(k)]
                if not allowed or disallowed:
                    self.emit(
                        "argument-value",
                        f"{here}.valueFrom",
                        f"{msg_prefix}{prefix}{n}.valueFrom only allows: default, configMapKeyRef and supplied",
                    )
            enum = param.get("enum")
            if isinstance(enum, list):
                if not enum:
                    self.emit(
                        "enum",
                        f"{here}.enum",
                        f"{msg_prefix}{prefix}{n}.enum should contain at least one value",
                    )
                elif param.get("value") is None:
                    if not allow_empty:
                        self.emit("enum", f"{here}.value", f"{msg_prefix}{prefix}{n}.value is required")
                elif text(param.get("value")) not in {text(e) for e in enum}:
                    self.emit(
                        "enum",
                        f"{here}.value",
                        f"{msg_prefix}{prefix}{n}.value should be present in {prefix}{n}.enum list",
                    )
        for i, art in enumerate(artifacts):
            if not isinstance(art, dict):
                continue
            n = text(art.get("name"))
            here = f"{path}.artifacts[{i}]"
            # `fromExpression` alone does not do: Argo checks `From == "" && !HasLocationOrKey()`
            # (fromExpression belongs in steps/dag outputs, conditional-artifacts.yaml)
            if not art.get("from") and not has_location(art):
                self.emit(
                    "artifact-location",
                    here,
                    f"{msg_prefix}{prefix}{n}.from, artifact location, or key is required",
                )
            if art.get("from") and art.get("fromExpression"):
                self.emit(
                    "artifact-location",
                    here,
                    f"{msg_prefix}{prefix}{n} shouldn't have both `from` and `fromExpression` in Artifact",
                )

    def validate_hooks(self, hooks: dict[str, Any], path: str, prefix: str) -> None:
        for name, hook in hooks.items():
            if name != "exit" and not text(d(hook).get("expression")):
                self.emit("hook-expression", f"{path}.{name}", f"{prefix}.{name} Expression required")

    def validate_pod_resources(self, res: Any, path: str, label: str, prefix: str) -> None:
        """Pod-level resources hold only cpu, memory and hugepages-*, and no claims (10)."""
        if not isinstance(res, dict):
            return
        for part in ("requests", "limits"):
            for key in d(res.get(part)):
                key = str(key)
                if key not in ("cpu", "memory") and not key.startswith("hugepages-"):
                    self.emit(
                        "pod-resources",
                        f"{path}.{part}.{key}",
                        f"{prefix}{label}.{part}[{key}] is not a valid pod-level resource, only cpu, memory and "
                        "hugepages-* are supported",
                    )
        if res.get("claims"):
            self.emit(
                "pod-resources",
                f"{path}.claims",
                f"{prefix}{label}.claims is not supported for pod-level resources",
            )

    # -- template resolution ---------------------------------------------------------------------
    def validate_template_holder(self, call: Call, ctx: Holder, args: dict[str, Any] | None) -> Tmpl | None:
        """Resolve what a step/task/entrypoint calls, then validate it (12, 13, 14)."""
        step = call.holder
        ref = step.get("templateRef")
        name = text(step.get("template"))
        p = call.prefix + " " if call.prefix else ""
        resolved: Tmpl | None = None
        target_ctx = ctx
        if isinstance(ref, dict):
            if name:
                self.emit(
                    "invalid-template-ref",
                    call.at("template"),
                    f"{p}template name cannot be specified with templateRef.",
                )
                return None
            ref_name, ref_tmpl = text(ref.get("name")), text(ref.get("template"))
            if not ref_name:
                self.emit("invalid-template-ref", call.at("templateRef"), f"{p}resource name is required")
                return None
            if not ref_tmpl:
                self.emit("invalid-template-ref", call.at("templateRef"), f"{p}template name is required")
                return None
            if has_tag(ref):
                return None  # Argo skips references that still need resolution (a warning there)
            cluster = ref.get("clusterScope") is True
            found = self.registry.get(ref_name, cluster, ctx.namespace)
            if found is None:
                self.emit(
                    "undefined-workflow-template",
                    call.at("templateRef", "name"),
                    f"{p}{not_found(ref_name, cluster, ctx.namespace)}",
                )
                return None
            resolved = found.templates.get(ref_tmpl)
            if resolved is None:
                self.emit(
                    "undefined-template",
                    call.at("templateRef", "template"),
                    f"{p}template reference {ref_name}.{ref_tmpl} not found",
                )
                return None
            target_ctx = found
        elif name:
            resolved = ctx.templates.get(name)
            if resolved is None:
                self.emit("undefined-template", call.at("template"), f"{p}template name '{name}' undefined")
                return None
        elif isinstance(step.get("inline"), dict):
            resolved = Tmpl(step["inline"], f"{call.path}.inline", ctx, inline=True)
        else:
            self.emit(
                "undefined-template", call.path, f"{p}a template, templateRef or inline template is required"
            )
            return None

        retry = d(resolved.data.get("retryStrategy"))
        policy = retry.get("retryPolicy")
        # Argo checks this at every call of the template; one finding, at the first call, is enough.
        retry_key = (resolved.holder.scope_id, resolved.path)
        if policy is not None and text(policy) not in RETRY_POLICIES and retry_key not in self.retry_checked:
            self.retry_checked.add(retry_key)
            self.emit(
                "retry-policy",
                f"{resolved.path}.retryStrategy.retryPolicy",
                f"{p}{text(policy)} is not a valid RetryPolicy",
            )

        if args is not _FAKE:
            self.process_args(resolved, args, call)
        external = resolved.holder is not self.holder
        if external and self.redirect is None:
            label = f"{ref.get('name')}/{ref.get('template')}" if isinstance(ref, dict) else resolved.name
            self.redirect = (call.path, f"{p}template {label}")
            try:
                self.validate_template(resolved, target_ctx)
            finally:
                self.redirect = None
        else:
            self.validate_template(resolved, target_ctx)
        return resolved

    def process_args(self, tmpl: Tmpl, args: dict[str, Any], call: Call) -> None:
        """common.ProcessArgs: each input is supplied by the call or has a default (19)."""
        supplied_params = {text(a.get("name")): a for a in lst(args.get("parameters")) if isinstance(a, dict)}
        supplied_arts = {text(a.get("name")): a for a in lst(args.get("artifacts")) if isinstance(a, dict)}
        inputs = d(tmpl.data.get("inputs"))
        p = call.prefix + " " if call.prefix else ""
        where = f"templates.{tmpl.name} " if tmpl.name else ""
        for param in lst(inputs.get("parameters")):
            if not isinstance(param, dict):
                continue
            n = text(param.get("name"))
            value, value_from = param.get("value"), param.get("valueFrom")
            if value is None and param.get("default") is not None:
                value = param.get("default")
            arg = supplied_params.get(n)
            if arg is not None and arg.get("value") is None and arg.get("valueFrom") is None:
                if call.empty_args_reported:
                    continue  # the argument itself is reported (argument-value)
                # common.ProcessArgs (overwriteWithArguments): an argument without a value replaces
                # the input's value and default with nothing, so even a defaulted input is not
                # supplied; `argo lint` says so for spec.arguments (argoproj/argo-workflows#1619).
            if arg is not None:
                if arg.get("value") is not None:
                    value, value_from = arg.get("value"), None
                else:
                    value, value_from = None, arg.get("valueFrom")
            if not (isinstance(value_from, dict) and value_from.get("configMapKeyRef")) and value is None:
                self.emit("missing-input", call.path, f"{p}{where}inputs.parameters.{n} was not supplied")
        for art in lst(inputs.get("artifacts")):
            if not isinstance(art, dict):
                continue
            n = text(art.get("name"))
            if art.get("optional") is True or has_location(art):
                continue
            if n not in supplied_arts:
                self.emit("missing-input", call.path, f"{p}{where}inputs.artifacts.{n} was not supplied")

    # -- templates -------------------------------------------------------------------------------
    def validate_template(self, tmpl: Tmpl, ctx: Holder) -> None:
        data = tmpl.data
        t = tmpl.name
        tp = tmpl.path
        key = (ctx.scope_id, id(data) if tmpl.inline else t)
        if key in self.results:
            return
        self.results.add(key)

        types = tmpl.types  # (15)
        if len(types) != 1:
            which = "template type unspecified" if not types else "multiple template types specified"
            self.emit(
                "template-type",
                tp,
                f"templates.{t} {which}. choose one of: container, containerSet, steps, "
                "script, resource, dag, suspend, template, template ref",
            )
            return
        kind = types[0]
        leaf = kind in LEAF_TYPES
        scope = self.validate_inputs(tmpl)  # (17)
        for i, ctr in enumerate(lst(data.get("initContainers"))):  # (18)
            if isinstance(ctr, dict) and not text(ctr.get("name")):
                self.emit(
                    "init-container-name",
                    f"{tp}.initContainers[{i}].name",
                    "initContainers must all have container name",
                )
        if kind in POD_TYPES:
            scope.add("pod.name")
        if data.get("retryStrategy") is not None:
            scope.keys.update(
                (
                    "retries",
                    "retries.lastExitCode",
                    "retries.lastStatus",
                    "retries.lastDuration",
                    "retries.lastMessage",
                )
            )
        outputs = d(data.get("outputs"))
        if leaf:
            for art in lst(outputs.get("artifacts")):
                if isinstance(art, dict) and art.get("path"):
                    scope.add(f"outputs.artifacts.{text(art.get('name'))}.path")
            for param in lst(outputs.get("parameters")):
                if isinstance(param, dict) and d(param.get("valueFrom")).get("path"):
                    scope.add(f"outputs.parameters.{text(param.get('name'))}.path")

        timeout = data.get("timeout")  # (20)
        if timeout is not None and text(timeout):
            if not leaf:
                self.emit(
                    "timeout", f"{tp}.timeout", f"{_TYPE_NAMES[kind]} template doesn't support timeout field."
                )
            elif re.fullmatch(r"[-+]?\d+", text(timeout)):
                self.emit("timeout", f"{tp}.timeout", f"{t} has invalid duration format in timeout.")
        if data.get("pendingTimeout") is not None and not leaf:
            self.emit(
                "timeout",
                f"{tp}.pendingTimeout",
                f"{_TYPE_NAMES[kind]} template doesn't support pendingTimeout field.",
            )

        if kind == "steps":
            self.validate_steps(scope, tmpl, ctx)
        elif kind == "dag":
            self.validate_dag(scope, tmpl, ctx)
        else:
            self.validate_leaf(scope, tmpl, ctx)
        self.validate_outputs(scope, tmpl)
        if isinstance(data.get("archiveLocation"), dict):
            self.validate_artifact_location(
                f"templates.{t}.archiveLocation", data["archiveLocation"], f"{tp}.archiveLocation"
            )
        self.validate_metrics(tmpl)
        # (16) pod-level settings on templates that create no pod
        if data.get("podResources") is not None:
            if kind in ("http", "plugin"):
                self.emit(
                    "pod-resources",
                    f"{tp}.podResources",
                    f"templates.{t}.podResources is not supported for {_TYPE_NAMES[kind]} templates",
                )
            else:
                self.validate_pod_resources(
                    data.get("podResources"), f"{tp}.podResources", f"templates.{t}.podResources", ""
                )
        if lst(data.get("resourceClaims")) and kind not in POD_TYPES:
            self.emit(
                "pod-resources",
                f"{tp}.resourceClaims",
                f"templates.{t}.resourceClaims is not supported for {_TYPE_NAMES[kind]} templates, which do not create a pod",
            )

    def validate_inputs(self, tmpl: Tmpl) -> Scope:
        data, t, tp = tmpl.data, tmpl.name, tmpl.path
        inputs = d(data.get("inputs"))
        params = lst(inputs.get("parameters"))
        artifacts = lst(inputs.get("artifacts"))
        self.validate_names(
            params, f"{tp}.inputs.parameters", f"templates.{t}.inputs.parameters", params=True
        )
        self.validate_names(
            artifacts, f"{tp}.inputs.artifacts", f"templates.{t}.inputs.artifacts", params=True
        )
        scope = Scope()
        for param in params:
            if isinstance(param, dict):
                scope.add("inputs.parameters." + text(param.get("name")))
        if params:
            scope.add("inputs.parameters")
        leaf = tmpl.is_leaf
        for i, art in enumerate(artifacts):
            if not isinstance(art, dict):
                continue
            n = text(art.get("name"))
            ref = f"inputs.artifacts.{n}"
            here = f"{tp}.inputs.artifacts[{i}]"
            scope.add(ref)
            if leaf:
                problem = clean_path_error(art)
                if problem:
                    self.emit("artifact-path", f"{here}.path", f"error in templates.{t}.{ref}: {problem}")
                scope.add(ref + ".path")
            elif art.get("path"):
                self.emit(
                    "artifact-path",
                    f"{here}.path",
                    f"templates.{t}.{ref}.path only valid in container/script templates",
                )
            if art.get("from"):
                self.emit(
                    "artifact-location", f"{here}.from", f"templates.{t}.{ref}.from not valid in inputs"
                )
            self.validate_artifact_location(f"templates.{t}.{ref}", art, here)
        return scope

    def validate_artifact_location(self, prefix: str, loc: dict[str, Any], path: str) -> None:
        git = loc.get("git")
        if isinstance(git, dict) and not text(git.get("repo")):
            self.emit("artifact-location", f"{path}.git.repo", f"{prefix}.git.repo is required")
        hdfs = loc.get("hdfs")
        if isinstance(hdfs, dict):
            hp, hpath = f"{prefix}.hdfs", f"{path}.hdfs"
            if not lst(hdfs.get("addresses")):
                self.emit("artifact-location", f"{hpath}.addresses", f"{hp}.addresses is required")
            hdfs_path = text(hdfs.get("path"))
            if not hdfs_path:
                self.emit("artifact-location", f"{hpath}.path", f"{hp}.path is required")
            elif not hdfs_path.startswith("/") and "{{" not in hdfs_path:
                self.emit("artifact-location", f"{hpath}.path", f"{hp}.path must be a absolute file path")
            if (
                not text(hdfs.get("hdfsUser"))
                and hdfs.get("krbCCacheSecret") is None
                and hdfs.get("krbKeytabSecret") is None
            ):
                self.emit(
                    "artifact-location",
                    hpath,
                    f"either {hp}.hdfsUser, {hp}.krbCCacheSecret or {hp}.krbKeytabSecret is required",
                )

    # -- leaf ------------------------------------------------------------------------------------
    def leaf_tags(self, data: dict[str, Any]) -> list[Tag]:
        """Tags Argo would see in a leaf template under fake arguments: input parameter values
        are replaced by placeholders and input artifacts by bare {name, path, mode}."""
        key = ("leaf", id(data))
        found = self._tags.get(key)
        if found is not None:
            return found
        out: list[Tag] = []
        for k, v in data.items():
            if k == "inputs" and isinstance(v, dict):
                for pk, pv in v.items():
                    if pk == "parameters" and isinstance(pv, list):
                        for i, param in enumerate(pv):
                            if isinstance(param, dict):
                                kept = {a: b for a, b in param.items() if a not in ("value", "valueFrom")}
                                out.extend(
                                    (("inputs", "parameters", i, *rel), tag) for rel, tag in collect(kept, [])
                                )
                    elif pk == "artifacts" and isinstance(pv, list):
                        for i, art in enumerate(pv):
                            if isinstance(art, dict):
                                kept = {
                                    a: b
                                    for a, b in art.items()
                                    if a in ("name", "path", "mode", "recurseMode")
                                }
                                out.extend(
                                    (("inputs", "artifacts", i, *rel), tag) for rel, tag in collect(kept, [])
                                )
                    else:
                        out.extend((("inputs", pk, *rel), tag) for rel, tag in collect(pv, []))
            else:
                out.extend(((k, *rel), tag) for rel, tag in collect(v, []))
        self._tags[key] = out
        return out

    def validate_leaf(self, scope: Scope, tmpl: Tmpl, ctx: Holder) -> None:
        data, t, tp = tmpl.data, tmpl.name, tmpl.path
        self.resolve_all(scope, data, tp, f"templates.{t}: ", self.leaf_tags(data))
        defaults = d(ctx.spec.get("templateDefaults"))
        container = data.get("container")
        if isinstance(container, dict):  # (23)
            mounts: dict[str, str] = {}
            for i, mount in enumerate(lst(container.get("volumeMounts"))):
                mp = text(d(mount).get("mountPath"))
                if mp in mounts:
                    self.emit(
                        "mount-path",
                        f"{tp}.container.volumeMounts[{i}].mountPath",
                        f"templates.{t}.container.volumeMounts[{i}].mountPath '{mp}' already mounted in {mounts[mp]}",
                    )
                mounts[mp] = f"container.volumeMounts.{text(d(mount).get('name'))}"
            for i, art in enumerate(lst(d(data.get("inputs")).get("artifacts"))):
                ap = text(d(art).get("path"))
                if ap in mounts:
                    self.emit(
                        "mount-path",
                        f"{tp}.inputs.artifacts[{i}].path",
                        f"templates.{t}.inputs.artifacts[{i}].path '{ap}' already mounted in {mounts[ap]}",
                    )
                mounts[ap] = f"inputs.artifacts.{text(d(art).get('name'))}"
            if not text(container.get("image")) and not text(d(defaults.get("container")).get("image")):
                self.emit(
                    "missing-image",
                    f"{tp}.container.image",
                    f"templates.{t}.container.image may not be empty",
                )
        script = data.get("script")
        if (
            isinstance(script, dict)
            and not text(script.get("image"))
            and not text(d(defaults.get("script")).get("image"))
        ):
            self.emit("missing-image", f"{tp}.script.image", f"templates.{t}.script.image may not be empty")
        if isinstance(data.get("containerSet"), dict):
            self.validate_container_set(tmpl)
        for i, side in enumerate(lst(data.get("sidecars"))):
            self.check_reserved_name(text(d(side).get("name")), f"{tp}.sidecars[{i}].name")
        if isinstance(data.get("resource"), dict):
            self.validate_resource(tmpl)
        ads = data.get("activeDeadlineSeconds")  # (26)
        if ads is not None:
            bad = False
            if isinstance(ads, int) and not isinstance(ads, bool):
                bad = ads < 0
            elif isinstance(ads, str):
                bad = not (re.fullmatch(r"[-+]?\d+", ads) and int(ads) >= 0) and not _ARGO_VARIABLE.match(ads)
            if bad:
                self.emit(
                    "active-deadline-seconds",
                    f"{tp}.activeDeadlineSeconds",
                    f"templates.{t}.activeDeadlineSeconds must be a positive integer > 0 or an argo variable",
                )
        if data.get("parallelism") is not None:
            self.emit(
                "parallelism",
                f"{tp}.parallelism",
                f"templates.{t}.parallelism is only valid for steps and dag templates",
            )

    def check_reserved_name(self, name: str, path: str) -> None:
        if name in RESERVED_CONTAINER_NAMES or name.startswith(RESERVED_CONTAINER_PREFIX):
            self.emit("reserved-container-name", path, f"{goq(name)} is a reserved Argo container name")

    def validate_container_set(self, tmpl: Tmpl) -> None:  # (24)
        data, t, tp = tmpl.data, tmpl.name, tmpl.path
        cs = data["containerSet"]
        base = f"{tp}.containerSet"
        containers = [c for c in lst(cs.get("containers")) if isinstance(c, dict)]
        prefix = f"templates.{t}.containerSet."
        if not containers:
            self.emit(
                "container-set", f"{base}.containers", f"{prefix}containers must have at least one container"
            )
            return
        names: set[str] = set()
        for i, ctr in enumerate(containers):
            n = text(ctr.get("name"))
            here = f"{base}.containers[{i}].name"
            if not n:
                self.emit("missing-name", here, f"{prefix}containers[{i}].name is required")
                continue
            errs = field_name_errors(n)
            if errs:
                self.emit(
                    "invalid-name", here, f"{prefix}containers[{i}].name: '{n}' is invalid: {';'.join(errs)}"
                )
            if n in names:
                self.emit("duplicate-name", here, f"{prefix}containers[{i}].name '{n}' is not unique")
            names.add(n)
            self.check_reserved_name(n, here)
        mounts: dict[str, str] = {}
        for i, mount in enumerate(lst(cs.get("volumeMounts"))):
            mp = text(d(mount).get("mountPath"))
            if mp in mounts:
                self.emit(
                    "mount-path",
                    f"{base}.volumeMounts[{i}].mountPath",
                    f"{prefix}volumeMounts[{i}].mountPath '{mp}' already mounted in {mounts[mp]}",
                )
            mounts[mp] = f"volumeMounts.{text(d(mount).get('name'))}"
        graph: dict[str, list[str]] = {}
        for i, ctr in enumerate(containers):
            n = text(ctr.get("name"))
            deps = [text(x) for x in lst(ctr.get("dependencies"))]
            graph.setdefault(n, []).extend(deps)
            for j, dep in enumerate(deps):
                if dep not in names:
                    self.emit(
                        "container-set",
                        f"{base}.containers[{i}].dependencies[{j}]",
                        f"{prefix}containers.{n} dependency '{dep}' not defined",
                    )
        cycle = find_cycle(graph)
        if cycle:
            self.emit(
                "container-set",
                f"{base}.containers",
                f"{prefix}containers dependency cycle detected: {'->'.join(cycle)}",
            )
        inputs, outputs = d(data.get("inputs")), d(data.get("outputs"))
        if (
            lst(inputs.get("artifacts")) or lst(outputs.get("parameters")) or lst(outputs.get("artifacts"))
        ) and "main" not in names:
            self.emit(
                "container-set",
                f"{base}.containers",
                f'{prefix}containers must have a container named "main" for input or output',
            )

    def validate_resource(self, tmpl: Tmpl) -> None:  # (25)
        data, t, tp = tmpl.data, tmpl.name, tmpl.path
        res = data["resource"]
        base = f"{tp}.resource"
        action = text(res.get("action"))
        if "{{" not in action and action not in RESOURCE_ACTIONS:
            self.emit(
                "resource-template",
                f"{base}.action",
                f"templates.{t}.resource.action must be one of: get, create, apply, delete, replace, patch",
            )
        if action in ("delete", "get"):
            return
        manifest = text(res.get("manifest"))
        manifest_from = res.get("manifestFrom")
        if not manifest and manifest_from is None:
            self.emit(
                "resource-template",
                base,
                f"either templates.{t}.resource.manifest or templates.{t}.resource.manifestFrom must be specified",
            )
        if manifest and manifest_from is not None:
            self.emit(
                "resource-template",
                base,
                "shouldn't have both `manifest` and `manifestFrom` specified in `Manifest` for resource template",
            )
        artifact = d(d(manifest_from).get("artifact"))
        if artifact:
            name = text(artifact.get("name"))
            inputs = {text(d(a).get("name")) for a in lst(d(data.get("inputs")).get("artifacts"))}
            if name not in inputs:
                self.emit(
                    "resource-template",
                    f"{base}.manifestFrom.artifact.name",
                    f"artifact {name} in `manifestFrom` refer to a non-exist artifact",
                )
        if manifest and not _ARGO_VARIABLE.match(manifest.strip()):
            # Argo replaces expressions (and, via ProcessArgs, simple tags) with placeholders first.
            replaced = _ANY_TAG.sub("placeholder", _EXPRESSION_TAG.sub("placeholder", manifest))
            try:
                yaml.load(replaced, Loader=_YAML_LOADER)
            except yaml.YAMLError:
                self.emit(
                    "resource-template",
                    f"{base}.manifest",
                    f"templates.{t}.resource.manifest must be a valid yaml",
                )
            except Exception:  # noqa: BLE001  (several documents: Go reads the first one only)
                pass

    # -- steps -----------------------------------------------------------------------------------
    def validate_non_leaf(self, tmpl: Tmpl) -> None:
        if tmpl.data.get("activeDeadlineSeconds") is not None:
            self.emit(
                "active-deadline-seconds",
                f"{tmpl.path}.activeDeadlineSeconds",
                f"templates.{tmpl.name}.activeDeadlineSeconds is only valid for leaf templates",
            )

    def add_items(self, step: dict[str, Any], scope: Scope, path: str, prefix: str) -> None:
        """addItemsToScope (28)."""
        items, param, seq = lst(step.get("withItems")), step.get("withParam"), step.get("withSequence")
        defined = sum((bool(items), bool(text(param)), seq is not None))
        if defined > 1:
            self.emit(
                "loop", path, f"{prefix}only one of withItems, withParam, withSequence can be specified"
            )
        if items:
            for item in items:
                if isinstance(item, dict):
                    scope.keys.update(f"item.{k}" for k in item)
                elif isinstance(item, list):
                    scope.keys.update(f"item.[{i}]" for i in range(len(item)))
                else:
                    scope.add("item")
        elif text(param):
            scope.add("item")
            scope.any_item = True
        elif isinstance(seq, dict):
            if seq.get("count") is not None and seq.get("end") is not None:
                self.emit(
                    "loop",
                    f"{path}.withSequence",
                    f"{prefix}only one of count or end can be defined in withSequence",
                )
            scope.add("item")

    def add_outputs(
        self, tmpl: Tmpl | None, prefix: str, scope: Scope, aggregate: bool, ancestor: bool
    ) -> None:
        """addOutputsToScope: what a finished step or task exposes."""
        for suffix in (".id", ".startedAt", ".finishedAt", ".hostNodeName"):
            scope.add(prefix + suffix)
        if ancestor:
            scope.add(prefix + ".status")
        if tmpl is None:
            scope.add_prefix(prefix + ".")  # unknown template: accept its outputs rather than cascade
            return
        data = tmpl.data
        if data.get("daemon") is True:
            scope.add(prefix + ".ip")
        cs = d(data.get("containerSet"))
        has_output = any(
            data.get(k) is not None for k in ("container", "script", "data", "http", "plugin")
        ) or any(text(d(c).get("name")) == "main" for c in lst(cs.get("containers")))
        if has_output:
            scope.add(prefix + ".outputs.result")
            scope.add(prefix + ".exitCode")
        outputs = d(data.get("outputs"))
        for param in lst(outputs.get("parameters")):
            param = d(param)
            scope.add(f"{prefix}.outputs.parameters.{text(param.get('name'))}")
            global_name = text(param.get("globalName"))
            if global_name:
                if not is_parameter(global_name):
                    self.globals.add("workflow.outputs.parameters." + global_name)
                    scope.add("workflow.outputs.parameters." + global_name)
                else:
                    scope.any_output_parameter = True
        for art in lst(outputs.get("artifacts")):
            art = d(art)
            scope.add(f"{prefix}.outputs.artifacts.{text(art.get('name'))}")
            global_name = text(art.get("globalName"))
            if global_name:
                if not is_parameter(global_name):
                    self.globals.add("workflow.outputs.artifacts." + global_name)
                    scope.add("workflow.outputs.artifacts." + global_name)
                else:
                    scope.any_output_artifact = True
        if aggregate:
            scope.add(prefix + ".outputs.parameters")
            if tmpl.type in ("script", "containerSet"):
                scope.add(prefix + ".outputs.result")
                scope.add(prefix + ".exitCode")

    def validate_steps(self, scope: Scope, tmpl: Tmpl, ctx: Holder) -> None:  # (27-29)
        self.validate_non_leaf(tmpl)
        t, tp = tmpl.name, tmpl.path
        names: set[str] = set()
        for i, group in enumerate(lst(tmpl.data.get("steps"))):
            for j, step in enumerate(lst(group)):
                if not isinstance(step, dict):
                    continue
                sp = f"{tp}.steps[{i}][{j}]"
                name = text(step.get("name"))
                if not name:
                    self.emit("missing-name", f"{sp}.name", f"templates.{t}.steps[{i}].name is required")
                    continue
                if name in names:
                    self.emit(
                        "duplicate-name",
                        f"{sp}.name",
                        f"templates.{t}.steps[{i}].name '{name}' is not unique",
                    )
                elif "{{" not in name:  # placeholder fragments are tolerated (argo #15896)
                    errs = field_name_errors(name)
                    if errs:
                        self.emit(
                            "invalid-name",
                            f"{sp}.name",
                            f"templates.{t}.steps[{i}].name '{name}' is invalid: {';'.join(errs)}",
                        )
                names.add(name)
                prefix = f"steps.{name}"
                err_prefix = f"templates.{t}.steps[{i}].{name} "
                scope.add(prefix + ".status")
                self.add_items(step, scope, sp, err_prefix)
                arguments = d(step.get("arguments"))
                self.validate_arguments(
                    f"templates.{t}.steps[{i}].{name}.arguments.", arguments, False, f"{sp}.arguments"
                )
                call = Call(step, sp, err_prefix.rstrip())
                args = arguments if isinstance(step.get("templateRef"), dict) else _FAKE
                resolved = self.validate_template_holder(call, ctx, args)
                hooks = d(step.get("hooks"))
                if "exit" in hooks or text(step.get("onExit")):
                    self.add_outputs(resolved, prefix, scope, False, False)
                self.validate_hooks(hooks, f"{sp}.hooks", f"templates.{t}.steps[{i}].{name}")
                self.check_hook_templates(step, sp, ctx, err_prefix)
                step_scope = scope.copy()
                inline = d(step.get("inline"))
                for param in lst(d(inline.get("inputs")).get("parameters")):
                    step_scope.add("inputs.parameters." + text(d(param).get("name")))
                self.resolve_all(step_scope, step, sp, f"templates.{t}.steps ")
                aggregate = bool(lst(step.get("withItems"))) or bool(text(step.get("withParam")))
                self.add_outputs(resolved, prefix, scope, aggregate, False)
                if args is _FAKE and resolved is not None:  # validate again with the actual arguments
                    self.process_args(resolved, arguments, call)

    def check_hook_templates(self, step: dict[str, Any], path: str, ctx: Holder, prefix: str) -> None:
        """Exit handlers and hooks name local templates that must exist (a runtime failure otherwise)."""
        on_exit = text(step.get("onExit"))
        if on_exit and on_exit not in ctx.templates:
            self.emit("undefined-template", f"{path}.onExit", f"{prefix}template name '{on_exit}' undefined")
        for name, hook in d(step.get("hooks")).items():
            target = text(d(hook).get("template"))
            if target and target not in ctx.templates:
                self.emit(
                    "undefined-template",
                    f"{path}.hooks.{name}.template",
                    f"{prefix}template name '{target}' undefined",
                )

    # -- DAG -------------------------------------------------------------------------------------
    def validate_dag(self, scope: Scope, tmpl: Tmpl, ctx: Holder) -> None:  # (30-36)
        self.validate_non_leaf(tmpl)
        t, tp = tmpl.name, tmpl.path
        dag = d(tmpl.data.get("dag"))
        raw_tasks = lst(dag.get("tasks"))
        if not raw_tasks:
            self.emit("dag-empty", f"{tp}.dag.tasks", f"templates.{t} must have at least one task")
            return
        self.validate_names(raw_tasks, f"{tp}.dag.tasks", f"templates.{t}.tasks", params=False)
        tasks: dict[str, tuple[int, dict[str, Any]]] = {}
        for i, task in enumerate(raw_tasks):
            if isinstance(task, dict) and text(task.get("name")):
                tasks.setdefault(text(task.get("name")), (i, task))
        using_depends = any(text(task.get("depends")) for _, task in tasks.values())
        deps: dict[str, dict[str, bool]] = {}  # task -> {dependency: items-based}
        for name, (i, task) in tasks.items():
            deps[name] = task_dependencies(task)
            for dep in deps[name]:
                if dep not in tasks:
                    where = "depends" if text(task.get("depends")) else "dependencies"
                    self.emit(
                        "dag-undefined-dependency",
                        f"{tp}.dag.tasks[{i}].{where}",
                        f"templates.{t} sorting failed: invalid dependency {dep}",
                    )
        graph = {n: [x for x in ds if x in tasks] for n, ds in deps.items()}
        cycle = find_cycle(graph)
        if cycle:
            self.emit(
                "dag-cycle",
                f"{tp}.dag.tasks[{tasks[cycle[0]][0]}]",
                f"templates.{t} sorting failed: graph with cycle ({'->'.join(cycle)})",
            )
        order = topological(list(tasks), graph)
        resolved: dict[str, Tmpl | None] = {}
        for name in order:
            i, task = tasks[name]
            tpath = f"{tp}.dag.tasks[{i}]"
            err_prefix = f"templates.{t}.tasks.{name} "
            if (using_depends or lst(task.get("dependencies"))) and name[:1].isdigit():
                self.emit(
                    "invalid-name",
                    f"{tpath}.name",
                    f"templates.{t}.tasks.{name} name cannot begin with a digit when using either 'depends' or 'dependencies'",
                )
            if using_depends and lst(task.get("dependencies")):
                self.emit(
                    "dag-dependencies",
                    f"{tpath}.dependencies",
                    f"templates.{t} cannot use both 'depends' and 'dependencies' in the same DAG template",
                )
            if using_depends and task.get("continueOn") is not None:
                self.emit(
                    "dag-dependencies",
                    f"{tpath}.continueOn",
                    f"templates.{t} cannot use 'continueOn' when using 'depends'. Instead use "
                    "'dep-task.Failed'/'dep-task.Errored'",
                )
            arguments = d(task.get("arguments"))
            args = arguments if isinstance(task.get("templateRef"), dict) else _FAKE
            resolved[name] = self.validate_template_holder(Call(task, tpath, err_prefix.rstrip()), ctx, args)
            aggregate = bool(lst(task.get("withItems"))) or bool(text(task.get("withParam")))
            self.add_outputs(resolved[name], f"tasks.{name}", scope, aggregate, False)
            for match in _TASK_RESULT.findall(text(task.get("depends"))):
                dep, result = match.split(".", 1)
                if result not in TASK_RESULTS:
                    self.emit(
                        "dag-task-result",
                        f"{tpath}.depends",
                        f"{err_prefix}task result '{result}' for task '{dep}' is invalid",
                    )
            for dep, items_based in deps[name].items():
                if items_based and dep in tasks:
                    other = tasks[dep][1]
                    if (
                        not lst(other.get("withItems"))
                        and not text(other.get("withParam"))
                        and other.get("withSequence") is None
                    ):
                        self.emit(
                            "dag-task-result",
                            f"{tpath}.depends",
                            f"{err_prefix}dependency '{dep}' uses an items-based condition such as .AnySucceeded or "
                            ".AllFailed but does not contain any items",
                        )
        target = text(dag.get("target"))
        if target:
            self.resolve_all(scope, dag.get("target"), f"{tp}.dag.target", f"templates.{t}.targets ")
            for name in target.split(" "):
                if name and not is_parameter(name) and name not in tasks:
                    self.emit(
                        "dag-target",
                        f"{tp}.dag.target",
                        f"templates.{t}.targets: target '{name}' is not defined",
                    )
        for name in order:
            i, task = tasks[name]
            tpath = f"{tp}.dag.tasks[{i}]"
            err_prefix = f"templates.{t}.tasks.{name} "
            prefix = f"tasks.{name}"
            if task.get("hooks") is not None:
                scope.add(prefix + ".status")
            self.add_outputs(resolved[name], prefix, scope, False, False)
            self.check_hook_templates(task, tpath, ctx, err_prefix)
            self.validate_hooks(d(task.get("hooks")), f"{tpath}.hooks", err_prefix.rstrip())
            task_scope = scope.copy()
            ancestry = ancestors(name, graph)
            for anc in ancestry:
                anc_task = tasks[anc][1]
                aggregate = bool(lst(anc_task.get("withItems"))) or bool(text(anc_task.get("withParam")))
                self.add_outputs(resolved.get(anc), f"tasks.{anc}", task_scope, aggregate, True)
            inline = d(task.get("inline"))
            for param in lst(d(inline.get("inputs")).get("parameters")):
                task_scope.add("inputs.parameters." + text(d(param).get("name")))
            self.add_items(task, task_scope, tpath, err_prefix)
            self.resolve_all(task_scope, task, tpath, err_prefix)
            arguments = d(task.get("arguments"))
            self.validate_arguments(
                f"templates.{t}.tasks.{name}.arguments.", arguments, False, f"{tpath}.arguments"
            )
            for j, param in enumerate(lst(arguments.get("parameters"))):
                value = text(d(param).get("value"))
                if value.startswith("{{tasks.") and value.split(".")[1] not in ancestry:
                    self.emit(
                        "dag-missing-dependency",
                        f"{tpath}.arguments.parameters[{j}].value",
                        f"{err_prefix}missing dependency '{value.split('.')[1]}' for parameter "
                        f"'{text(d(param).get('name'))}'",
                    )
            for j, art in enumerate(lst(arguments.get("artifacts"))):
                source = text(d(art).get("from"))
                if source.startswith("{{tasks.") and source.split(".")[1] not in ancestry:
                    self.emit(
                        "dag-missing-dependency",
                        f"{tpath}.arguments.artifacts[{j}].from",
                        f"{err_prefix}missing dependency '{source.split('.')[1]}' for artifact "
                        f"'{text(d(art).get('name'))}'",
                    )
            tmpl_resolved = resolved[name]
            if tmpl_resolved is not None and not isinstance(task.get("templateRef"), dict):
                self.process_args(tmpl_resolved, arguments, Call(task, tpath, err_prefix.rstrip()))

    # -- outputs and metrics -----------------------------------------------------------------------
    def validate_outputs(self, scope: Scope, tmpl: Tmpl) -> None:  # (37, 38)
        data, t, tp = tmpl.data, tmpl.name, tmpl.path
        outputs = d(data.get("outputs"))
        if not outputs:
            return
        params, artifacts = lst(outputs.get("parameters")), lst(outputs.get("artifacts"))
        self.validate_names(
            params, f"{tp}.outputs.parameters", f"templates.{t}.outputs.parameters ", params=True
        )
        self.validate_names(
            artifacts, f"{tp}.outputs.artifacts", f"templates.{t}.outputs.artifacts ", params=True
        )
        self.resolve_all(scope, outputs, f"{tp}.outputs", f"templates.{t}.outputs ")
        leaf = tmpl.is_leaf
        kind = tmpl.type
        for i, art in enumerate(artifacts):
            art = d(art)
            ref = f"outputs.artifacts.{text(art.get('name'))}"
            here = f"{tp}.outputs.artifacts[{i}]"
            if leaf:
                problem = clean_path_error(art)
                if problem:
                    self.emit("artifact-path", f"{here}.path", f"error in templates.{t}.{ref}: {problem}")
            elif art.get("path"):
                self.emit(
                    "artifact-path",
                    f"{here}.path",
                    f"templates.{t}.{ref}.path only valid in container/script templates",
                )
            global_name = text(art.get("globalName"))
            if global_name and not is_parameter(global_name) and not _PARAM_NAME.match(global_name):
                self.emit(
                    "invalid-name", f"{here}.globalName", f"templates.{t}.{ref}.globalName: {_PARAM_NAME_MSG}"
                )
        for i, param in enumerate(params):
            param = d(param)
            ref = f"templates.{t}.outputs.parameters.{text(param.get('name'))}"
            here = f"{tp}.outputs.parameters[{i}]"
            value_from = param.get("valueFrom")
            if value_from is not None and param.get("value") is not None:
                self.emit(
                    "output-parameter", here, f"{ref} has both valueFrom and value specified, choose one"
                )
                continue
            if param.get("value") is None:
                if value_from is None:
                    self.emit("output-parameter", here, f"{ref} does not have valueFrom or value specified")
                    continue
                vf = d(value_from)
                sources = [
                    k for k in ("path", "jqFilter", "jsonPath", "parameter", "expression") if text(vf.get(k))
                ]
                count = len(sources) + (1 if vf.get("supplied") is not None else 0)
                if count == 0:
                    self.emit(
                        "output-parameter",
                        f"{here}.valueFrom",
                        f"{ref} valueFrom type unspecified. choose one of: path, jqFilter, jsonPath, parameter, raw, expression",
                    )
                elif count > 1:
                    self.emit(
                        "output-parameter",
                        f"{here}.valueFrom",
                        f"{ref} multiple valueFrom types specified. choose one of: path, jqFilter, jsonPath, parameter, raw",
                    )
                type_name = _TYPE_NAMES.get(kind, kind)
                if kind in ("container", "containerSet", "script") and not text(vf.get("path")):
                    self.emit(
                        "output-parameter",
                        f"{here}.valueFrom",
                        f"{ref}.path must be specified for {type_name} templates",
                    )
                elif kind == "resource" and not text(vf.get("jqFilter")) and not text(vf.get("jsonPath")):
                    self.emit(
                        "output-parameter",
                        f"{here}.valueFrom",
                        f"{ref} .jqFilter or jsonPath must be specified for {type_name} templates",
                    )
                elif kind in ("dag", "steps"):
                    if not text(vf.get("parameter")) and not text(vf.get("expression")):
                        self.emit(
                            "output-parameter",
                            f"{here}.valueFrom",
                            f"{ref}.parameter or expression must be specified for {type_name} templates",
                        )
                    elif text(vf.get("parameter")) and text(vf.get("expression")):
                        self.emit(
                            "output-parameter",
                            f"{here}.valueFrom",
                            f"{ref} shouldn't have both `from` and `expression` specified in `ValueFrom` for "
                            f"{type_name} templates",
                        )
            global_name = text(param.get("globalName"))
            if global_name and not is_parameter(global_name) and not _PARAM_NAME.match(global_name):
                self.emit("invalid-name", f"{here}.globalName", f"{ref}.globalName: {_PARAM_NAME_MSG}")

    def validate_metrics(self, tmpl: Tmpl) -> None:  # (22)
        t, tp = tmpl.name, tmpl.path
        for i, metric in enumerate(lst(d(tmpl.data.get("metrics")).get("prometheus"))):
            metric = d(metric)
            here = f"{tp}.metrics.prometheus[{i}]"
            name = text(metric.get("name"))
            if not _METRIC_NAME.match(name):
                self.emit(
                    "metric",
                    f"{here}.name",
                    f"templates.{t} metric name '{name}' is invalid. Metric names must "
                    "contain alphanumeric characters or '_'",
                )
            for j, label in enumerate(lst(metric.get("labels"))):
                key = text(d(label).get("key"))
                if not _METRIC_NAME.match(key):
                    self.emit(
                        "metric",
                        f"{here}.labels[{j}].key",
                        f"metric label '{key}' is invalid: keys may only contain alphanumeric characters or '_'",
                    )
            if "help" in metric and not text(metric.get("help")):
                self.emit(
                    "metric",
                    f"{here}.help",
                    f"templates.{t} metric '{name}' must contain a help string under 'help: ' field",
                )
            gauge = metric.get("gauge")
            for kind in ("gauge", "counter", "histogram"):
                value = metric.get(kind)
                if isinstance(value, dict) and not text(value.get("value")):
                    self.emit(
                        "metric",
                        f"{here}.{kind}",
                        f"templates.{t} metric '{name}' error: missing {kind}.value",
                    )
            if (
                isinstance(gauge, dict)
                and gauge.get("realtime") is True
                and "resourcesDuration." in text(gauge.get("value"))
            ):
                self.emit(
                    "metric",
                    f"{here}.gauge.value",
                    f"templates.{t} metric '{name}' error: 'resourcesDuration.*' metrics cannot be used in real-time",
                )


# ----------------------------------------------------------------------------------------------
# Helpers shared with tests.


def task_dependencies(task: Mapping[str, Any]) -> dict[str, bool]:
    """The tasks a DAG task depends on, each flagged when the dependency is items-based
    (``.AnySucceeded``/``.AllFailed``), as common.GetTaskDependencies reads them."""
    depends = text(task.get("depends"))
    out: dict[str, bool] = {}
    if not depends:
        for dep in lst(task.get("dependencies")):
            out.setdefault(text(dep), False)
        return out
    for name, result in depends_terms(depends):
        if result in ("AnySucceeded", "AllFailed"):
            out[name] = True
        else:
            out.setdefault(name, False)
    return out


def depends_terms(depends: str) -> Iterator[tuple[str, str | None]]:
    """``(task, result or None)`` for every task a ``depends`` expression names, in order, read
    with common.GetTaskDependencies' pattern: ``(a.Succeeded || b) && !c.Failed`` ->
    ``a, Succeeded``; ``b, None``; ``c, Failed``
    (https://argo-workflows.readthedocs.io/en/latest/enhanced-depends-logic/)."""
    for full, bare in _TASK_NAME.findall(depends):
        if full:
            name, result = full.split(".", 1)
            yield name, result
        elif bare:
            yield bare, None


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """One cycle as ``[a, b, a]`` (following dependencies), or empty; deterministic."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for dep in graph.get(node, ()):
            if state.get(dep) == 1:
                return stack[stack.index(dep) :] + [dep]
            if dep not in state and dep in graph:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def topological(names: list[str], graph: Mapping[str, list[str]]) -> list[str]:
    """Dependencies first, otherwise in document order; members of cycles last."""
    done: set[str] = set()
    order: list[str] = []
    remaining = list(names)
    while remaining:
        ready = [n for n in remaining if all(dep in done for dep in graph.get(n, []))]
        if not ready:
            order.extend(remaining)
            break
        for n in ready:
            done.add(n)
            order.append(n)
        remaining = [n for n in remaining if n not in done]
    return order


def ancestors(name: str, graph: Mapping[str, list[str]]) -> list[str]:
    seen: dict[str, None] = {}

    def walk(node: str) -> None:
        for dep in graph.get(node, []):
            if dep not in seen and dep != name:
                seen[dep] = None
                walk(dep)

    walk(name)
    return list(seen)


def clean_path_error(art: Mapping[str, Any]) -> str | None:
    """Artifact.CleanPath: a path is required and must not escape its directory with '..'."""
    path = text(art.get("path"))
    name = text(art.get("name"))
    if not path:
        return f"Artifact '{name}' did not specify a path"
    safe = ""
    if "/../" in path:
        safe = path[: path.index("/../")]
    elif path.endswith("/.."):
        safe = path[:-3]
    if safe:
        import posixpath

        cleaned = posixpath.normpath(path)
        if not cleaned.startswith(safe + "/") or len(cleaned) <= len(safe) + 1:
            return f"Artifact '{name}' attempted to use a path containing '..'. Directory traversal is not permitted"
    return None


def label_selector_error(selector: Any) -> str | None:
    """metav1.LabelSelectorAsSelector's objections, or None."""
    if not isinstance(selector, dict):
        return None
    for key, value in d(selector.get("matchLabels")).items():
        problem = label_key_error(str(key)) or label_value_error(text(value))
        if problem:
            return problem
    for expr in lst(selector.get("matchExpressions")):
        expr = d(expr)
        op, values = text(expr.get("operator")), lst(expr.get("values"))
        problem = label_key_error(text(expr.get("key")))
        if problem:
            return problem
        if op in ("In", "NotIn"):
            if not values:
                return "for 'in', 'notin' operators, values set can't be empty"
        elif op in ("Exists", "DoesNotExist"):
            if values:
                return "values set must be empty for exists and does not exist"
        else:
            return f'"{op}" is not a valid label selector operator'
        for v in values:
            problem = label_value_error(text(v))
            if problem:
                return problem
    return None


def label_key_error(key: str) -> str | None:
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        return f"invalid label key {key!r}: prefix part must be a DNS-1123 subdomain"
    if not name or len(name) > 63 or not _LABEL_NAME.match(name):
        return (
            f"invalid label key {key!r}: name part must consist of alphanumeric characters, '-', '_' or '.'"
        )
    return None


def label_value_error(value: str) -> str | None:
    if value and (len(value) > 63 or not _LABEL_NAME.match(value)):
        return f"invalid label value: {value!r}"
    return None
