"""Validate rendered Argo objects against the full v4.1.2 CRD schemas (what the API server accepts).

``crd_errors(obj)`` checks a Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow
against the ``openAPIV3Schema`` of its CRD in ``../shared/argo/v4.1.2/crds/`` with jsonschema, read
the way the Kubernetes API server reads a structural schema:

* objects with ``properties`` are closed (``additionalProperties: false``): with strict field
  validation, the default of ``kubectl`` since Kubernetes 1.27, unknown fields are rejected, and
  without it they would be silently dropped; either way they are a mistake;
* ``x-kubernetes-preserve-unknown-fields`` keeps an object open;
* ``x-kubernetes-int-or-string`` accepts an integer or a string;
* ``nullable: true`` accepts null.

The schemas load once per process (each CRD is a few MB). Tests that use this skip, saying why,
when ``../shared`` is absent (through :func:`tests.conftest.shared_path`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from typing import Any

import jsonschema

from askflow import yamlio
from tests.conftest import shared_path

CRD_FILES = {
    "Workflow": "argoproj.io_workflows.yaml",
    "WorkflowTemplate": "argoproj.io_workflowtemplates.yaml",
    "ClusterWorkflowTemplate": "argoproj.io_clusterworkflowtemplates.yaml",
    "CronWorkflow": "argoproj.io_cronworkflows.yaml",
}


def _structural(node: Any) -> Any:
    """A copy of a CRD schema node with the API server's reading made explicit for jsonschema."""
    if isinstance(node, list):
        return [_structural(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _structural(value) for key, value in node.items()}
    if out.get("x-kubernetes-int-or-string") and "anyOf" not in out:
        out["type"] = ["integer", "string"]
    if out.get("nullable") is True and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if (
        "properties" in out
        and "additionalProperties" not in out
        and not out.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


@cache
def crd_schema(kind: str) -> dict[str, Any]:
    """The openAPIV3Schema of ``kind``'s CRD, as published (a deep copy is safe to modify)."""
    path = shared_path("argo", "v4.1.2", "crds", CRD_FILES[kind])
    crd = yamlio.load_file(path)
    schema: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return schema


@cache
def _validator(kind: str) -> jsonschema.protocols.Validator:
    schema = _structural(copy.deepcopy(crd_schema(kind)))
    return jsonschema.Draft7Validator(schema)


def _where(error: jsonschema.ValidationError) -> str:
    out = ""
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


def crd_errors(obj: Mapping[str, Any]) -> list[str]:
    """``path: message`` for every way ``obj`` breaks its CRD schema; empty when it is valid.

    A kind other than the four Argo kinds is itself an error.
    """
    kind = obj.get("kind")
    if kind not in CRD_FILES:
        return [f"kind: {kind!r} is not one of {', '.join(sorted(CRD_FILES))}"]
    errors = sorted(
        _validator(str(kind)).iter_errors(obj), key=lambda e: (list(map(str, e.absolute_path)), e.message)
    )
    return [f"{_where(e)}: {e.message}" for e in errors]
