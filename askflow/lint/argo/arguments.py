"""Names, arguments and inputs: names present, valid and unique; arguments with a value (or an
allowed valueFrom) and within their enum; every input a call needs is supplied
(validate.go: validateWorkflowFieldNames, validateArguments; common.ProcessArgs)."""

from __future__ import annotations

from typing import Any

from askflow.lint.argo.documents import (
    PARAM_NAME,
    PARAM_NAME_MSG,
    Call,
    Checks,
    Tmpl,
    d,
    field_name_errors,
    has_location,
    lst,
    text,
)

RULES = (
    "missing-name",
    "invalid-name",
    "duplicate-name",
    "argument-value",
    "enum",
    "artifact-location",
    "missing-input",
)


class ArgumentChecks(Checks):
    def validate_names(
        self, items: list[Any], path: str, prefix: str, *, params: bool, duplicate: str | None = None
    ) -> None:
        """validateWorkflowFieldNames: names present, valid and unique (3, 5, 17, 32, 37).
        ``duplicate``: the message for a repeated name when Argo finds it earlier, with ``%s`` for the
        name (a DAG's topological sort: "duplicated nodeName %s")."""
        seen: set[str] = set()
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            name = text(item.get("name"))
            if not name:
                self.emit("missing-name", f"{path}[{i}].name", f"{prefix}[{i}].name is required")
                continue
            errs = ([PARAM_NAME_MSG] if not PARAM_NAME.match(name) else []) if params else field_name_errors(name)
            if errs:
                self.emit(
                    "invalid-name",
                    f"{path}[{i}].name",
                    f"{prefix}[{i}].name: '{name}' is invalid: {';'.join(errs)}",
                )
            if name in seen:
                message = duplicate.replace("%s", name) if duplicate else f"{prefix}[{i}].name '{name}' is not unique"
                self.emit("duplicate-name", f"{path}[{i}].name", message)
            seen.add(name)

    def validate_arguments(
        self, prefix: str, args: dict[str, Any], allow_empty: bool, path: str, msg_prefix: str = ""
    ) -> None:
        """validateArguments (5, 28)."""
        params = lst(args.get("parameters"))
        artifacts = lst(args.get("artifacts"))
        self.validate_names(params, f"{path}.parameters", f"{msg_prefix}{prefix}parameters", params=True)
        self.validate_names(artifacts, f"{path}.artifacts", f"{msg_prefix}{prefix}artifacts", params=True)
        stopped = False
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
                # Go: ConfigMapKeyRef or Supplied non-nil (present, even empty), or Event not empty
                allowed = (
                    value_from.get("configMapKeyRef") is not None
                    or bool(text(value_from.get("event")))
                    or value_from.get("supplied") is not None
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
                    if allow_empty:
                        # validateArgumentsValues returns nil here: Argo checks no further argument of
                        # this list (parameters or artifacts), so neither does this
                        stopped = True
                        break
                    self.emit("enum", f"{here}.value", f"{msg_prefix}{prefix}{n}.value is required")
                elif text(param.get("value")) not in {text(e) for e in enum}:
                    self.emit(
                        "enum",
                        f"{here}.value",
                        f"{msg_prefix}{prefix}{n}.value should be present in {prefix}{n}.enum list",
                    )
        for i, art in enumerate([] if stopped else artifacts):
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
            # An incomplete git or hdfs location is reported where it is (artifact-location); calling it
            # "not supplied" as well would only repeat that
            if (
                art.get("optional") is True
                or has_location(art)
                or any(isinstance(art.get(k), dict) for k in ("git", "hdfs"))
            ):
                continue
            if n not in supplied_arts:
                self.emit("missing-input", call.path, f"{p}{where}inputs.artifacts.{n} was not supplied")
