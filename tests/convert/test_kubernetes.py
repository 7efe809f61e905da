"""Kubernetes Job and CronJob semantics (FORMATS.md 3.4), and the resource-template alternative."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from askflow import yamlio
from askflow.errors import AskflowError
from tests.convert.support import (
    codes,
    convert,
    crd_problems,
    evaluate,
    graph,
    lint_findings,
    template_of,
    templates_by_name,
    write_yaml,
)

IMAGE = "docker.io/library/python:3.12-slim"


def job_doc(name: str = "batch", **spec: Any) -> dict[str, Any]:
    pod = spec.pop("pod", {})
    containers = pod.pop("containers", [{"name": "main", "image": IMAGE, "command": ["python", "-c", "print(1)"],
                                         "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}])
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": containers, **pod}}, **spec}}


def test_single_pod_job(tmp_path: Path) -> None:
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", job_doc(backoffLimit=2, activeDeadlineSeconds=300)))
    wt = template_of(out, "batch")
    leaf = templates_by_name(wt)["batch"]
    assert leaf["container"] == {"image": IMAGE, "command": ["python", "-c", "print(1)"],
                                 "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}
    assert leaf["retryStrategy"]["limit"] == "2"  # one pod: the job-wide budget is exact
    assert leaf["retryStrategy"]["backoff"] == {"duration": "10s", "factor": "2", "cap": "6m"}
    assert wt["spec"]["activeDeadlineSeconds"] == 300
    assert graph(wt).counts == {}
    assert {"RETRY_LIMIT", "DEADLINE_MAPPED", "SERVICE_ACCOUNT_DEFAULTED", "RESOURCE_TEMPLATE_OFFERED"} <= codes(run)
    assert "RETRY_COUNT_SEMANTICS" not in codes(run)
    assert lint_findings(out) == [] and crd_problems(out) == []


def test_work_queue_job(tmp_path: Path) -> None:
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", job_doc(parallelism=4)))
    g = graph(template_of(out, "batch"))
    assert g.counts == {"batch": 4} and g.parallelism == {}
    assert {"WORK_QUEUE_SEMANTICS", "RETRY_COUNT_SEMANTICS"} <= codes(run)


def test_indexed_job_sets_the_index_everywhere(tmp_path: Path) -> None:
    init = {"name": "fetch", "image": "docker.io/library/busybox:1.36", "command": ["sh", "-c", "true"]}
    doc = job_doc(completions=6, parallelism=2, completionMode="Indexed", pod={"initContainers": [init]})
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", doc))
    wt = template_of(out, "batch")
    leaf = templates_by_name(wt)["batch"]
    index = {"name": "JOB_COMPLETION_INDEX", "value": "{{inputs.parameters.index}}"}
    assert index in leaf["container"]["env"] and index in leaf["initContainers"][0]["env"]
    # the init container does not enlarge the pod: it gets the main container's requests
    assert leaf["initContainers"][0]["resources"] == {"requests": {"cpu": "1", "memory": "1Gi"}}
    g = graph(wt)
    assert g.counts == {"batch": 6} and g.parallelism == {"batch": 2}
    assert lint_findings(out) == [] and crd_problems(out) == []


def test_pod_failure_policy(tmp_path: Path) -> None:
    doc = job_doc(completions=3, backoffLimit=5, podFailurePolicy={"rules": [
        {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}]},
        {"action": "FailJob", "onExitCodes": {"operator": "NotIn", "values": [0, 1, 2]}},
        {"action": "Count", "onExitCodes": {"operator": "In", "values": [2]}}]})
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", doc))
    expression = templates_by_name(template_of(out, "batch"))["batch"]["retryStrategy"]["expression"]
    assert evaluate(expression, "-1", "Error")  # disruption: retried
    assert not evaluate(expression, "9")  # FailJob for codes outside 0, 1, 2
    assert evaluate(expression, "2") and evaluate(expression, "1")  # counted failures are retried
    assert {"RETRY_EXIT_CODES", "POD_FAILURE_POLICY_APPROXIMATED", "RETRY_REASON_APPROXIMATED"} <= codes(run)


def test_pod_fields_sidecars_and_service_account(tmp_path: Path) -> None:
    doc = job_doc(ttlSecondsAfterFinished=60, suspend=True, successPolicy={"rules": [{"succeededCount": 1}]},
                  pod={"serviceAccountName": "etl", "nodeSelector": {"disk": "ssd"},
                       "tolerations": [{"key": "k", "operator": "Exists"}], "runtimeClassName": "gvisor",
                       "imagePullSecrets": [{"name": "acr"}], "nodeName": "node-1",
                       "containers": [{"name": "main", "image": IMAGE},
                                      {"name": "proxy", "image": "docker.io/envoyproxy/envoy:v1.30.1"}]})
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", doc))
    wt = template_of(out, "batch")
    leaf = templates_by_name(wt)["batch"]
    assert wt["spec"]["serviceAccountName"] == "etl"
    assert wt["spec"]["imagePullSecrets"] == [{"name": "acr"}]
    assert wt["spec"]["ttlStrategy"] == {"secondsAfterCompletion": 60, "secondsAfterSuccess": 60, "secondsAfterFailure": 60}
    assert wt["spec"]["suspend"] is True
    assert leaf["nodeSelector"] == {"disk": "ssd"} and leaf["tolerations"] == [{"key": "k", "operator": "Exists"}]
    assert leaf["podSpecPatch"] == '{"runtimeClassName":"gvisor"}'
    assert [s["name"] for s in leaf["sidecars"]] == ["proxy"]
    assert leaf["sidecars"][0]["resources"]["requests"] == {"cpu": "250m", "memory": "256Mi"}
    assert leaf["container"]["resources"]["requests"] == {"cpu": "2", "memory": "4Gi"}  # ECI default, reported
    assert {"SERVICE_ACCOUNT_MAPPED", "MULTI_CONTAINER_SIDECARS", "TTL_MAPPED", "SUSPEND_APPROXIMATED",
            "UNSUPPORTED_SUCCESS_POLICY", "RESOURCES_DEFAULTED", "DROPPED_FIELD"} <= codes(run)
    assert run.exit_code == 0
    assert lint_findings(out) == [] and crd_problems(out) == []


def test_default_service_account_is_replaced(tmp_path: Path) -> None:
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", job_doc(pod={"serviceAccountName": "default"})))
    assert template_of(out, "batch")["spec"]["serviceAccountName"] == "argo-workflow"
    assert "SERVICE_ACCOUNT_DEFAULTED" in codes(run)


def cron_doc(**spec: Any) -> dict[str, Any]:
    job = job_doc()
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly"},
            "spec": {"schedule": "0 2 * * *", "jobTemplate": {"metadata": {"labels": {"team": "a"}},
                                                              "spec": job["spec"]}, **spec}}


def test_cronjob(tmp_path: Path) -> None:
    doc = cron_doc(timeZone="Asia/Shanghai", concurrencyPolicy="Forbid", startingDeadlineSeconds=120,
                   successfulJobsHistoryLimit=5, failedJobsHistoryLimit=2, suspend=False)
    run, out = convert(tmp_path, write_yaml(tmp_path, "cron.yaml", doc))
    cron = yamlio.load_file(out / "nightly" / "cron-nightly.yaml")
    assert cron["spec"] == {
        "schedules": ["0 2 * * *"], "timezone": "Asia/Shanghai", "concurrencyPolicy": "Forbid",
        "startingDeadlineSeconds": 120, "suspend": False, "successfulJobsHistoryLimit": 5,
        "failedJobsHistoryLimit": 2, "workflowMetadata": {"labels": {"team": "a"}},
        "workflowSpec": {"workflowTemplateRef": {"name": "nightly-v1"}}}
    assert "CRON_DEADLINE_DEFAULT" not in codes(run)
    assert lint_findings(out) == [] and crd_problems(out) == []


def test_cron_tz_prefix(tmp_path: Path) -> None:
    run, out = convert(tmp_path, write_yaml(tmp_path, "cron.yaml", cron_doc(schedule="CRON_TZ=Europe/Oslo @daily")))
    spec = yamlio.load_file(out / "nightly" / "cron-nightly.yaml")["spec"]
    assert (spec["schedules"], spec["timezone"]) == (["@daily"], "Europe/Oslo")


def test_resource_template_alternative_runs_the_job_unchanged(tmp_path: Path) -> None:
    doc = job_doc(completions=4, backoffLimit=3, successPolicy={"rules": [{"succeededCount": 2}]})
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", doc))
    report = (out / "batch" / "v1.migration.md").read_text()
    block = re.search(r"## Alternative: run the Job unchanged.*?```yaml\n(.*?)```", report, re.S)
    assert block is not None
    (template,) = yamlio.loads(block.group(1))
    resource = template["resource"]
    assert (resource["action"], resource["setOwnerReference"]) == ("create", True)
    assert resource["successCondition"] == "status.succeeded > 3"
    assert resource["failureCondition"] == "status.failed > 3"
    job = yamlio.loads(resource["manifest"])
    assert job["kind"] == "Job" and job["spec"] == doc["spec"]  # every field kept, successPolicy included
    # the snippet is a valid template: put it in a WorkflowTemplate and lint it
    wt = {"apiVersion": "argoproj.io/v1alpha1", "kind": "WorkflowTemplate", "metadata": {"name": "x"},
          "spec": {"entrypoint": "run-job", "templates": [template]}}
    from askflow.lint import lint_documents

    assert [f for f in lint_documents([("x.yaml", 0, wt)]) if f.severity == "error"] == []


def test_list_and_multi_document_files(tmp_path: Path) -> None:
    lst = {"apiVersion": "v1", "kind": "List", "items": [job_doc("one"), job_doc("two")]}
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    run, out = convert(tmp_path, write_yaml(tmp_path, "list.yaml", lst),
                       write_yaml(tmp_path, "multi.yaml", config, job_doc("three")))
    assert sorted(r.plan.name for r in run.results) == ["one", "three", "two"]
    assert run.results[0].plan.source.path == "items[0]"


@pytest.mark.parametrize(("doc", "message"), [
    (cron_doc(schedule="61 * * * *"), "spec.schedule: '61 * * * *' is not a 5-field cron schedule"),
    (cron_doc(timeZone="Mars/Olympus"), "spec.timeZone: unknown time zone 'Mars/Olympus'"),
    (cron_doc(concurrencyPolicy="Sometimes"), "spec.concurrencyPolicy: unknown concurrencyPolicy"),
    (job_doc(completionMode="Indexed"), "spec.completions: completionMode Indexed needs completions"),
    (job_doc(pod={"containers": []}), "spec.template.spec.containers: a pod needs at least one container"),
    ({"apiVersion": "batch/v1", "kind": "Job", "metadata": {}, "spec": {}}, "metadata.name: is required"),
])
def test_malformed_kubernetes(tmp_path: Path, doc: dict[str, Any], message: str) -> None:
    with pytest.raises(AskflowError) as err:
        convert(tmp_path, write_yaml(tmp_path, "bad.yaml", doc))
    assert message in err.value.line()


def test_automount_token_false_is_dropped_with_a_report_line(tmp_path: Path) -> None:
    """Argo rejects a template with automountServiceAccountToken false and no executor.serviceAccountName
    (workflow validation: "executor.serviceAccountName must not be empty if automountServiceAccountToken is
    false"), so the converted template must not carry it."""
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", job_doc(pod={"automountServiceAccountToken": False})))
    wt = template_of(out, "batch")
    assert all("automountServiceAccountToken" not in t for t in wt["spec"]["templates"])
    assert "executor" not in templates_by_name(wt)["batch"]
    assert "AUTOMOUNT_TOKEN_DROPPED" in codes(run)
    assert lint_findings(out) == [] and crd_problems(out) == []


@pytest.mark.parametrize(("text", "where", "found"), [
    ("version: 1.0", "metadata.labels.version", "expected a string, found the number 1.0; quote it"),
    ("enabled: yes", "metadata.labels.enabled", "expected a string, found the boolean true"),
    ("1: one", "metadata.labels", "has a key that is not a string (the integer 1)"),
    ("nested: {a: b}", "metadata.labels.nested", "expected a string, found a mapping"),
])
def test_labels_are_strings_not_coerced(tmp_path: Path, text: str, where: str, found: str) -> None:
    """ObjectMeta labels/annotations are map[string]string: the API server refuses an unquoted 1.0 or yes,
    and so does the converter (it used to write str(): '1.0', 'True')."""
    path = tmp_path / "job.yaml"
    doc = yamlio.dumps(job_doc()).replace("metadata:\n  name: batch\n", f"metadata:\n  name: batch\n  labels:\n"
                                          f"    {text}\n")
    path.write_text(doc, encoding="utf-8")
    with pytest.raises(AskflowError) as err:
        convert(tmp_path, path)
    assert err.value.line().startswith(f"{path}: {where}: ") and found in err.value.line(), err.value.line()
    assert not (tmp_path / "out").exists()


INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"


@pytest.mark.parametrize(("completions", "index"), [(4, "{{inputs.parameters.index}}"), (1, "0")])
def test_indexed_job_pods_carry_the_completion_index_annotation(tmp_path: Path, completions: int,
                                                                index: str) -> None:
    """The Job controller annotates (and labels) each pod with its index; pods read it through the downward
    API, so without the annotation the converted pod would silently read an empty string."""
    container = {"name": "main", "image": IMAGE, "command": ["python", "shard.py"],
                 "env": [{"name": "SHARD", "valueFrom": {"fieldRef": {
                     "fieldPath": f"metadata.annotations['{INDEX_ANNOTATION}']"}}}],
                 "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}
    doc = job_doc(completions=completions, completionMode="Indexed",
                  pod={"containers": [container]})
    doc["spec"]["template"]["metadata"] = {"annotations": {"team": "data"}}
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", doc))
    leaf = templates_by_name(template_of(out, "batch"))["batch"]
    assert leaf["metadata"]["annotations"] == {INDEX_ANNOTATION: index, "team": "data"}
    assert leaf["metadata"]["labels"] == {INDEX_ANNOTATION: index}
    assert lint_findings(out) == [] and crd_problems(out) == []


def test_non_indexed_job_pods_get_no_index_annotation(tmp_path: Path) -> None:
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", job_doc(completions=3)))
    assert "metadata" not in templates_by_name(template_of(out, "batch"))["batch"]


def test_throttled_completions_extend_the_default_deadline(tmp_path: Path) -> None:
    """10 completions, 2 at a time, each pod up to 2 x 20000 s: 5 waves, so 200000 s, not the 24 h default."""
    doc = job_doc(completions=10, parallelism=2, backoffLimit=1, pod={"activeDeadlineSeconds": 20000})
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", doc))
    assert template_of(out, "batch")["spec"]["activeDeadlineSeconds"] == 200000
    # a pod stopped at its own deadline is a failed pod that Kubernetes replaces: no timeout guard here
    assert "expression" not in templates_by_name(template_of(out, "batch"))["batch"]["retryStrategy"]


@pytest.mark.parametrize(("pod", "path"), [
    ({"hostNetwork": True}, "spec.template.spec.hostNetwork"),
    ({"volumes": [{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}]},
     "spec.template.spec.volumes[0].hostPath"),
    ({"containers": [{"name": "main", "image": IMAGE, "securityContext": {"privileged": True}}]},
     "spec.template.spec.containers[0].securityContext.privileged"),
    ({"containers": [{"name": "main", "image": IMAGE, "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}}]},
     "spec.template.spec.containers[0].securityContext.capabilities.add"),
    ({"containers": [{"name": "main", "image": IMAGE, "ports": [{"containerPort": 80, "hostPort": 8080}]}]},
     "spec.template.spec.containers[0].ports[0].hostPort"),
])
def test_what_pod_security_baseline_refuses_is_not_converted(tmp_path: Path, pod: dict[str, Any], path: str) -> None:
    """Tenant namespaces enforce Pod Security baseline (kubernetes.io pod-security-standards): such a
    pod would be refused at creation, so the job is not converted and the report names the field."""
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", job_doc(pod=pod)))
    assert run.exit_code == 1 and not any(r.converted for r in run.results)
    assert [e.path for e in run.results[0].plan.report.entries if e.code == "POD_SECURITY_BASELINE"] == [path]


def test_allowed_capabilities_and_root_convert(tmp_path: Path) -> None:
    """Baseline lets a container add NET_BIND_SERVICE and the like; a container running as root keeps
    root under the platform's non-root pod default (runAsNonRoot false), and names its user."""
    sc = {"runAsUser": 0, "capabilities": {"add": ["NET_BIND_SERVICE", "CHOWN"]}}
    doc = job_doc(pod={"containers": [{"name": "main", "image": IMAGE, "securityContext": sc}]})
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", doc))
    assert run.exit_code == 0
    container = templates_by_name(template_of(out, "batch"))["batch"]["container"]
    # root keeps root: runAsNonRoot false, and Docker's default capabilities less NET_RAW come back
    # (the platform's container default drops them all); the job's own additions stay
    assert container["securityContext"]["runAsNonRoot"] is False
    added = set(container["securityContext"]["capabilities"]["add"])
    assert {"NET_BIND_SERVICE", "CHOWN", "SETUID", "SETGID", "DAC_OVERRIDE"} <= added and "NET_RAW" not in added
    assert "ROOT_KEPT" in codes(run)
    assert "USER_DEFAULTED" not in codes(run) and "POD_SECURITY_BASELINE" not in codes(run)
    run, _ = convert(tmp_path / "b", write_yaml(tmp_path / "b", "job.yaml", job_doc()))
    assert "USER_DEFAULTED" in codes(run)
    run, _ = convert(tmp_path / "c", write_yaml(tmp_path / "c", "job.yaml", job_doc(pod={"securityContext": {"fsGroup": 1}})))
    assert "USER_DEFAULTED" not in codes(run)  # the pod's own securityContext replaces the platform default


@pytest.mark.parametrize(("pod", "path"), [
    ({"securityContext": {"seccompProfile": {"type": "Unconfined"}}}, "spec.template.spec.securityContext.seccompProfile.type"),
    ({"securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "65536"}]}},
     "spec.template.spec.securityContext.sysctls[0]"),
    ({"containers": [{"name": "main", "image": IMAGE, "securityContext": {"procMount": "Unmasked"}}]},
     "spec.template.spec.containers[0].securityContext.procMount"),
    ({"containers": [{"name": "main", "image": IMAGE, "securityContext": {"seLinuxOptions": {"type": "spc_t"}}}]},
     "spec.template.spec.containers[0].securityContext.seLinuxOptions"),
])
def test_the_rest_of_pod_security_baseline(tmp_path: Path, pod: dict[str, Any], path: str) -> None:
    run, _ = convert(tmp_path, write_yaml(tmp_path, "job.yaml", job_doc(pod=pod)))
    assert run.exit_code == 1
    assert [e.path for e in run.results[0].plan.report.entries if e.code == "POD_SECURITY_BASELINE"] == [path]
    ok = {"securityContext": {"sysctls": [{"name": "net.ipv4.ip_local_port_range", "value": "1024 65000"}],
                              "seccompProfile": {"type": "RuntimeDefault"}}}
    run, _ = convert(tmp_path / "ok", write_yaml(tmp_path / "ok", "job.yaml", job_doc(pod=ok)))
    assert run.exit_code == 0
