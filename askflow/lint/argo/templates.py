"""Templates: resolving what a call names (template, templateRef, inline), one type per template,
inputs, timeouts, pod-level settings on templates without a pod, and the dispatch to the
steps/DAG/pod template checks (validate.go: validateTemplateHolder, validateTemplate,
validateTemplateType, validateInputs)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from askflow.lint.argo.artifacts import clean_path_error
from askflow.lint.argo.documents import (
    FAKE,
    LEAF_TYPES,
    POD_TYPES,
    RETRY_POLICIES,
    TYPE_NAMES,
    Call,
    Checks,
    Holder,
    Tmpl,
    d,
    lst,
    not_found,
    substitute_globals,
    text,
)
from askflow.lint.variables import Scope, has_tag

RULES = (
    "invalid-template-ref",
    "undefined-workflow-template",
    "undefined-template",
    "retry-policy",
    "template-type",
    "init-container-name",
    "timeout",
    "pod-resources",
    "artifact-path",
    "artifact-location",
    "active-deadline-seconds",
)


class TemplateChecks(Checks):
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
            self.emit("undefined-template", call.path, f"{p}a template, templateRef or inline template is required")
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

        if args is not FAKE:
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
                self.emit("timeout", f"{tp}.timeout", f"{TYPE_NAMES[kind]} template doesn't support timeout field")
            elif re.fullmatch(r"[-+]?\d+", text(timeout)):
                self.emit("timeout", f"{tp}.timeout", f"{t} has invalid duration format in timeout")
        if data.get("pendingTimeout") is not None and not leaf:
            self.emit(
                "timeout",
                f"{tp}.pendingTimeout",
                f"{TYPE_NAMES[kind]} template doesn't support pendingTimeout field",
            )

        if not leaf:
            # Argo validates steps and DAGs after ProcessArgs: the workflow's parameter values are
            # substituted first, so a task named run-{{workflow.parameters.d}} is checked as run-mon.
            substituted = substitute_globals(data, self.global_values)
            if substituted is not data:
                self.keep_alive.append(substituted)  # the tag cache is keyed by id()
                tmpl = dataclasses.replace(tmpl, data=substituted)
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
                    f"templates.{t}.podResources is not supported for {TYPE_NAMES[kind]} templates",
                )
            else:
                self.validate_pod_resources(
                    data.get("podResources"), f"{tp}.podResources", f"templates.{t}.podResources", ""
                )
        if lst(data.get("resourceClaims")) and kind not in POD_TYPES:
            self.emit(
                "pod-resources",
                f"{tp}.resourceClaims",
                f"templates.{t}.resourceClaims is not supported for {TYPE_NAMES[kind]} templates, which do not create a pod",
            )

    def validate_inputs(self, tmpl: Tmpl) -> Scope:
        data, t, tp = tmpl.data, tmpl.name, tmpl.path
        inputs = d(data.get("inputs"))
        params = lst(inputs.get("parameters"))
        artifacts = lst(inputs.get("artifacts"))
        self.validate_names(params, f"{tp}.inputs.parameters", f"templates.{t}.inputs.parameters", params=True)
        self.validate_names(artifacts, f"{tp}.inputs.artifacts", f"templates.{t}.inputs.artifacts", params=True)
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
                self.emit("artifact-location", f"{here}.from", f"templates.{t}.{ref}.from not valid in inputs")
            self.validate_artifact_location(f"templates.{t}.{ref}", art, here)
        return scope

    def validate_non_leaf(self, tmpl: Tmpl) -> None:
        if tmpl.data.get("activeDeadlineSeconds") is not None:
            self.emit(
                "active-deadline-seconds",
                f"{tmpl.path}.activeDeadlineSeconds",
                f"templates.{tmpl.name}.activeDeadlineSeconds is only valid for leaf templates",
            )
