"""The strict API table is hera's models walked and cross-checked with the v4.1.2 CRDs.

``askflow/lint/_apischema.py`` is generated; this test regenerates it and fails when it is stale
(``ASKFLOW_REGENERATE=1`` rewrites it). The remaining tests hold the table against external truth:
the CRDs and hera's own models.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from askflow import yamlio
from askflow.lint import _apischema, apigen, structure
from tests.conftest import REGENERATE, shared_path
from tests.support.argo_crds import crd_errors, crd_schema

GENERATED = Path(apigen.__file__).with_name("_apischema.py")


def test_generated_table_is_current() -> None:
    table = apigen.build(shared_path("argo", "v4.1.2", "crds"))
    text = apigen.render(table)
    if REGENERATE:
        GENERATED.write_text(text, encoding="utf-8")
    assert GENERATED.read_text(encoding="utf-8") == text, (
        "run ASKFLOW_REGENERATE=1 pytest tests/lint/test_apischema.py"
    )


def test_table_comes_from_hera_models() -> None:
    from importlib.metadata import version

    from hera.workflows.models.io.argoproj.workflow import v1alpha1

    assert _apischema.HERA_VERSION == version("hera")
    template = set(v1alpha1.Template.model_fields)
    aliases = {f.alias or n for n, f in v1alpha1.Template.model_fields.items()}
    known = structure.known_fields("io.argoproj.workflow.v1alpha1.Template")
    assert aliases <= known
    # JSON names, never Python ones
    assert "activeDeadlineSeconds" in known and "active_deadline_seconds" in template
    assert "active_deadline_seconds" not in known


def _schema_pairs(kind: str) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(object name, CRD schema node, JSON path) for every object of the table reachable in the CRD."""
    seen: set[tuple[str, str]] = set()
    stack = [(_apischema.ROOTS[kind], crd_schema(kind), "")]
    while stack:
        name, schema, path = stack.pop()
        if (name, path) in seen or path.count(".") > 12:
            continue
        seen.add((name, path))
        yield name, schema, path
        entry = _apischema.OBJECTS[name]
        for alias, code in entry["fields"].items():
            sub = schema.get("properties", {}).get(alias)
            while isinstance(code, list) and code[0] in ("list", "map") and isinstance(sub, dict):
                sub = sub.get("items") if code[0] == "list" else sub.get("additionalProperties")
                code = code[1]
            if isinstance(code, list) and code[0] == "obj" and isinstance(sub, dict) and "properties" in sub:
                stack.append((code[1], sub, f"{path}.{alias}"))


@pytest.mark.parametrize("kind", sorted(_apischema.ROOTS))
def test_every_int_or_string_in_the_crd_takes_both(kind: str) -> None:
    """A probe's httpGet.port is an IntOrString in the CRD (hera types it int): a named port ("metrics")
    must lint as the API server takes it."""
    checked = 0
    for name, schema, path in _schema_pairs(kind):
        for alias, sub in schema.get("properties", {}).items():
            if isinstance(sub, dict) and sub.get("x-kubernetes-int-or-string"):
                assert _apischema.OBJECTS[name]["fields"][alias] in ("intstr", "quantity"), f"{path}.{alias}"
                checked += 1
    assert checked > 0


@pytest.mark.parametrize("kind", sorted(_apischema.ROOTS))
def test_every_crd_field_is_known_and_every_field_is_in_the_crd(kind: str) -> None:
    for name, schema, path in _schema_pairs(kind):
        fields = set(_apischema.OBJECTS[name]["fields"])
        crd_fields = set(schema.get("properties", {}))
        if path in ("", ".metadata") or path.endswith(".metadata") and name.endswith("ObjectMeta"):
            continue  # the CRD leaves metadata open; hera's ObjectMeta is the stricter truth
        assert crd_fields <= fields, (path, crd_fields - fields)
        assert fields <= crd_fields, (path, fields - crd_fields)
        required = set(schema.get("required", []))
        assert required - {"key"} <= set(_apischema.OBJECTS[name]["required"]) | {"key"}, (path, required)


def _dict_paths(value: Any, path: list[Any]) -> Iterator[list[Any]]:
    if isinstance(value, dict):
        yield list(path)
        for key, item in value.items():
            yield from _dict_paths(item, [*path, key])
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _dict_paths(item, [*path, i])


def _at(value: Any, path: list[Any]) -> Any:
    for part in path:
        value = value[part]
    return value


CROSS_CHECK_EXAMPLES = [
    "variables-showcase.yaml",
    "dag-diamond-steps.yaml",
    "ci.yaml",
    "cron-backfill.yaml",
    "cluster-workflow-template/clustertemplates.yaml",
    "pod-resources.yaml",
    "input-artifact-oss.yaml",
    "container-set-template/outputs-result-workflow.yaml",
    "custom-metrics.yaml",
    "volumes-pvc.yaml",
]


@pytest.mark.parametrize("example", CROSS_CHECK_EXAMPLES)
def test_unknown_fields_agree_with_the_crd(example: str) -> None:
    """Add an unknown field to objects of real examples: rejected by us exactly when the CRD
    (objects closed, as strict field validation reads it) rejects it too."""
    root = shared_path("argo", "v4.1.2", "examples")
    rng = random.Random(example)
    for doc in yamlio.load_all_file(root / example):
        if doc.get("kind") not in _apischema.ROOTS:
            continue
        paths = [p for p in _dict_paths(doc, []) if p[:1] != ["metadata"] and "metadata" not in p[-1:]]
        for path in rng.sample(paths, min(12, len(paths))):
            broken = copy.deepcopy(doc)
            _at(broken, path)["zzUnknown"] = "x"
            where = structure.format_path([*path, "zzUnknown"]) if path else "zzUnknown"
            ours = any(
                p == where and rule == "unknown-field" for p, rule, _ in structure.check_document(broken)
            )
            theirs = any("'zzUnknown' was unexpected" in e for e in crd_errors(broken))
            assert ours == theirs, (example, where)


@pytest.mark.parametrize(
    ("path", "value", "valid", "crd_valid"),
    [
        (["spec", "parallelism"], "2", False, False),
        (["spec", "parallelism"], 2, True, True),
        (
            ["spec", "templates", 0, "activeDeadlineSeconds"],
            "{{inputs.parameters.t}}",
            True,
            True,
        ),  # IntOrString
        (["spec", "templates", 0, "activeDeadlineSeconds"], 1.5, False, False),
        (["spec", "templates", 0, "container", "resources", "requests", "cpu"], 2, True, True),  # Quantity
        (["spec", "templates", 0, "container", "resources", "requests", "memory"], "4Gi", True, True),
        (["spec", "templates", 0, "container", "resources", "requests", "memory"], "4 GB", False, False),
        (["spec", "templates", 0, "container", "args"], "echo", False, False),
        # Go reads numbers into AnyString parameter values, but hera and the CRD say string
        (["spec", "arguments", "parameters"], [{"name": "n", "value": 3}], False, False),
        (["spec", "arguments", "parameters"], [{"name": "n", "value": "3"}], True, True),
        # the CRD leaves metadata to the API server's own ObjectMeta validation
        (["metadata", "labels"], {"team": 7}, False, True),
    ],
)
def test_types_follow_the_api(path: list[Any], value: Any, valid: bool, crd_valid: bool) -> None:
    doc = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": "t-"},
        "spec": {
            "entrypoint": "main",
            "templates": [{"name": "main", "container": {"image": "alpine:3.20"}}],
        },
    }
    target = doc
    for part in path[:-1]:
        target = target.setdefault(part, {}) if isinstance(part, str) else target[part]
    target[path[-1]] = value
    ours = structure.check_document(doc)
    assert (ours == []) == valid, ours
    assert (crd_errors(doc) == []) == crd_valid
