"""Variables and expressions: every ``{{...}}`` a template, step or task uses resolves in its
scope, which steps, tasks, loops and outputs extend (validate.go: resolveAllVariables,
addItemsToScope, addOutputsToScope; the scope itself is :mod:`askflow.lint.variables`)."""

from __future__ import annotations

from typing import Any

from askflow.lint.argo.documents import Checks, Tmpl, d, lst, text
from askflow.lint.variables import Scope, Tag, collect, is_parameter, join

RULES = ("unresolved-variable", "loop")


class ReferenceChecks(Checks):
    def resolve_all(self, scope: Scope, value: Any, base: str, prefix: str, tags: list[Tag] | None = None) -> None:
        """Report every ``{{tag}}`` under ``value`` that does not resolve in ``scope`` (21)."""
        for rel, tag in self.tags(value) if tags is None else tags:
            if not scope.resolves(tag, self.globals, self.workflow_template):
                if self.redirect is not None and not tag.strip().startswith("workflow."):
                    continue  # intrinsic to the other document's template: reported there
                self.emit("unresolved-variable", join(base, rel), f"{prefix}failed to resolve {{{{{tag}}}}}")

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
                                out.extend((("inputs", "parameters", i, *rel), tag) for rel, tag in collect(kept, []))
                    elif pk == "artifacts" and isinstance(pv, list):
                        for i, art in enumerate(pv):
                            if isinstance(art, dict):
                                kept = {a: b for a, b in art.items() if a in ("name", "path", "mode", "recurseMode")}
                                out.extend((("inputs", "artifacts", i, *rel), tag) for rel, tag in collect(kept, []))
                    else:
                        out.extend((("inputs", pk, *rel), tag) for rel, tag in collect(pv, []))
            else:
                out.extend(((k, *rel), tag) for rel, tag in collect(v, []))
        self._tags[key] = out
        return out

    def add_items(self, step: dict[str, Any], scope: Scope, path: str, prefix: str) -> None:
        """addItemsToScope (28)."""
        items, param, seq = lst(step.get("withItems")), step.get("withParam"), step.get("withSequence")
        defined = sum((bool(items), bool(text(param)), seq is not None))
        if defined > 1:
            self.emit("loop", path, f"{prefix}only one of withItems, withParam, withSequence can be specified")
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

    def add_outputs(self, tmpl: Tmpl | None, prefix: str, scope: Scope, aggregate: bool, ancestor: bool) -> None:
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
        has_output = any(data.get(k) is not None for k in ("container", "script", "data", "http", "plugin")) or any(
            text(d(c).get("name")) == "main" for c in lst(cs.get("containers"))
        )
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
