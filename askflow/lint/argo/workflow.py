"""Workflow-level checks: object names, workflowTemplateRef, the spec's arguments and globals,
entrypoint and onExit, podGC and pod-level resources (validate.go: ValidateWorkflow,
validateWorkflowFieldNames' callers at spec level, validatePodGC, validatePodResources)."""

from __future__ import annotations

import re
from typing import Any

from askflow.lint.argo.documents import (
    FAKE,
    MAX_NAME,
    PODGC_STRATEGIES,
    Call,
    Checks,
    Holder,
    d,
    goq,
    lst,
    not_found,
    text,
)
from askflow.lint.variables import ANY_OUTPUT_ARTIFACT, is_parameter

RULES = (
    "name-too-long",
    "workflow-template-ref",
    "undefined-workflow-template",
    "argument-value",
    "missing-entrypoint",
    "pod-gc",
    "pod-resources",
    "executor-plugin",
)

_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


class WorkflowChecks(Checks):
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
        self.validate_executor_plugins(lst(spec.get("executorPlugins")), f"{sp}.executorPlugins", prefix)

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
                p for p in lst(ref_args.get("parameters")) if isinstance(p, dict) and text(p.get("name")) not in own
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
                a for a in lst(ref_args.get("artifacts")) if isinstance(a, dict) and text(a.get("name")) not in own_art
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
                if p.get("value") is not None:
                    self.global_values["workflow.parameters." + text(p.get("name"))] = text(p.get("value"))
        annotations = list(holder.annotations)
        labels = list(holder.labels)
        for source in [spec] + ([ref_holder.spec] if ref_holder is not None else []):
            wm = d(source.get("workflowMetadata"))
            annotations += [str(k) for k in d(wm.get("annotations"))]
            labels += [str(k) for k in d(wm.get("labels"))] + [str(k) for k in d(wm.get("labelsFrom"))]
        g.update("workflow.annotations." + k for k in annotations)
        g.update(("workflow.annotations", "workflow.annotations.json", "workflow.labels", "workflow.labels.json"))
        g.update("workflow.labels." + k for k in labels)
        if spec.get("priority") is not None:
            g.add("workflow.priority")

        if not ignore_entrypoint and not entrypoint:  # (6)
            self.emit("missing-entrypoint", f"{sp}.entrypoint", f"{prefix}spec.entrypoint is required")

        if not ignore_entrypoint and entrypoint:  # (7)
            call_args = FAKE if workflow_template else merged_args
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
            # An artifact whose globalName is built from a parameter has a name known only at run
            # time: the exit handler may then refer to any workflow output artifact (Workflow()
            # sets anyWorkflowOutputArtifactMagicValue; validate.go, the onExit branch).
            sources = [holder] + ([ref_holder] if ref_holder is not None else [])
            if any(
                is_parameter(text(d(art).get("globalName")))
                for source in sources
                for tmpl in source.templates.values()
                for art in lst(d(tmpl.data.get("outputs")).get("artifacts"))
            ):
                g.add(ANY_OUTPUT_ARTIFACT)
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
                self.emit("pod-gc", f"{sp}.podGC.labelSelector", f"{prefix}podGC.labelSelector invalid: {problem}")

        self.validate_pod_resources(spec.get("podResources"), f"{sp}.podResources", "spec.podResources", prefix)  # (10)

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
                self.validate_template_holder(call, holder, FAKE)
            return
        for tmpl in list(holder.templates.values()):
            if tmpl.name:
                self.validate_template_holder(
                    Call({"template": tmpl.name}, tmpl.path, f"{prefix}templates.{tmpl.name}", True),
                    holder,
                    FAKE,
                )

    def validate_executor_plugins(self, plugins: list[Any], path: str, prefix: str) -> None:
        """validateExecutorPlugins: WorkflowSpec.AsExecutorPluginSpec, then Sidecar.Validate on each
        plugin (pkg/apis/workflow/v1alpha1/workflow_types.go, pkg/plugins/spec/plugin_types.go at
        v4.1.2). A field counts as given when it is present and not null: Go's decoder leaves a
        missing or null map/pointer nil, and an empty one ({}) is not nil."""
        for i, plugin in enumerate(plugins):
            here = f"{path}[{i}]"
            plugin = d(plugin)
            container = d(d(d(plugin.get("spec")).get("sidecar")).get("container"))
            resources = d(container.get("resources"))
            if not text(d(plugin.get("metadata")).get("name")):
                problem, at = "executor plugin metadata name is mandatory", f"{here}.metadata.name"
            elif not lst(container.get("ports")):
                problem, at = "at least one port is mandatory", f"{here}.spec.sidecar.container.ports"
            elif resources.get("requests") is None:
                problem, at = "resources requests are mandatory", f"{here}.spec.sidecar.container.resources.requests"
            elif resources.get("limits") is None:
                problem, at = "resources limits are mandatory", f"{here}.spec.sidecar.container.resources.limits"
            elif container.get("securityContext") is None:
                problem, at = "security context is mandatory", f"{here}.spec.sidecar.container.securityContext"
            else:
                continue
            self.emit("executor-plugin", at, f"{prefix}spec.executorPlugins: {problem}")

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
                        f"{prefix}{label}: {goq(key)} is not a valid pod-level resource, only cpu, memory and "
                        "hugepages-* are supported",
                    )
        if res.get("claims"):
            self.emit(
                "pod-resources",
                f"{path}.claims",
                f"{prefix}{label}.claims is not supported for pod-level resources",
            )


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
        return f"invalid label key {key!r}: name part must consist of alphanumeric characters, '-', '_' or '.'"
    return None


def label_value_error(value: str) -> str | None:
    if value and (len(value) > 63 or not _LABEL_NAME.match(value)):
        return f"invalid label value: {value!r}"
    return None
