"""Argo's semantics on small documents: variable scopes, references across documents, severities.

The expectations restate Argo's validator (workflow/validate/validate.go, LINT-CHECKS.md 21, 29,
36), including its quirks, so that a template Argo accepts is not an error here either.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from askflow.lint import ERROR, WARNING, lint_documents

RESOURCES = {"requests": {"cpu": "100m", "memory": "64Mi"}}


def leaf(name: str, *args: str, inputs: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    tmpl: dict[str, Any] = {
        "name": name,
        "container": {"image": "alpine:3.20", "args": list(args), "resources": RESOURCES},
    }
    if inputs:
        tmpl["inputs"] = {"parameters": [{"name": n} for n in inputs]}
    tmpl.update(extra)
    return tmpl


def workflow(
    *templates: dict[str, Any], kind: str = "Workflow", name: str = "t", **spec: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "serviceAccountName": "workflow",
        "activeDeadlineSeconds": 600,
        "templates": list(templates),
    }
    if templates and kind == "Workflow":
        body["entrypoint"] = templates[0]["name"]
    body.update(spec)
    meta: dict[str, Any] = {"name": name}
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": kind, "metadata": meta, "spec": body}


def errors(*docs: dict[str, Any], **kwargs: Any) -> list[tuple[str, str, str]]:
    findings = lint_documents([("f.yaml", i, d) for i, d in enumerate(docs)], **kwargs)
    return [(f.rule, f.path, f.message) for f in findings if f.severity == ERROR]


def unresolved(*docs: dict[str, Any], **kwargs: Any) -> list[str]:
    return [
        m.rsplit("failed to resolve ", 1)[1]
        for r, _, m in errors(*docs, **kwargs)
        if r == "unresolved-variable"
    ]


def steps(name: str, *groups: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"name": name, "steps": [list(g) for g in groups], **extra}


def call(name: str, template: str, **params: str) -> dict[str, Any]:
    step: dict[str, Any] = {"name": name, "template": template}
    if params:
        step["arguments"] = {"parameters": [{"name": k, "value": v} for k, v in params.items()]}
    return step


def test_expression_tags_and_unchecked_prefixes_are_never_errors() -> None:
    doc = workflow(
        leaf(
            "main",
            "{{=inputs.parameters.nope + 1}}",
            "{{= sprig.trim(workflow.name) }}",
            "{{item}}",
            "{{retries}}",
            "{{lastRetry.status}}",
            "{{duration}}",
            "{{custom.thing}}",
        )
    )
    assert errors(doc) == []


def test_runtime_only_variables_are_exempt() -> None:
    doc = workflow(
        leaf(
            "main",
            "{{workflow.creationTimestamp.Y}}",
            "{{workflow.scheduledTime}}",
            "{{workflow.duration}}",
            "{{node.name}}",
            "{{outputs.parameters.x.path}}",
            "{{pod.name}}",
            "{{workflow.uid}}",
            "{{workflow.mainEntrypoint}}",
            "{{workflow.status}}",
        )
    )
    assert errors(doc) == []


def test_checked_prefixes_must_resolve() -> None:
    doc = workflow(
        leaf("main", "{{inputs.parameters.nope}}", "{{workflow.nope}}", "{{item.key}}", "{{steps.a.id}}")
    )
    assert sorted(unresolved(doc)) == [
        "{{inputs.parameters.nope}}",
        "{{item.key}}",
        "{{steps.a.id}}",
        "{{workflow.nope}}",
    ]


def test_pod_name_only_where_a_pod_runs() -> None:
    doc = workflow(steps("main", [call("a", "echo", m="{{pod.name}}")]), leaf("echo", inputs=["m"]))
    assert unresolved(doc) == ["{{pod.name}}"]


def test_workflow_parameters_labels_and_annotations() -> None:
    doc = workflow(
        leaf(
            "main",
            "{{workflow.parameters.p}}",
            "{{workflow.parameters.json}}",
            "{{workflow.labels.team}}",
            "{{workflow.annotations.example.io/owner}}",
            "{{workflow.labels.json}}",
            "{{workflow.parameters.q}}",
            "{{workflow.labels.other}}",
        ),
        arguments={"parameters": [{"name": "p", "value": "1"}]},
    )
    doc["metadata"]["labels"] = {"team": "data"}
    doc["metadata"]["annotations"] = {"example.io/owner": "me"}
    assert unresolved(doc) == ["{{workflow.parameters.q}}", "{{workflow.labels.other}}"]


def test_a_workflow_template_alone_takes_any_workflow_parameter() -> None:
    tmpl = workflow(leaf("main", "{{workflow.parameters.anything}}"), kind="WorkflowTemplate")
    assert errors(tmpl) == []
    assert unresolved(workflow(leaf("main", "{{workflow.parameters.anything}}"))) == [
        "{{workflow.parameters.anything}}"
    ]


def test_steps_see_earlier_steps_only() -> None:
    doc = workflow(
        steps(
            "main",
            [
                call("a", "echo", m="{{steps.b.outputs.result}}"),
                call("b", "echo", m="{{steps.a.outputs.result}}"),
            ],
            [call("c", "echo", m="{{steps.a.outputs.result}} {{steps.c.status}} {{steps.d.status}}")],
            [call("d", "echo", m="x")],
        ),
        leaf("echo", "{{inputs.parameters.m}}", inputs=["m"]),
    )
    # b sees a (same group, an Argo quirk), c sees its own status; a cannot see b, c cannot see d
    assert unresolved(doc) == ["{{steps.b.outputs.result}}", "{{steps.d.status}}"]


def test_loops_put_items_in_scope() -> None:
    doc = workflow(
        steps(
            "main",
            [
                {
                    **call("a", "echo", m="{{item.name}} {{item.size}}"),
                    "withItems": [{"name": "x", "size": "1"}],
                }
            ],
            [{**call("b", "echo", m="{{item.anything}}"), "withParam": "{{steps.a.outputs.result}}"}],
            [{**call("c", "echo", m="{{steps.a.outputs.parameters}}"), "withSequence": {"count": "2"}}],
        ),
        leaf("echo", "{{inputs.parameters.m}}", inputs=["m"]),
    )
    assert errors(doc) == []
    bad = workflow(
        steps("main", [{**call("a", "echo", m="{{item.nope}}"), "withItems": [{"name": "x"}]}]),
        leaf("echo", inputs=["m"]),
    )
    assert unresolved(bad) == ["{{item.nope}}"]


def test_dag_tasks_see_ancestors_status_but_any_tasks_outputs() -> None:
    dag = {
        "name": "main",
        "dag": {
            "tasks": [
                call("a", "echo", m="x"),
                call("b", "echo", m="x"),
                {**call("c", "echo", m="{{tasks.a.outputs.result}} {{tasks.b.status}}"), "depends": "b"},
                {**call("d", "echo", m="{{tasks.a.status}}"), "depends": "c"},
            ]
        },
    }
    doc = workflow(dag, leaf("echo", "{{inputs.parameters.m}}", inputs=["m"]))
    # a's outputs are in the shared DAG scope (Argo adds every task's outputs); its status only for descendants
    assert unresolved(doc) == ["{{tasks.a.status}}"]


def test_global_outputs_flow_to_later_steps_and_exit_handler() -> None:
    producer = leaf(
        "produce",
        outputs={"parameters": [{"name": "v", "globalName": "shared", "valueFrom": {"path": "/tmp/v"}}]},
    )
    doc = workflow(
        steps(
            "main", [call("p", "produce")], [call("c", "echo", m="{{workflow.outputs.parameters.shared}}")]
        ),
        producer,
        leaf("echo", "{{inputs.parameters.m}}", inputs=["m"]),
        steps("exit", [call("r", "echo", m="{{workflow.failures}} {{workflow.outputs.parameters.shared}}")]),
        onExit="exit",
    )
    assert errors(doc) == []
    no_exit = workflow(
        steps("main", [call("r", "echo", m="{{workflow.failures}}")]), leaf("echo", inputs=["m"])
    )
    assert unresolved(no_exit) == ["{{workflow.failures}}"]


def test_templates_in_other_documents_are_checked_in_the_callers_context() -> None:
    library = workflow(leaf("print", "{{workflow.parameters.message}}"), kind="WorkflowTemplate", name="lib")
    caller = workflow(steps("main", [{"name": "s", "templateRef": {"name": "lib", "template": "print"}}]))
    found = errors(library, caller)
    assert [(r, p) for r, p, _ in found] == [("unresolved-variable", "spec.templates[0].steps[0][0]")]
    assert "template lib/print" in found[0][2]
    fixed = copy.deepcopy(caller)
    fixed["spec"]["arguments"] = {"parameters": [{"name": "message", "value": "hi"}]}
    assert errors(library, fixed) == []


def test_problems_inside_another_documents_template_are_reported_there_only() -> None:
    library = workflow(leaf("print", "{{inputs.parameters.nope}}"), kind="WorkflowTemplate", name="lib")
    caller = workflow(steps("main", [{"name": "s", "templateRef": {"name": "lib", "template": "print"}}]))
    findings = lint_documents([("lib.yaml", 0, library), ("caller.yaml", 0, caller)])
    assert [(f.file, f.rule) for f in findings if f.severity == ERROR] == [
        ("lib.yaml", "unresolved-variable")
    ]


def test_extra_templates_resolve_references_but_are_not_reported() -> None:
    broken_lib = workflow(leaf("print", "{{inputs.parameters.nope}}"), kind="WorkflowTemplate", name="lib-v1")
    del broken_lib["spec"]["serviceAccountName"]
    caller = workflow(steps("main", [{"name": "s", "templateRef": {"name": "lib-v1", "template": "main"}}]))
    assert [r for r, _, _ in errors(caller)] == ["undefined-workflow-template"]
    found = lint_documents([("caller.yaml", 0, caller)], extra_templates=[broken_lib])
    assert {f.file for f in found} <= {"caller.yaml"}
    assert [f.rule for f in found if f.severity == ERROR] == ["undefined-template"]  # lib-v1 has no "main"


def test_workflow_template_ref_merges_arguments() -> None:
    tmpl = workflow(
        leaf("main", "{{workflow.parameters.p}}"),
        kind="WorkflowTemplate",
        name="submittable",
        entrypoint="main",
        arguments={"parameters": [{"name": "p", "value": "1"}]},
    )
    wf = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"generateName": "w-"},
        "spec": {"workflowTemplateRef": {"name": "submittable"}},
    }
    assert errors(tmpl, wf) == []


def test_cron_workflow_arguments_need_values() -> None:
    cron = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "CronWorkflow",
        "metadata": {"name": "nightly"},
        "spec": {
            "schedules": ["0 2 * * *"],
            "timezone": "Asia/Shanghai",
            "workflowSpec": workflow(
                leaf("main", "{{workflow.parameters.day}} {{workflow.scheduledTime}}"),
                arguments={"parameters": [{"name": "day", "value": "1"}]},
            )["spec"],
        },
    }
    assert errors(cron) == []
    del cron["spec"]["workflowSpec"]["arguments"]["parameters"][0]["value"]
    assert [r for r, _, _ in errors(cron)] == ["argument-value"]


@pytest.mark.parametrize("strict", [False, True])
def test_severity_of_platform_rules(strict: bool) -> None:
    doc = workflow(leaf("main"))
    doc["spec"]["templates"][0]["container"]["image"] = "alpine"
    findings = lint_documents([("f.yaml", 0, doc)], strict=strict)
    assert [(f.rule, f.severity) for f in findings] == [("unpinned-image", ERROR if strict else WARNING)]


def test_findings_are_sorted_and_deterministic() -> None:
    templates = [leaf(f"t{i}", "{{inputs.parameters.x}}") for i in range(12)]
    doc = workflow(*templates)
    first = lint_documents([("f.yaml", 0, doc)])
    again = lint_documents([("f.yaml", 0, copy.deepcopy(doc))])
    assert first == again
    assert [f.path for f in first] == [f"spec.templates[{i}].container.args[0]" for i in range(12)]


def test_documents_without_kind_or_of_other_kinds_are_skipped() -> None:
    docs = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "b"}},
        {"just": "data"},
        ["a", "list"],
        "text",
    ]
    assert lint_documents([("f.yaml", i, d) for i, d in enumerate(docs)]) == []


def test_a_workflow_argument_without_value_does_not_supply_the_entrypoint_input() -> None:
    # argoproj/argo-workflows#1619 (wontfix): `argo lint` accepts spec.arguments without a value,
    # but common.ProcessArgs then overwrites the entrypoint's input with nothing, default or not.
    for inputs in ([{"name": "a"}], [{"name": "a", "default": "x"}]):
        main = leaf("main", "{{inputs.parameters.a}}")
        main["inputs"] = {"parameters": inputs}
        doc = workflow(main, arguments={"parameters": [{"name": "a"}]})
        assert errors(doc) == [
            ("missing-input", "spec.entrypoint", "templates.main inputs.parameters.a was not supplied")
        ]
        doc["spec"]["arguments"]["parameters"][0]["value"] = "1"
        assert errors(doc) == []
    # at a step the argument itself is the error (argument-value), reported once
    doc = workflow(
        steps("main", [{"name": "s", "template": "echo", "arguments": {"parameters": [{"name": "a"}]}}]),
        leaf("echo", "{{inputs.parameters.a}}", inputs=["a"]),
    )
    assert [r for r, _, _ in errors(doc)] == ["argument-value"]


def test_from_expression_alone_is_not_an_argument_artifact_source() -> None:
    # validateArgumentsValues: `art.From == "" && !art.HasLocationOrKey()`; fromExpression is for
    # the outputs of steps and dag templates (examples/conditional-artifacts.yaml).
    produce = leaf("produce", outputs={"artifacts": [{"name": "o", "path": "/tmp/o"}]})
    consume = leaf("consume")
    consume["inputs"] = {"artifacts": [{"name": "x", "path": "/tmp/x"}]}
    arg = {"name": "x", "fromExpression": "steps.p.outputs.artifacts.o"}
    doc = workflow(
        steps(
            "main",
            [call("p", "produce")],
            [{"name": "c", "template": "consume", "arguments": {"artifacts": [arg]}}],
        ),
        produce,
        consume,
    )
    assert errors(doc) == [
        (
            "artifact-location",
            "spec.templates[0].steps[1][0].arguments.artifacts[0]",
            "templates.main.steps[1].c.arguments.x.from, artifact location, or key is required",
        )
    ]
    arg["from"] = "{{steps.p.outputs.artifacts.o}}"
    del arg["fromExpression"]
    assert errors(doc) == []


def test_an_invalid_retry_policy_is_one_finding_however_often_the_template_is_called() -> None:
    bad = leaf("work", retryStrategy={"limit": "2", "retryPolicy": "Sometimes"})
    doc = workflow(steps("main", [call("a", "work")], [call("b", "work")]), bad)
    assert errors(doc) == [
        (
            "retry-policy",
            "spec.templates[1].retryStrategy.retryPolicy",
            "templates.main.steps[0].a Sometimes is not a valid RetryPolicy",
        )
    ]



def test_root_user_needs_run_as_non_root_false() -> None:
    """The platform's workflowDefaults set runAsNonRoot: true. A workflow-level securityContext is
    merged with it (strategic merge) and a container inherits its pod's, so uid 0 there is refused
    by the kubelet unless runAsNonRoot: false is beside it; a template's own pod securityContext
    replaces the default whole."""
    def rules(doc: dict[str, Any]) -> list[tuple[str, str]]:
        return [(f.rule, f.path) for f in lint_documents([("f.yaml", 0, doc)]) if f.rule == "root-user"]

    doc = workflow(leaf("main"))
    doc["spec"]["securityContext"] = {"runAsUser": 0}
    assert rules(doc) == [("root-user", "spec.securityContext")]
    doc["spec"]["securityContext"]["runAsNonRoot"] = False
    assert rules(doc) == []

    doc = workflow(leaf("main"))
    doc["spec"]["templates"][0]["container"]["securityContext"] = {"runAsUser": 0}
    assert rules(doc) == [("root-user", "spec.templates[0].container.securityContext")]
    doc["spec"]["templates"][0]["container"]["securityContext"]["runAsNonRoot"] = False
    assert rules(doc) == []
    del doc["spec"]["templates"][0]["container"]["securityContext"]["runAsNonRoot"]
    doc["spec"]["templates"][0]["securityContext"] = {"fsGroup": 100}  # replaces the platform default
    assert rules(doc) == []


def test_pod_security_baseline_paths_and_what_it_allows() -> None:
    """Each refused field is reported at its path; what baseline allows (its capabilities, safe
    sysctls, RuntimeDefault seccomp) is not."""
    def found(doc: dict[str, Any]) -> list[str]:
        return [f.path for f in lint_documents([("f.yaml", 0, doc)]) if f.rule == "pod-security-baseline"]

    doc = workflow(leaf("main"))
    doc["spec"]["hostNetwork"] = True
    doc["spec"]["templates"][0]["container"]["ports"] = [{"containerPort": 80, "hostPort": 80}]
    doc["spec"]["templates"][0]["securityContext"] = {"seccompProfile": {"type": "Unconfined"}}
    assert found(doc) == ["spec.hostNetwork", "spec.templates[0].container.ports[0].hostPort",
                          "spec.templates[0].securityContext.seccompProfile.type"]
    ok = workflow(leaf("main"))
    ok["spec"]["templates"][0]["container"]["securityContext"] = {"capabilities": {"add": ["NET_BIND_SERVICE"]}}
    ok["spec"]["templates"][0]["securityContext"] = {"seccompProfile": {"type": "RuntimeDefault"},
                                                     "sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}]}
    assert found(ok) == []



def test_pod_security_baseline_reaches_defaults_patches_and_annotations_not_unused_things() -> None:
    """What reaches a pod is checked (templateDefaults, podSpecPatch, AppArmor annotations); what does
    not (an unmounted workflow volume, a workflow securityContext every template replaces) is not."""
    def found(doc: dict[str, Any]) -> list[str]:
        return [f.path for f in lint_documents([("f.yaml", 0, doc)]) if f.rule == "pod-security-baseline"]

    doc = workflow(leaf("main"))
    doc["spec"]["templateDefaults"] = {"container": {"securityContext": {"privileged": True}}}
    doc["spec"]["templates"][0]["podSpecPatch"] = '{"hostPID": true}'
    doc["spec"]["templates"][0]["metadata"] = {
        "annotations": {"container.apparmor.security.beta.kubernetes.io/main": "unconfined"}}
    assert found(doc) == [
        "spec.templateDefaults.container.securityContext.privileged",
        "spec.templates[0].metadata.annotations.container.apparmor.security.beta.kubernetes.io/main",
        "spec.templates[0].podSpecPatch",
    ]
    doc = workflow(leaf("main"))
    doc["spec"]["volumes"] = [{"name": "unused", "hostPath": {"path": "/"}}]
    doc["spec"]["securityContext"] = {"seccompProfile": {"type": "Unconfined"}}
    doc["spec"]["templates"][0]["securityContext"] = {"runAsUser": 1000}  # replaces the workflow's
    doc["spec"]["templates"][0]["securityContext"]["sysctls"] = [{"name": "net.ipv4.tcp_rmem", "value": "4096 87380 6291456"}]
    assert found(doc) == []


@pytest.mark.parametrize("bad", [{"ports": 5}, {"securityContext": {"capabilities": {"add": 5}}},
                                 {"securityContext": {"capabilities": {"add": "SYS_ADMIN"}}}])
def test_pod_security_baseline_on_malformed_values_is_no_crash(bad: dict[str, Any]) -> None:
    """A value of the wrong type is the structure check's finding, not a traceback."""
    doc = workflow(leaf("main"))
    doc["spec"]["templates"][0]["container"].update(bad)
    findings = lint_documents([("f.yaml", 0, doc)])
    assert "invalid-type" in {f.rule for f in findings}
    assert "pod-security-baseline" not in {f.rule for f in findings}
