"""Templates that run a pod: container and script (mount paths, image), containerSet, resource,
reserved container names, activeDeadlineSeconds and parallelism on leaf templates
(validate.go: validateLeaf, validateContainerSetTemplate, validateResourceWithManifest...)."""

from __future__ import annotations

import re

import yaml

from askflow.lint.argo.dag import find_cycle
from askflow.lint.argo.documents import (
    ARGO_VARIABLE,
    RESERVED_CONTAINER_NAMES,
    RESERVED_CONTAINER_PREFIX,
    RESOURCE_ACTIONS,
    Checks,
    Holder,
    Tmpl,
    d,
    field_name_errors,
    goq,
    lst,
    text,
)
from askflow.lint.variables import Scope

RULES = (
    "mount-path",
    "missing-image",
    "container-set",
    "missing-name",
    "invalid-name",
    "duplicate-name",
    "reserved-container-name",
    "resource-template",
    "active-deadline-seconds",
    "parallelism",
)

_EXPRESSION_TAG = re.compile(r"\{\{\s*=\s*(.+?)\s*\}\}", re.S)
_ANY_TAG = re.compile(r"\{\{.*?\}\}", re.S)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class PodTemplateChecks(Checks):
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
            self.check_reserved_name(text(d(side).get("name")), f"{tp}.sidecars[{i}].name", f"templates.{t}.sidecars")
        if isinstance(data.get("resource"), dict):
            self.validate_resource(tmpl)
        ads = data.get("activeDeadlineSeconds")  # (26)
        if ads is not None:
            bad = False
            if isinstance(ads, int) and not isinstance(ads, bool):
                bad = ads < 0
            elif isinstance(ads, str):
                bad = not (re.fullmatch(r"[-+]?\d+", ads) and int(ads) >= 0) and not ARGO_VARIABLE.match(ads)
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

    def check_reserved_name(self, name: str, path: str, where: str) -> None:
        if name in RESERVED_CONTAINER_NAMES or name.startswith(RESERVED_CONTAINER_PREFIX):
            self.emit("reserved-container-name", path, f"{where}: {goq(name)} is a reserved Argo container name")

    def validate_container_set(self, tmpl: Tmpl) -> None:  # (24)
        data, t, tp = tmpl.data, tmpl.name, tmpl.path
        cs = data["containerSet"]
        base = f"{tp}.containerSet"
        containers = [c for c in lst(cs.get("containers")) if isinstance(c, dict)]
        prefix = f"templates.{t}.containerSet."
        if not containers:
            self.emit("container-set", f"{base}.containers", f"{prefix}containers must have at least one container")
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
                self.emit("invalid-name", here, f"{prefix}containers[{i}].name: '{n}' is invalid: {';'.join(errs)}")
            if n in names:
                self.emit("duplicate-name", here, f"{prefix}containers[{i}].name '{n}' is not unique")
            names.add(n)
            self.check_reserved_name(n, here, f"templates.{t}.containerSet.containers")
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
        if manifest and not ARGO_VARIABLE.match(manifest.strip()):
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
