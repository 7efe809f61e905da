"""Cost by tenant (issue #21): workflow pods on ECI carry tenant, template version and workflow as ECI
instance tags, within ECI's limits; ACS says it has none."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from askflow import cost_tags
from askflow.plan import Plan, plan_stack
from askflow.plan.diagram import plan_markdown
from askflow.stacks.new import stack_new
from tests.conftest import ROOT
from tests.support.projects import stack_files_project

TEMPLATE = "argoproj.io/v1alpha1:WorkflowTemplate"


@cache
def _plan(stack: str) -> Plan:
    return plan_stack(stack, ROOT)


@cache
def _kind_plan(kind: str) -> Plan:
    root = stack_files_project(Path(tempfile.mkdtemp(prefix=f"askflow-cost-{kind}-")) / "project")
    stack_new(f"c-{kind}", "dev", [f"cluster.kind={kind}"], project_root=root)
    return plan_stack(f"c-{kind}", root)


def _defaults(plan: Plan) -> dict[str, Any]:
    (release,) = plan.of_type("kubernetes:helm.sh/v3:Release")
    return dict(release.inputs["values"]["controller"]["workflowDefaults"]["spec"])


def _templates(plan: Plan) -> list[Any]:
    return [r for r in plan.resources if r.type.startswith("kubernetes:argoproj.io") and r.inputs.get("kind") == "WorkflowTemplate"]


def substitute(value: str, workflow: str, namespace: str) -> str:
    """Argo's global substitution of the two variables the annotation uses."""
    return value.replace("{{workflow.name}}", workflow).replace("{{workflow.namespace}}", namespace)


def test_the_annotation_is_ecis_format() -> None:
    value = cost_tags.custom_tags("etl-v3")
    assert value == "askflow-tenant:{{workflow.namespace}},askflow-template:etl-v3,askflow-workflow:{{workflow.name}}"
    tags = cost_tags.check(substitute(value, "etl-v3-x7k2p", "data-eng"))
    assert tags == {"askflow-tenant": "data-eng", "askflow-template": "etl-v3", "askflow-workflow": "etl-v3-x7k2p"}
    assert len(tags) <= cost_tags.MAX_TAGS == 3


@pytest.mark.parametrize(("value", "message"), [
    ("a:1,b:2,c:3,d:4", "at most 3"),
    ("aliyun-team:x", "starts with aliyun"),
    ("acs:x:y", "holds ':'"),
    ("team:" + "x" * 129, "over 128"),
    ("url:https://example.com", "holds ':' or a URL"),
    ("nocolon", "not one key:value"),
    ("a:1,a:2", "not one key:value"),
])
def test_what_ecis_limits_refuse(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cost_tags.check(value)


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_workflow_defaults_tag_every_pod(stack: str) -> None:
    annotations = _defaults(_plan(stack))["podMetadata"]["annotations"]
    assert cost_tags.parse(annotations[cost_tags.ANNOTATION])["askflow-template"] == "none"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_template_names_its_version(stack: str) -> None:
    templates = _templates(_plan(stack))
    assert templates
    for t in templates:
        name = t.inputs["metadata"]["name"]
        tags = cost_tags.parse(t.inputs["spec"]["podMetadata"]["annotations"][cost_tags.ANNOTATION])
        assert tags["askflow-template"] == name
        # What a pod of a workflow of this template gets, in its tenant's namespace.
        namespace = t.inputs["metadata"]["namespace"]
        value = substitute(t.inputs["spec"]["podMetadata"]["annotations"][cost_tags.ANNOTATION], f"{name}-abcde", namespace)
        assert cost_tags.check(value)["askflow-tenant"] == namespace


def test_a_templates_own_pod_metadata_is_kept() -> None:
    manifest = {"kind": "WorkflowTemplate", "metadata": {"name": "etl-v2"},
                "spec": {"podMetadata": {"labels": {"team": "a"}, "annotations": {"x": "1", cost_tags.ANNOTATION: "own:1"}}}}
    out = cost_tags.template_tags(manifest, "etl-v2")
    assert out["spec"]["podMetadata"]["labels"] == {"team": "a"}
    assert out["spec"]["podMetadata"]["annotations"]["x"] == "1"
    assert cost_tags.parse(out["spec"]["podMetadata"]["annotations"][cost_tags.ANNOTATION])["askflow-template"] == "etl-v2"
    assert manifest["spec"]["podMetadata"]["annotations"][cost_tags.ANNOTATION] == "own:1"  # not changed in place


def test_the_rendered_templates_stay_valid_argo() -> None:
    from tests.support.argo_crds import crd_errors

    for t in _templates(_plan("prod")):
        assert crd_errors({"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate",
                           "metadata": t.inputs["metadata"], "spec": t.inputs["spec"]}) == []


def test_acs_has_no_instance_tags_and_the_plan_says_so() -> None:
    plan = _kind_plan("acs")
    assert cost_tags.ANNOTATION not in _defaults(plan).get("podMetadata", {}).get("annotations", {})
    assert all("podMetadata" not in t.inputs["spec"] or cost_tags.ANNOTATION not in
               t.inputs["spec"]["podMetadata"].get("annotations", {}) for t in _templates(plan))
    section = plan_markdown(plan, []).split("## Cost by tenant", 1)[1]
    assert "not available as instance tags on ACS" in section and "acs-pod-instance-overview" in section


def test_the_plan_names_the_tags_on_eci() -> None:
    section = plan_markdown(_plan("staging"), []).split("## Cost by tenant", 1)[1]
    assert "`askflow-tenant`, `askflow-template`, `askflow-workflow`" in section
