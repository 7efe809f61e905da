"""tests/support/argo_crds.py: the CRD check other areas use for their rendered objects."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from askflow import yamlio
from askflow.errors import AskflowError
from tests.conftest import shared_path
from tests.support.argo_crds import crd_errors

WORKFLOW: dict[str, Any] = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Workflow",
    "metadata": {"generateName": "t-"},
    "spec": {
        "entrypoint": "main",
        "templates": [
            {
                "name": "main",
                "activeDeadlineSeconds": 30,
                "container": {"image": "alpine:3.20", "resources": {"requests": {"cpu": 1, "memory": "1Gi"}}},
            }
        ],
    },
}


def test_every_argo_example_is_valid_against_its_crd() -> None:
    root = shared_path("argo", "v4.1.2", "examples")
    checked = 0
    for path in sorted(root.rglob("*.yaml")):
        try:
            docs = yamlio.load_all_file(path)
        except AskflowError:
            continue  # the one example with a duplicate key (see test_conformance)
        for doc in docs:
            if isinstance(doc, dict) and doc.get("kind") in (
                "Workflow",
                "WorkflowTemplate",
                "ClusterWorkflowTemplate",
                "CronWorkflow",
            ):
                assert crd_errors(doc) == [], (path.name, crd_errors(doc)[:3])
                checked += 1
    assert checked > 200


def test_valid_object_with_int_or_string_and_quantities() -> None:
    assert crd_errors(WORKFLOW) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["spec"]["templates"][0].update(contianer={}),
            "spec.templates[0]: Additional properties",
        ),
        (lambda d: d["spec"].update(parallelism="2"), "spec.parallelism: '2' is not of type 'integer'"),
        (
            lambda d: d["spec"]["templates"][0]["container"]["resources"]["requests"].update(memory="lots"),
            "spec.templates[0].container.resources.requests.memory: ",
        ),
        (lambda d: d.pop("spec"), "(root): 'spec' is a required property"),
    ],
)
def test_invalid_objects_are_rejected_with_their_path(change: Any, expected: str) -> None:
    doc = copy.deepcopy(WORKFLOW)
    change(doc)
    errors = crd_errors(doc)
    assert any(e.startswith(expected) for e in errors), errors


def test_preserve_unknown_fields_stay_open() -> None:
    doc = copy.deepcopy(WORKFLOW)
    doc["spec"]["templates"].append({"name": "plug", "plugin": {"hello": {"anything": [1, {"goes": True}]}}})
    assert crd_errors(doc) == []


def test_unknown_kind() -> None:
    assert crd_errors({"kind": "ConfigMap"}) == [
        "kind: 'ConfigMap' is not one of ClusterWorkflowTemplate, CronWorkflow, Workflow, WorkflowTemplate"
    ]
