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


# parameter-in-code: a parameter substituted into code vs. passed as data.
def _pod_workflow(template: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": "wf-"},
        "spec": {
            "entrypoint": "main",
            "serviceAccountName": "runner",
            "activeDeadlineSeconds": 600,
            "arguments": {"parameters": [{"name": "x", "value": "1"}]},
            "templates": [{"name": "main", **template}],
        },
    }


SIZE = {"requests": {"cpu": "100m", "memory": "64Mi"}}


def _code_findings(template: dict[str, Any]) -> list[str]:
    findings = lint_documents([("wf.yaml", 0, _pod_workflow(template))])
    return [f.path for f in findings if f.rule == "parameter-in-code"]


def _container(command: list[str], args: list[str], **extra: Any) -> dict[str, Any]:
    return {"container": {"image": "alpine:3.20", "command": command, "args": args, "resources": SIZE, **extra}}


def test_parameters_as_data_are_not_code() -> None:
    env = [{"name": "X", "value": "{{workflow.parameters.x}}"}]
    script = {"image": "python:3.12-slim", "command": ["python"], "source": "import os\nprint(os.environ['X'])\n",
              "env": env, "resources": SIZE}
    assert _code_findings({"script": script}) == []
    assert _code_findings(_container(["sh", "-c"], ['echo "$X"'], env=env)) == []
    # After `sh -c PROGRAM`, the operands ($0, $1...) are data; so is any argument of a non-interpreter.
    assert _code_findings(_container(["sh", "-c"], ['echo "$1"', "sh", "{{workflow.parameters.x}}"])) == []
    assert _code_findings(_container(["echo"], ["{{workflow.parameters.x}}"])) == []
    assert _code_findings(_container(["python", "main.py"], ["-c", "{{workflow.parameters.x}}"])) == []


def test_parameters_in_code_are_found_where_the_interpreter_reads_them() -> None:
    x = "{{workflow.parameters.x}}"
    assert _code_findings(_container(["sh", "-c"], [f"echo {x}"])) == ["spec.templates[0].container.args[0]"]
    assert _code_findings(_container(["/bin/bash", "-euo", "pipefail", "-c", f"echo {x}"], [])) == [
        "spec.templates[0].container.command[4]"
    ]
    assert _code_findings(_container(["env", "A=b", "python3", "-u", "-c"], [f"print({x})"])) == [
        "spec.templates[0].container.args[0]"
    ]
    assert _code_findings(_container(["node", "-e"], [f"console.log({x})"])) == ["spec.templates[0].container.args[0]"]
    # An expression tag is substituted as text too.
    script = {"image": "python:3.12-slim", "command": ["python"], "resources": SIZE,
              "source": "print({{=sprig.upper(workflow.parameters.x)}})\n"}
    assert _code_findings({"script": script}) == ["spec.templates[0].script.source"]


def test_code_arguments_follow_each_interpreters_options() -> None:
    from askflow.lint.platform import code_arguments

    assert code_arguments(["sh", "-c", "p", "name", "operand"]) == ("sh", [2])
    assert code_arguments(["bash", "-xc", "p"]) == ("bash", [2])
    assert code_arguments(["sh", "script.sh", "-c"]) == ("sh", [])
    assert code_arguments(["busybox", "sh", "-c", "p"]) == ("sh", [3])
    assert code_arguments(["python3.12", "-uc", "p"]) == ("python3.12", [2])
    assert code_arguments(["python", "-cprint(1)"]) == ("python", [1])
    assert code_arguments(["python", "-m", "mod", "-c", "p"]) == ("python", [])
    assert code_arguments(["perl", "-e", "p"]) == ("perl", [2])
    assert code_arguments([]) == ("", [])
