"""Platform rules read templateDefaults as Argo applies them: merged into every template
(https://argo-workflows.readthedocs.io/en/latest/template-defaults/)."""

from __future__ import annotations

from typing import Any

from askflow.lint import lint_documents


def _workflow(defaults: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": "wf-"},
        "spec": {
            "entrypoint": "main",
            "templateDefaults": defaults,
            "templates": [
                {
                    "name": "main",
                    "container": {"image": "alpine:3.20", "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}},
                }
            ],
        },
    }


def _rules(defaults: dict[str, Any]) -> set[str]:
    return {f.rule for f in lint_documents([("wf.yaml", 0, _workflow(defaults))])}


def test_template_defaults_service_account_and_deadline_cover_every_template() -> None:
    assert _rules({}) == {"default-service-account", "active-deadline"}
    assert _rules({"serviceAccountName": "runner", "activeDeadlineSeconds": 600}) == set()


def test_default_service_account_in_template_defaults_is_reported_there() -> None:
    findings = lint_documents(
        [("wf.yaml", 0, _workflow({"serviceAccountName": "default", "activeDeadlineSeconds": 600}))]
    )
    assert [(f.rule, f.path) for f in findings] == [
        ("default-service-account", "spec.templateDefaults.serviceAccountName")
    ]


def test_template_defaults_of_the_referenced_template_count() -> None:
    template = _workflow({"serviceAccountName": "runner", "activeDeadlineSeconds": 600})
    template.update(kind="WorkflowTemplate", metadata={"name": "base"})
    caller = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": "wf-"},
        "spec": {"workflowTemplateRef": {"name": "base"}},
    }
    assert lint_documents([("t.yaml", 0, template), ("c.yaml", 0, caller)]) == []
