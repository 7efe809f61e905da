"""Generate the strict Argo API schema the linter checks structure against.

The source of truth is hera's generated pydantic models (``hera.workflows.models``, Argo 4.0.5),
walked class by class and made strict: every object rejects fields it does not declare, the way
``argo lint`` decodes with ``UnmarshalStrict``. The walk is cross-checked against the full CRDs of
the Argo release the project targets (``../shared/argo/v4.1.2/crds/``): fields that release added
after 4.0.5 (``podResources``, ``resourceClaims``, ...) are taken from the CRD, required fields are
the union of both, and ``x-kubernetes-int-or-string`` in the CRD widens hera's ``int``.

Importing hera's models costs a third of a second, more than linting a whole library, so the walk
runs at development time and its result is committed as :mod:`askflow.lint._apischema` (generated,
never edited). ``tests/lint/test_apischema.py`` regenerates it and fails when it is stale; run it
with ``ASKFLOW_REGENERATE=1`` to rewrite it after upgrading hera or the CRDs.

Type codes in the generated table (JSON-like, so the module is cheap to import):

``"str" "int" "bool" "float"``
    JSON scalars as Go's ``encoding/json`` accepts them into those Go types.
``"intstr"``
    ``IntOrString``: an integer or a string.
``"quantity"``
    ``resource.Quantity``: a string or a number.
``"anystr"``
    Argo's ``AnyString`` (parameter values): Go reads a number or boolean as a string, but hera and
    the CRDs say string and the API server enforces that; kept apart for a clearer message.
``"any"`` / ``"object"``
    Anything / any mapping (``x-kubernetes-preserve-unknown-fields``, Argo's ``Plugin``).
``["list", T]`` / ``["map", T]`` / ``["obj", NAME]``
    A list of T, a string-keyed mapping of T, a named object in ``OBJECTS``.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

# Argo's AnyString fields (pkg/apis/workflow/v1alpha1: Parameter, ValueFrom): Go accepts a number or a
# boolean there and reads it as a string; hera and the CRDs type them as string.
ANYSTRING_FIELDS = {
    ("io.argoproj.workflow.v1alpha1.Parameter", "default"),
    ("io.argoproj.workflow.v1alpha1.Parameter", "value"),
    ("io.argoproj.workflow.v1alpha1.Parameter", "description"),
    ("io.argoproj.workflow.v1alpha1.Parameter", "enum"),
    ("io.argoproj.workflow.v1alpha1.ValueFrom", "default"),
}

# Required in the API, but reported by a dedicated semantic rule with a better message.
NOT_REQUIRED = {
    ("io.argoproj.workflow.v1alpha1.OSSArtifact", "key"),  # rule oss-missing-key
}

# Root object of each kind and the CRD file describing it.
ROOTS = {
    "Workflow": ("io.argoproj.workflow.v1alpha1.Workflow", "argoproj.io_workflows.yaml"),
    "WorkflowTemplate": (
        "io.argoproj.workflow.v1alpha1.WorkflowTemplate",
        "argoproj.io_workflowtemplates.yaml",
    ),
    "ClusterWorkflowTemplate": (
        "io.argoproj.workflow.v1alpha1.ClusterWorkflowTemplate",
        "argoproj.io_clusterworkflowtemplates.yaml",
    ),
    "CronWorkflow": ("io.argoproj.workflow.v1alpha1.CronWorkflow", "argoproj.io_cronworkflows.yaml"),
}

_SCALARS: dict[Any, str] = {str: "str", int: "int", bool: "bool", float: "float"}
_ROOT_OVERRIDES = {
    "IntOrString": "intstr",
    "Quantity": "quantity",
    "Amount": "float",
    "Time": "str",
    "MicroTime": "str",
    "Item": "any",
}


def type_name(cls: type) -> str:
    """``io.argoproj.workflow.v1alpha1.Template`` for hera's ``...models.io.argoproj...v1alpha1.Template``."""
    module = cls.__module__.split(".models.", 1)[-1]
    return f"{module}.{cls.__name__}"


class _Walker:
    """Walks hera's model classes into the JSON-like type table."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, Any]] = {}
        self.classes: dict[str, type] = {}

    def type_of(self, annotation: Any) -> Any:
        from pydantic import BaseModel, RootModel

        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            return self.type_of(typing.get_args(annotation)[0])
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                return self.type_of(args[0])
            kinds = {self.type_of(a) if not isinstance(self.type_of(a), list) else "complex" for a in args}
            if kinds == {"str", "int"}:
                return "intstr"
            raise ValueError(f"unsupported union {annotation!r}")
        if origin is list:
            return ["list", self.type_of(typing.get_args(annotation)[0])]
        if origin is dict:
            key, value = typing.get_args(annotation)
            if key is not str:
                raise ValueError(f"unsupported mapping key {key!r}")
            return ["map", self.type_of(value)]
        if annotation is typing.Any:
            return "any"
        if annotation in _SCALARS:
            return _SCALARS[annotation]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if issubclass(annotation, RootModel):
                if annotation.__name__ in _ROOT_OVERRIDES:
                    return _ROOT_OVERRIDES[annotation.__name__]
                return self.type_of(annotation.model_fields["root"].annotation)
            name = type_name(annotation)
            self.visit(name, annotation)
            return ["obj", name]
        name = getattr(annotation, "__name__", "")
        if name in ("AwareDatetime", "Base64Str", "datetime"):
            return "str"
        raise ValueError(f"unsupported annotation {annotation!r}")

    def visit(self, name: str, cls: type) -> None:
        if name in self.objects:
            return
        entry: dict[str, Any] = {"fields": {}, "required": []}
        self.objects[name] = entry
        self.classes[name] = cls
        fields = cls.model_fields  # type: ignore[attr-defined]
        if not fields and cls.__name__ == "Plugin":
            # Argo's Plugin has a custom UnmarshalJSON taking any object; hera models it empty.
            entry["free"] = True
        for py_name, field in fields.items():
            alias = field.alias or py_name
            kind = self.type_of(field.annotation)
            if (name, alias) in ANYSTRING_FIELDS:
                kind = ["list", "anystr"] if isinstance(kind, list) else "anystr"
            entry["fields"][alias] = kind
            if field.is_required() and (name, alias) not in NOT_REQUIRED:
                entry["required"].append(alias)


def _crd_schema(crd_dir: Path, file: str) -> dict[str, Any]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(crd_dir / file, encoding="utf-8") as fh:
        crd = yaml.load(fh, Loader=loader)
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


def _from_crd(schema: Mapping[str, Any], name: str, objects: dict[str, dict[str, Any]]) -> Any:
    """A type code for a CRD sub-schema (used for fields hera's models do not have yet)."""
    if schema.get("x-kubernetes-int-or-string"):
        return "intstr"
    kind = schema.get("type")
    if kind == "string":
        return "str"
    if kind == "integer":
        return "int"
    if kind == "number":
        return "float"
    if kind == "boolean":
        return "bool"
    if kind == "array":
        return ["list", _from_crd(schema.get("items", {}), name, objects)]
    if kind == "object":
        if schema.get("x-kubernetes-preserve-unknown-fields"):
            return "object"
        if "properties" in schema:
            entry: dict[str, Any] = {"fields": {}, "required": sorted(schema.get("required", []))}
            objects[name] = entry
            for prop, sub in sorted(schema["properties"].items()):
                entry["fields"][prop] = _from_crd(sub, f"{name}.{prop}", objects)
            return ["obj", name]
        if isinstance(schema.get("additionalProperties"), Mapping):
            return ["map", _from_crd(schema["additionalProperties"], name, objects)]
        return "object"
    return "any"


def _pairs(kind: Any, schema: Mapping[str, Any] | None) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(object name, CRD schema) pairs reachable from a type code and its CRD schema."""
    if schema is None:
        return
    if isinstance(kind, list):
        if kind[0] == "obj":
            yield kind[1], schema
        elif kind[0] == "list":
            yield from _pairs(kind[1], schema.get("items"))
        elif kind[0] == "map":
            extra = schema.get("additionalProperties")
            yield from _pairs(kind[1], extra if isinstance(extra, Mapping) else None)


def _restrict(
    kind: Any, schema: Mapping[str, Any], where: str, objects: dict[str, dict[str, Any]], notes: set[str]
) -> Any:
    """``kind``, or a copy of its object limited to the fields the CRD allows at this position
    (the CRD embeds a reduced ObjectMeta in some places, e.g. CronWorkflowSpec.workflowMetadata)."""
    if not isinstance(kind, list):
        return kind
    if kind[0] in ("list", "map"):
        key = "items" if kind[0] == "list" else "additionalProperties"
        sub = schema.get(key)
        return [kind[0], _restrict(kind[1], sub, where, objects, notes)] if isinstance(sub, Mapping) else kind
    entry = objects.get(kind[1])
    props = schema.get("properties")
    if (
        entry is None
        or entry.get("free")
        or not isinstance(props, Mapping)
        or schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        return kind
    extra = set(entry["fields"]) - set(props)
    if not extra:
        return kind
    name = f"{kind[1]}@{where}"
    if name not in objects:
        objects[name] = {
            "fields": {k: v for k, v in entry["fields"].items() if k in props},
            "required": [r for r in entry["required"] if r in props],
        }
        notes.add(f"{where}: only {', '.join(sorted(props))} in the CRD")
    return ["obj", name]


def cross_check(objects: dict[str, dict[str, Any]], roots: Mapping[str, str], crd_dir: Path) -> list[str]:
    """Merge what the CRDs know into ``objects``; returns what differed, for the generated header."""
    notes: set[str] = set()
    seen: set[tuple[str, int]] = set()
    for kind, (_root, file) in ROOTS.items():
        stack: list[tuple[str, Mapping[str, Any]]] = [(roots[kind], _crd_schema(crd_dir, file))]
        while stack:
            name, schema = stack.pop()
            if (name, id(schema)) in seen or name not in objects:
                continue
            seen.add((name, id(schema)))
            entry = objects[name]
            props = schema.get("properties")
            if entry.get("free") or not isinstance(props, Mapping):
                continue  # a free-form object in the CRD (metadata): hera's model is the stricter truth
            for alias in schema.get("required", []):
                if alias not in entry["required"] and (name, alias) not in NOT_REQUIRED:
                    entry["required"].append(alias)
                    notes.add(f"{name}.{alias}: required by the CRD")
            for alias, sub in props.items():
                if alias not in entry["fields"]:
                    entry["fields"][alias] = _from_crd(sub, f"{name}.{alias}", objects)
                    notes.add(f"{name}.{alias}: added from the CRD")
                    continue
                current = entry["fields"][alias]
                if sub.get("x-kubernetes-int-or-string") and current == "int":
                    current = entry["fields"][alias] = "intstr"
                    notes.add(f"{name}.{alias}: int-or-string in the CRD")
                current = entry["fields"][alias] = _restrict(current, sub, f"{name}.{alias}", objects, notes)
                stack.extend(_pairs(current, sub))
    return sorted(notes)


def build(crd_dir: Path | None) -> dict[str, Any]:
    """The whole table: ``{"roots": ..., "objects": ..., "notes": ...}``."""
    from hera.workflows.models.io.argoproj.workflow import v1alpha1

    walker = _Walker()
    roots = {}
    for kind, (root, _file) in ROOTS.items():
        cls = getattr(v1alpha1, root.rsplit(".", 1)[1])
        walker.visit(root, cls)
        roots[kind] = root
    notes = cross_check(walker.objects, roots, crd_dir) if crd_dir is not None else []
    for entry in walker.objects.values():
        entry["required"] = sorted(entry["required"])
        entry["fields"] = dict(sorted(entry["fields"].items()))
    return {"roots": roots, "objects": dict(sorted(walker.objects.items())), "notes": notes}


def render(table: Mapping[str, Any]) -> str:
    """The text of :mod:`askflow.lint._apischema` (deterministic)."""
    import json
    from importlib.metadata import version

    lines = [
        '"""GENERATED by askflow.lint.apigen from hera\'s models and the Argo v4.1.2 CRDs. Do not edit.',
        "",
        "Regenerate: ASKFLOW_REGENERATE=1 .venv/bin/pytest tests/lint/test_apischema.py",
        "",
        "Differences the CRDs contributed:",
        *[f"  {note}" for note in table["notes"]],
        '"""',
        "",
        "# fmt: off",
        "# ruff: noqa: E501",
        f"HERA_VERSION = {version('hera')!r}",
        f"ROOTS = {json.dumps(table['roots'], sort_keys=True)}",
        "OBJECTS = {",
    ]
    for name, entry in table["objects"].items():
        lines.append(f"    {json.dumps(name)}: {json.dumps(entry, sort_keys=True)},")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    return text.replace(": true", ": True").replace(": false", ": False")
