"""Template outputs: output parameters with exactly one source that fits the template type,
output artifact paths, and global names (validate.go: validateOutputs)."""

from __future__ import annotations

from askflow.lint.argo.artifacts import clean_path_error
from askflow.lint.argo.documents import PARAM_NAME, PARAM_NAME_MSG, TYPE_NAMES, Checks, Tmpl, d, lst, text
from askflow.lint.variables import Scope, is_parameter

RULES = ("invalid-name", "artifact-path", "output-parameter")


class OutputChecks(Checks):
    def validate_outputs(self, scope: Scope, tmpl: Tmpl) -> None:  # (37, 38)
        data, t, tp = tmpl.data, tmpl.name, tmpl.path
        outputs = d(data.get("outputs"))
        if not outputs:
            return
        params, artifacts = lst(outputs.get("parameters")), lst(outputs.get("artifacts"))
        self.validate_names(params, f"{tp}.outputs.parameters", f"templates.{t}.outputs.parameters ", params=True)
        self.validate_names(artifacts, f"{tp}.outputs.artifacts", f"templates.{t}.outputs.artifacts ", params=True)
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
            if global_name and not is_parameter(global_name) and not PARAM_NAME.match(global_name):
                self.emit("invalid-name", f"{here}.globalName", f"templates.{t}.{ref}.globalName: {PARAM_NAME_MSG}")
        for i, param in enumerate(params):
            param = d(param)
            ref = f"templates.{t}.outputs.parameters.{text(param.get('name'))}"
            here = f"{tp}.outputs.parameters[{i}]"
            value_from = param.get("valueFrom")
            if value_from is not None and param.get("value") is not None:
                self.emit("output-parameter", here, f"{ref} has both valueFrom and value specified, choose one")
                continue
            if param.get("value") is None:
                if value_from is None:
                    self.emit("output-parameter", here, f"{ref} does not have valueFrom or value specified")
                    continue
                vf = d(value_from)
                sources = [k for k in ("path", "jqFilter", "jsonPath", "parameter", "expression") if text(vf.get(k))]
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
                type_name = TYPE_NAMES.get(kind, kind)
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
            if global_name and not is_parameter(global_name) and not PARAM_NAME.match(global_name):
                self.emit("invalid-name", f"{here}.globalName", f"{ref}.globalName: {PARAM_NAME_MSG}")
