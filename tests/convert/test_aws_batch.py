"""AWS Batch semantics: job definitions, retries, arrays and SubmitJob pipelines (FORMATS.md 2.7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from askflow.errors import AskflowError
from tests.convert.support import (
    codes,
    convert,
    crd_problems,
    entries,
    evaluate,
    graph,
    lint_findings,
    template_of,
    templates_by_name,
    write_json,
)

IMAGE = "registry.example.com/team/worker:1.4.2"


def definition(name: str = "worker", **extra: Any) -> dict[str, Any]:
    props = {"image": IMAGE, "command": ["run.sh", "Ref::input", "--codec", "Ref::codec"],
             "resourceRequirements": [{"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "4096"}]}
    props.update(extra.pop("props", {}))
    return {"jobDefinitionName": name, "type": "container", "parameters": {"codec": "mp4"},
            "containerProperties": props, **extra}


def leaf(wt: dict[str, Any], name: str) -> dict[str, Any]:
    return templates_by_name(wt)[name]


def test_job_definition_container(tmp_path: Path) -> None:
    d = definition(props={
        "environment": [{"name": "MODE", "value": "fast"}],
        "jobRoleArn": "arn:aws:iam::123456789012:role/Reader",
        "resourceRequirements": [{"type": "VCPU", "value": "0.5"}, {"type": "MEMORY", "value": "1024"},
                                 {"type": "GPU", "value": "1"}],
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:1:secret:db-pass-AbCdEf"}],
        "user": "1000",
        "readonlyRootFilesystem": True,
    })
    run, out = convert(tmp_path, write_json(tmp_path, "def.json", d))
    assert run.exit_code == 0
    wt = template_of(out, "worker")
    c = leaf(wt, "worker")["container"]
    assert c["image"] == IMAGE
    # command is Docker CMD: args (the image ENTRYPOINT still runs); Ref:: -> input parameters
    assert c["args"] == ["run.sh", "{{inputs.parameters.input}}", "--codec", "{{inputs.parameters.codec}}"]
    assert leaf(wt, "worker")["inputs"]["parameters"] == [{"name": "input"}, {"name": "codec", "default": "mp4"}]
    params = {p["name"]: p for p in wt["spec"]["arguments"]["parameters"]}
    assert "value" not in params["input"] and params["codec"]["value"] == "mp4"
    main = templates_by_name(wt)["main"]["dag"]["tasks"][0]
    assert main["arguments"]["parameters"] == [{"name": "input", "value": "{{workflow.parameters.input}}"},
                                               {"name": "codec", "value": "{{workflow.parameters.codec}}"}]
    assert c["resources"] == {"limits": {"memory": "1024Mi", "nvidia.com/gpu": "1"},
                              "requests": {"cpu": "500m", "memory": "1024Mi", "nvidia.com/gpu": "1"}}
    assert {"name": "MODE", "value": "fast"} in c["env"]
    assert {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db-pass", "key": "DB_PASSWORD"}}} in c["env"]
    assert c["securityContext"] == {"runAsUser": 1000, "readOnlyRootFilesystem": True}
    assert wt["spec"]["serviceAccountName"] == "argo-workflow"
    assert {"JOB_ROLE_TO_SERVICE_ACCOUNT", "GPU_INSTANCE_TYPE", "NEEDS_CLUSTER_RESOURCE", "IMAGE_MAPPED"} <= codes(run)
    assert "SERVICE_ACCOUNT_DEFAULTED" not in codes(run)
    assert lint_findings(out) == [] and crd_problems(out) == []


def test_eci_spec_from_vcpu_and_memory(tmp_path: Path) -> None:
    run, out = convert(tmp_path, write_json(tmp_path, "def.json", definition()))
    annotations = leaf(template_of(out, "worker"), "worker")["metadata"]["annotations"]
    assert annotations == {"k8s.aliyun.com/eci-use-specs": "2-4Gi"}  # exact: mapped, not rounded
    assert "ECI_SPEC_ROUNDED" not in codes(run)


@pytest.mark.parametrize(("rules", "failures"), [
    # documented recipe: retry 137 (OOM/spot kill), exit on anything else
    ([{"action": "RETRY", "onExitCode": "137"}, {"action": "EXIT", "onExitCode": "*"}],
     {"137": True, "1": False, "0": False}),
    # EXIT on 1*, retry the rest (no rule matching = retry)
    ([{"action": "exit", "onExitCode": "1*"}], {"1": False, "13": False, "2": True, "255": True}),
])
def test_evaluate_on_exit_becomes_expression(tmp_path: Path, rules: list[dict[str, str]],
                                             failures: dict[str, bool]) -> None:
    d = definition(retryStrategy={"attempts": 4, "evaluateOnExit": rules})
    run, out = convert(tmp_path, write_json(tmp_path, "def.json", d))
    strategy = leaf(template_of(out, "worker"), "worker")["retryStrategy"]
    assert strategy["limit"] == "3"  # attempts count the first run
    assert strategy["retryPolicy"] == "Always"
    for code, retried in failures.items():
        assert evaluate(strategy["expression"], code) is retried, code
    assert {"RETRY_LIMIT", "RETRY_EXIT_CODES"} <= codes(run)


def test_retry_on_reason_is_approximated(tmp_path: Path) -> None:
    d = definition(retryStrategy={"attempts": 2, "evaluateOnExit": [
        {"action": "RETRY", "onStatusReason": "Host EC2*"}, {"action": "EXIT", "onReason": "*"}]})
    run, out = convert(tmp_path, write_json(tmp_path, "def.json", d))
    expression = leaf(template_of(out, "worker"), "worker")["retryStrategy"]["expression"]
    assert evaluate(expression, "-1", "Error") and not evaluate(expression, "1", "Failed")
    assert "RETRY_REASON_APPROXIMATED" in codes(run)


def test_timeout_volumes_and_fargate(tmp_path: Path) -> None:
    d = definition(
        timeout={"attemptDurationSeconds": 600}, retryStrategy={"attempts": 3}, platformCapabilities=["FARGATE"],
        props={"volumes": [{"name": "scratch", "host": {"sourcePath": "/mnt/scratch"}},
                           {"name": "shared", "efsVolumeConfiguration": {"fileSystemId": "fs-12345678"}}],
               "mountPoints": [{"sourceVolume": "scratch", "containerPath": "/scratch"},
                               {"sourceVolume": "shared", "containerPath": "/shared", "readOnly": True}],
               "linuxParameters": {"sharedMemorySize": 256, "devices": [{"hostPath": "/dev/fuse"}]},
               "networkConfiguration": {"assignPublicIp": "ENABLED"},
               "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}]})
    run, out = convert(tmp_path, write_json(tmp_path, "def.json", d))
    wt = template_of(out, "worker")
    t = leaf(wt, "worker")
    assert t["activeDeadlineSeconds"] == "600"
    assert t["retryStrategy"]["limit"] == "2"
    assert t["volumes"] == [{"name": "scratch", "emptyDir": {}},
                            {"name": "shared", "persistentVolumeClaim": {"claimName": "nas-fs-12345678"}},
                            {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "256Mi"}}]
    assert t["container"]["volumeMounts"] == [{"name": "scratch", "mountPath": "/scratch"},
                                              {"name": "shared", "mountPath": "/shared", "readOnly": True},
                                              {"name": "dshm", "mountPath": "/dev/shm"}]
    assert t["metadata"]["annotations"]["k8s.aliyun.com/eci-with-eip"] == "true"
    # the workflow deadline covers the worst case of the attempts (3 x 600 s < the 24 h default)
    assert wt["spec"]["activeDeadlineSeconds"] == 86400
    found = codes(run)
    assert {"ATTEMPT_TIMEOUT", "TIMEOUT_NOT_RETRIED", "VOLUMES_APPROXIMATED", "NEEDS_CLUSTER_RESOURCE",
            "FARGATE_NOT_NEEDED", "PUBLIC_IP_TO_EIP", "DROPPED_FIELD"} <= found
    dropped = {e.path for e in entries(run, "DROPPED_FIELD")}
    assert {"containerProperties.ulimits", "containerProperties.linuxParameters.devices"} <= dropped
    assert lint_findings(out) == [] and crd_problems(out) == []


def test_long_attempt_timeouts_extend_the_default_deadline(tmp_path: Path) -> None:
    d = definition(timeout={"attemptDurationSeconds": 36000}, retryStrategy={"attempts": 3})
    run, out = convert(tmp_path, write_json(tmp_path, "def.json", d))
    assert template_of(out, "worker")["spec"]["activeDeadlineSeconds"] == 108000
    assert "DEADLINE_DEFAULTED" in codes(run)


def pipeline_files(tmp_path: Path, jobs: list[dict[str, Any]], *definitions: dict[str, Any]) -> list[Path]:
    files = [write_json(tmp_path, "pipeline.json", jobs)]
    files += [write_json(tmp_path, f"def-{i}.json", d) for i, d in enumerate(definitions)]
    return files


def test_pipeline_uses_definitions_and_overrides(tmp_path: Path) -> None:
    jobs = [
        {"jobName": "Prepare", "jobQueue": "Q", "jobDefinition": "prep:2", "parameters": {"input": "s3://in"}},
        {"jobName": "Work", "jobQueue": "arn:aws:batch:us-east-1:1:job-queue/Q",
         "jobDefinition": "arn:aws:batch:us-east-1:1:job-definition/worker:1",
         "arrayProperties": {"size": 4}, "dependsOn": [{"jobId": "Prepare_job_ID"}],
         "containerOverrides": {"command": ["work.sh"], "environment": [{"name": "LEVEL", "value": "9"}],
                                "resourceRequirements": [{"type": "VCPU", "value": "4"}]},
         "retryStrategy": {"attempts": 2}},
    ]
    old = definition("prep", revision=1, props={"command": ["old.sh"]})
    new = definition("prep", revision=2, props={"command": ["prep.sh", "Ref::input"]})
    queue = {"jobQueueName": "Q", "priority": 10, "computeEnvironmentOrder": []}
    run, out = convert(tmp_path, *pipeline_files(tmp_path, jobs, old, new, definition("worker"), queue),
                       name=None)
    pipeline = next(r for r in run.results if r.plan.name == "pipeline")
    assert pipeline.converted
    wt = template_of(out, "pipeline")
    t = templates_by_name(wt)
    assert t["prepare"]["container"]["args"] == ["prep.sh", "{{inputs.parameters.input}}"]  # revision 2
    main = {task["name"]: task for task in t["main"]["dag"]["tasks"]}
    assert main["prepare"]["arguments"]["parameters"] == [{"name": "input", "value": "s3://in"}]
    assert t["work"]["container"]["args"] == ["work.sh"]  # containerOverrides.command
    assert {"name": "LEVEL", "value": "9"} in t["work"]["container"]["env"]
    assert t["work"]["container"]["resources"]["requests"]["cpu"] == "4"  # overridden
    assert t["work"]["container"]["resources"]["requests"]["memory"] == "4096Mi"  # from the definition
    assert t["work"]["retryStrategy"]["limit"] == "1"  # SubmitJob retryStrategy wins
    g = graph(wt)
    assert g.edges == {("prepare", "work", "all")} and g.counts == {"work": 4}
    priorities = [e.message for e in entries(run, "PRIORITY_ON_SUBMIT")]
    assert any("queue priority 10" in m for m in priorities)
    queue_result = next(r for r in run.results if r.plan.source.kind == "job queue")
    assert not queue_result.converted and run.exit_code == 1
    assert lint_findings(out) == [] and crd_problems(out) == []


def test_n_to_n_chain_is_fused_per_index(tmp_path: Path) -> None:
    jobs = [
        {"jobName": "A", "jobQueue": "q", "jobDefinition": "worker", "arrayProperties": {"size": 8}},
        {"jobName": "B", "jobQueue": "q", "jobDefinition": "worker", "arrayProperties": {"size": 8},
         "dependsOn": [{"jobId": "A", "type": "N_TO_N"}]},
        {"jobName": "C", "jobQueue": "q", "jobDefinition": "worker", "arrayProperties": {"size": 8},
         "dependsOn": [{"jobId": "B", "type": "N_TO_N"}, {"jobId": "A", "type": "N_TO_N"}]},
        {"jobName": "D", "jobQueue": "q", "jobDefinition": "worker", "dependsOn": [{"jobId": "C"}]},
    ]
    run, out = convert(tmp_path, *pipeline_files(tmp_path, jobs, definition("worker")))
    g = graph(template_of(out, "pipeline"))
    assert g.edges == {("a", "b", "n_to_n"), ("b", "c", "n_to_n"), ("a", "c", "n_to_n"), ("c", "d", "all")}
    assert g.counts == {"a": 8, "b": 8, "c": 8}
    assert len(entries(run, "N_TO_N_FUSED")) == 3
    main = templates_by_name(template_of(out, "pipeline"))["main"]["dag"]["tasks"]
    assert [task["name"] for task in main] == ["a-b-c", "d"]  # one fan-out for the group
    assert lint_findings(out) == [] and crd_problems(out) == []


def test_n_to_n_that_cannot_be_fused_becomes_a_barrier(tmp_path: Path) -> None:
    """B waits N_TO_N for A, and also for X, which waits for A: fusing A+B would make a cycle with X."""
    jobs = [
        {"jobName": "A", "jobQueue": "q", "jobDefinition": "worker", "arrayProperties": {"size": 3}},
        {"jobName": "X", "jobQueue": "q", "jobDefinition": "worker", "dependsOn": [{"jobId": "A"}]},
        {"jobName": "B", "jobQueue": "q", "jobDefinition": "worker", "arrayProperties": {"size": 3},
         "dependsOn": [{"jobId": "A", "type": "N_TO_N"}, {"jobId": "X"}]},
    ]
    run, out = convert(tmp_path, *pipeline_files(tmp_path, jobs, definition("worker")))
    g = graph(template_of(out, "pipeline"))
    assert g.edges == {("a", "x", "all"), ("a", "b", "all"), ("x", "b", "all")}
    assert "N_TO_N_BARRIER" in codes(run) and "N_TO_N_FUSED" not in codes(run)
    assert lint_findings(out) == []


def test_multinode_definition_blocks_its_pipeline(tmp_path: Path) -> None:
    mnp = {"jobDefinitionName": "mpi", "type": "multinode", "nodeProperties": {"numNodes": 2}}
    jobs = [{"jobName": "A", "jobQueue": "q", "jobDefinition": "mpi"},
            {"jobName": "B", "jobQueue": "q", "jobDefinition": "mpi", "dependsOn": [{"jobId": "A"}]}]
    run, _ = convert(tmp_path, *pipeline_files(tmp_path, jobs, mnp))
    assert run.exit_code == 1
    assert all(not r.converted for r in run.results)
    assert "UNSUPPORTED_MULTINODE" in codes(run, "pipeline")


def test_eks_properties(tmp_path: Path) -> None:
    d = {"jobDefinitionName": "on-eks", "type": "container", "eksProperties": {"podProperties": {
        "serviceAccountName": "reader", "metadata": {"labels": {"team": "a"}},
        "containers": [{"image": IMAGE, "command": ["python"], "args": ["x.py", "Ref::day"],
                        "resources": {"limits": {"cpu": "1", "memory": "2Gi"}}}]}}}
    run, out = convert(tmp_path, write_json(tmp_path, "eks.json", d))
    wt = template_of(out, "on-eks")
    t = leaf(wt, "on-eks")
    assert wt["spec"]["serviceAccountName"] == "reader"
    assert t["container"]["args"] == ["x.py", "{{inputs.parameters.day}}"]
    assert t["container"]["resources"]["requests"] == {"cpu": "1", "memory": "2Gi"}  # requests default to limits
    assert t["metadata"] == {"labels": {"team": "a"}}
    assert lint_findings(out) == [] and crd_problems(out) == []


@pytest.mark.parametrize(("jobs", "message"), [
    ([{"jobName": "A", "jobQueue": "q", "jobDefinition": "d", "dependsOn": [{"jobId": "Nope_job_ID"}]}],
     "'Nope_job_ID' names no job of this pipeline"),
    ([{"jobName": "A", "jobQueue": "q", "jobDefinition": "d", "dependsOn": [{"jobId": "B"}]},
      {"jobName": "B", "jobQueue": "q", "jobDefinition": "d", "dependsOn": [{"jobId": "A"}]}],
     "dependency cycle: A -> B -> A"),
    ([{"jobName": "A", "jobQueue": "q", "jobDefinition": "d", "arrayProperties": {"size": 2}},
      {"jobName": "B", "jobQueue": "q", "jobDefinition": "d", "arrayProperties": {"size": 3},
       "dependsOn": [{"jobId": "A", "type": "N_TO_N"}]}], "N_TO_N needs arrays of the same size"),
    ([{"jobName": "A", "jobQueue": "q", "jobDefinition": "d", "dependsOn": [{"type": "SEQUENTIAL"}]}],
     "SEQUENTIAL applies to array jobs"),
    ([{"jobName": "A", "jobQueue": "q", "jobDefinition": "d", "arrayProperties": {"size": 1}}],
     "an array job has 2-10000 children"),
])
def test_malformed_pipelines(tmp_path: Path, jobs: list[dict[str, Any]], message: str) -> None:
    path = write_json(tmp_path, "pipeline.json", jobs)
    with pytest.raises(AskflowError) as err:
        convert(tmp_path, path)
    assert message in err.value.line() and str(path) in err.value.line()
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("d", "message"), [
    (definition(retryStrategy={"attempts": 2, "evaluateOnExit": [{"action": "MAYBE", "onExitCode": "1"}]}),
     "retryStrategy.evaluateOnExit[0].action: unknown action"),
    (definition(props={"mountPoints": [{"sourceVolume": "gone", "containerPath": "/x"}]}),
     "containerProperties.mountPoints[0].sourceVolume: names volume 'gone'"),
    (definition(retryStrategy={"attempts": 11}), "retryStrategy.attempts: must be 1-10"),
    ({"jobDefinitionName": "x", "type": "container"}, "containerProperties: is required"),
])
def test_malformed_definitions(tmp_path: Path, d: dict[str, Any], message: str) -> None:
    with pytest.raises(AskflowError) as err:
        convert(tmp_path, write_json(tmp_path, "def.json", d))
    assert message in err.value.line()


def test_missing_definition_with_ref_in_command_override_lints(tmp_path: Path) -> None:
    """Ref::x in a command override of a job whose definition is not an input still declares input x."""
    jobs = [{"jobName": "Echo", "jobQueue": "q", "jobDefinition": "elsewhere:3",
             "containerOverrides": {"command": ["echo", "Ref::msg"]}}]
    run, out = convert(tmp_path, write_json(tmp_path, "pipeline.json", jobs))
    wt = template_of(out, "echo")
    t = leaf(wt, "echo")
    assert t["container"]["args"] == ["echo", "{{inputs.parameters.msg}}"]
    assert {"name": "msg"} in t["inputs"]["parameters"]
    assert "JOB_DEFINITION_NOT_FOUND" in codes(run)
    assert lint_findings(out) == []


def test_two_n_to_n_groups_that_cannot_be_fused(tmp_path: Path) -> None:
    """Two independent A/X/B shapes: each N_TO_N group closes its own cycle, so both become barriers."""
    jobs: list[dict[str, Any]] = []
    for s in ("1", "2"):
        jobs += [
            {"jobName": f"A{s}", "jobQueue": "q", "jobDefinition": "worker", "arrayProperties": {"size": 3}},
            {"jobName": f"X{s}", "jobQueue": "q", "jobDefinition": "worker", "dependsOn": [{"jobId": f"A{s}"}]},
            {"jobName": f"B{s}", "jobQueue": "q", "jobDefinition": "worker", "arrayProperties": {"size": 3},
             "dependsOn": [{"jobId": f"A{s}", "type": "N_TO_N"}, {"jobId": f"X{s}"}]},
        ]
    run, out = convert(tmp_path, *pipeline_files(tmp_path, jobs, definition("worker")))
    g = graph(template_of(out, "pipeline"))
    assert g.edges == {(f"{a}{s}", f"{b}{s}", "all") for s in "12" for a, b in (("a", "x"), ("a", "b"), ("x", "b"))}
    assert len(entries(run, "N_TO_N_BARRIER")) == 2 and "N_TO_N_FUSED" not in codes(run)
    assert lint_findings(out) == []


@pytest.mark.parametrize(("value", "gpus", "default"), [("1", "1", "ecs.gn6i-c4g1.xlarge"), ("0.5", "1",
                                                        "ecs.gn6i-c4g1.xlarge"), ("2", "2", None)])
def test_gpu_job_gets_an_eci_gpu_spec_parameter(tmp_path: Path, value: str, gpus: str, default: str | None) -> None:
    """ECI schedules a GPU pod only on a GPU instance type named in k8s.aliyun.com/eci-use-specs."""
    d = definition(props={"resourceRequirements": [{"type": "VCPU", "value": "4"}, {"type": "MEMORY",
                                                                                     "value": "8192"},
                                                    {"type": "GPU", "value": value}]})
    run, out = convert(tmp_path, write_json(tmp_path, "def.json", d))
    wt = template_of(out, "worker")
    t = leaf(wt, "worker")
    assert t["container"]["resources"]["limits"]["nvidia.com/gpu"] == gpus
    assert t["metadata"]["annotations"]["k8s.aliyun.com/eci-use-specs"] == \
        "{{workflow.parameters.worker-gpu-instance-type}}"
    param = {p["name"]: p for p in wt["spec"]["arguments"]["parameters"]}["worker-gpu-instance-type"]
    assert param.get("value") == default and "GPU instance type" in param["description"]
    assert "GPU_SPEC_PARAMETER" in codes(run)
    assert ("GPU_ROUNDED_UP" in codes(run)) == (value == "0.5")
    assert lint_findings(out) == [] and crd_problems(out) == []


@pytest.mark.parametrize(("size", "large"), [(1000, False), (1001, True), (10000, True)])
def test_large_fan_out_recommends_node_status_offload(tmp_path: Path, size: int, large: bool) -> None:
    jobs = [{"jobName": "Many", "jobQueue": "q", "jobDefinition": "worker", "arrayProperties": {"size": size}}]
    run, out = convert(tmp_path, *pipeline_files(tmp_path, jobs, definition("worker")))
    assert graph(template_of(out, "many")).counts == {"many": size}
    found = entries(run, "LARGE_FAN_OUT")
    assert bool(found) is large
    assert all("nodeStatusOffLoad" in e.message and str(size) in e.message for e in found)


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A definition with ``value`` at ``path`` (mappings on the way are created)."""
    d = definition(props={"environment": [{"name": "MODE", "value": "fast"}]})
    node: Any = d
    for part in path[:-1]:
        node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
    node[path[-1]] = value
    return d


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(("d", "where", "found"), [
    # AWS Batch types these as strings (RegisterJobDefinition): never their Python str()
    (_with(("containerProperties", "environment", 0, "value"), {"x": 1}), "containerProperties.environment[0].value",
     "expected a string, found a mapping"),
    (_with(("containerProperties", "environment", 0, "value"), 4), "containerProperties.environment[0].value",
     "expected a string, found the integer 4; quote it"),
    (_with(("containerProperties", "environment", 0, "value"), True), "containerProperties.environment[0].value",
     "found the boolean true"),
    (_with(("containerProperties", "environment", 0, "value"), INF), "containerProperties.environment[0].value",
     "found the number Infinity"),
    (_with(("containerProperties", "command", 0), NAN), "containerProperties.command[0]",
     "expected a string, found the number NaN"),
    (_with(("containerProperties", "command", 1), 60), "containerProperties.command[1]",
     "expected a string, found the integer 60"),
    (_with(("containerProperties", "command", 0), {}), "containerProperties.command[0]",
     "expected a string, found a mapping"),
    (_with(("parameters", "codec"), 5), "parameters.codec", "expected a string, found the integer 5"),
    (_with(("parameters", "codec"), NAN), "parameters.codec", "found the number NaN"),
    (_with(("containerProperties", "resourceRequirements", 0, "value"), 2),
     "containerProperties.resourceRequirements[0].value", 'expected a number as a string (e.g. "2")'),
    (_with(("containerProperties", "resourceRequirements", 0, "value"), NAN),
     "containerProperties.resourceRequirements[0].value", "found the number NaN"),
    (_with(("platformCapabilities",), [True]), "platformCapabilities[0]", "expected a string"),
    (_with(("containerProperties", "networkConfiguration", "assignPublicIp"), True),
     "containerProperties.networkConfiguration.assignPublicIp", "expected ENABLED or DISABLED, found the boolean"),
    (_with(("containerProperties", "runtimePlatform", "cpuArchitecture"), 64),
     "containerProperties.runtimePlatform.cpuArchitecture", "expected a string"),
    (_with(("containerProperties", "repositoryCredentials", "credentialsParameter"), ["arn"]),
     "containerProperties.repositoryCredentials.credentialsParameter", "expected a string, found a list"),
    (_with(("containerProperties", "volumes"), [{"name": "v", "host": {"sourcePath": 1}}]),
     "containerProperties.volumes[0].host.sourcePath", "expected a string"),
    # ... and these as integers or booleans: not a quoted one, not NaN
    (_with(("schedulingPriority",), NAN), "schedulingPriority", "expected an integer, found the number NaN"),
    (_with(("timeout", "attemptDurationSeconds"), "60"), "timeout.attemptDurationSeconds",
     "expected an integer, found the string '60'; write the number without quotes"),
    (_with(("retryStrategy", "attempts"), "3"), "retryStrategy.attempts", "found the string '3'"),
    (_with(("containerProperties", "privileged"), "true"), "containerProperties.privileged",
     "expected true or false, found the string 'true'; write it without quotes"),
    (_with(("containerProperties", "vcpus"), "2"), "containerProperties.vcpus", "found the string '2'"),
    (_with(("revision",), "2"), "revision", "expected an integer"),
])
def test_wrong_types_are_errors_not_coerced(tmp_path: Path, d: dict[str, Any], where: str, found: str) -> None:
    path = write_json(tmp_path, "def.json", d)
    with pytest.raises(AskflowError) as err:
        convert(tmp_path, path)
    assert err.value.line().startswith(f"{path}: {where}: ") and found in err.value.line(), err.value.line()
    assert not (tmp_path / "out").exists()


def test_wrong_types_in_overrides_and_eks_metadata(tmp_path: Path) -> None:
    jobs = [{"jobName": "A", "jobQueue": "q", "jobDefinition": "d",
             "containerOverrides": {"environment": [{"name": "N", "value": 1.5}]}}]
    path = write_json(tmp_path, "pipeline.json", jobs)
    with pytest.raises(AskflowError) as err:
        convert(tmp_path, path)
    assert err.value.line().startswith(f"{path}: [0].containerOverrides.environment[0].value: expected a string")
    eks = {"jobDefinitionName": "on-eks", "type": "container", "eksProperties": {"podProperties": {
        "metadata": {"labels": {"tier": 2}}, "containers": [{"image": IMAGE}]}}}
    path = write_json(tmp_path, "eks.json", eks)
    with pytest.raises(AskflowError) as err:
        convert(tmp_path, path)
    assert err.value.line().startswith(f"{path}: eksProperties.podProperties.metadata.labels.tier: expected a string")


def test_string_values_still_convert(tmp_path: Path) -> None:
    """The valid spellings of the fields above convert as before (an absent or null env value is empty)."""
    d = definition(props={"environment": [{"name": "A", "value": "4"}, {"name": "B"}, {"name": "C", "value": None}],
                          "networkConfiguration": {"assignPublicIp": "DISABLED"}, "privileged": False},
                   timeout={"attemptDurationSeconds": 60}, platformCapabilities=["EC2"], schedulingPriority=5)
    _, out = convert(tmp_path, write_json(tmp_path, "def.json", d))
    c = leaf(template_of(out, "worker"), "worker")["container"]
    assert c["env"] == [{"name": "A", "value": "4"}, {"name": "B", "value": ""}, {"name": "C", "value": ""}]
    assert c["args"] == ["run.sh", "{{inputs.parameters.input}}", "--codec", "{{inputs.parameters.codec}}"]


DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline"


@pytest.mark.parametrize("rules", [[], [{"action": "RETRY", "onExitCode": "137"}, {"action": "EXIT", "onExitCode": "*"}]])
def test_a_timed_out_attempt_is_not_retried(tmp_path: Path, rules: list[dict[str, str]]) -> None:
    """AWS Batch never retries an attempt stopped by attemptDurationSeconds (job_retries / FORMATS.md 2.3);
    Kubernetes fails a pod past its activeDeadlineSeconds with DEADLINE_MESSAGE, which Argo keeps as the
    node message, so the expression must not retry it whatever evaluateOnExit says."""
    strategy: dict[str, Any] = {"attempts": 3, **({"evaluateOnExit": rules} if rules else {})}
    d = definition(timeout={"attemptDurationSeconds": 600}, retryStrategy=strategy)
    run, out = convert(tmp_path, write_json(tmp_path, "def.json", d))
    t = leaf(template_of(out, "worker"), "worker")
    assert t["activeDeadlineSeconds"] == "600" and t["retryStrategy"]["limit"] == "2"
    expression = t["retryStrategy"]["expression"]
    assert not evaluate(expression, "137", "Failed", DEADLINE_MESSAGE)
    assert not evaluate(expression, "-1", "Failed", DEADLINE_MESSAGE)
    # A genuine failure late in the attempt is still retried (Argo's node duration includes start-up).
    assert evaluate(expression, "137", "Failed", "Error (exit code 137)", duration="612.5")
    if not rules:
        assert evaluate(expression, "1") and evaluate(expression, "-1", "Error", "pod deleted")
    else:
        assert not evaluate(expression, "1")
    assert "TIMEOUT_NOT_RETRIED" in codes(run)
    assert lint_findings(out) == [] and crd_problems(out) == []


def test_without_a_timeout_retries_are_not_guarded(tmp_path: Path) -> None:
    run, out = convert(tmp_path, write_json(tmp_path, "def.json", definition(retryStrategy={"attempts": 2})))
    assert "expression" not in leaf(template_of(out, "worker"), "worker")["retryStrategy"]
    assert "TIMEOUT_NOT_RETRIED" not in codes(run)


#: Docker's default capabilities less NET_RAW, which Pod Security baseline refuses (kubernetes.io
#: pod-security-standards "Capabilities"; moby's oci/caps/defaults.go).
ROOT_CAPABILITIES = sorted({"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                            "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"})


@pytest.mark.parametrize(("user", "context", "approximated"), [
    # root is uid 0 on every image: exact, not the image's default user; runAsNonRoot false lets it run
    # under the platform's non-root pod default (argo.workflow_pods_non_root)
    ("root", {"runAsUser": 0, "runAsNonRoot": False, "capabilities": {"add": ROOT_CAPABILITIES}}, False),
    ("root:root", {"runAsUser": 0, "runAsGroup": 0, "runAsNonRoot": False, "capabilities": {"add": ROOT_CAPABILITIES}},
     False),
    ("1000:100", {"runAsUser": 1000, "runAsGroup": 100}, False),
    ("1000:staff", {"runAsUser": 1000}, True),  # the uid is kept; only the named group is dropped
    ("appuser", None, True),
])
def test_user_becomes_run_as_user(tmp_path: Path, user: str, context: dict[str, int] | None,
                                  approximated: bool) -> None:
    run, out = convert(tmp_path, write_json(tmp_path, "def.json", definition(props={"user": user})))
    assert leaf(template_of(out, "worker"), "worker")["container"].get("securityContext") == context
    assert ("USER_NOT_NUMERIC" in codes(run)) is approximated


def test_efs_root_directory_is_mounted_through_sub_path(tmp_path: Path) -> None:
    """The container sees efsVolumeConfiguration.rootDirectory at containerPath, not the file system's root."""
    d = definition(props={
        "volumes": [{"name": "ref", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "rootDirectory": "/genomes/hg38/"}},
                    {"name": "ap", "efsVolumeConfiguration": {"fileSystemId": "fs-2", "rootDirectory": "/",
                                                              "authorizationConfig": {"accessPointId": "fsap-9"}}}],
        "mountPoints": [{"sourceVolume": "ref", "containerPath": "/ref", "readOnly": True},
                        {"sourceVolume": "ap", "containerPath": "/ap"}]})
    run, out = convert(tmp_path, write_json(tmp_path, "def.json", d))
    mounts = leaf(template_of(out, "worker"), "worker")["container"]["volumeMounts"]
    assert mounts == [{"name": "ref", "mountPath": "/ref", "subPath": "genomes/hg38", "readOnly": True},
                      {"name": "ap", "mountPath": "/ap"}]
    # an access point picks its own root, which the definition does not say: reported, not guessed
    assert [e.path for e in entries(run, "VOLUMES_APPROXIMATED")] == [
        "containerProperties.volumes[1].efsVolumeConfiguration.authorizationConfig.accessPointId"]
    assert lint_findings(out) == [] and crd_problems(out) == []


def test_sequential_children_extend_the_default_deadline(tmp_path: Path) -> None:
    """SEQUENTIAL children run one after another: the default deadline covers all of them."""
    jobs = [{"jobName": "steps", "jobQueue": "q", "jobDefinition": "worker", "arrayProperties": {"size": 10},
             "dependsOn": [{"type": "SEQUENTIAL"}]}]
    d = definition(timeout={"attemptDurationSeconds": 36000})
    run, out = convert(tmp_path, *pipeline_files(tmp_path, jobs, d))
    assert template_of(out, "steps")["spec"]["activeDeadlineSeconds"] == 360000


def test_secret_json_key_is_named_in_the_report(tmp_path: Path) -> None:
    """``secret-arn:json-key::`` injects one field of a JSON secret: the report must say which, or the
    Kubernetes Secret gets the whole JSON document and the variable changes value."""
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf:password::"
    d = definition(props={"secrets": [{"name": "DB_PASSWORD", "valueFrom": arn},
                                      {"name": "TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/app/token"}]})
    run, out = convert(tmp_path, write_json(tmp_path, "def.json", d))
    env = leaf(template_of(out, "worker"), "worker")["container"]["env"]
    assert {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "prod-db", "key": "DB_PASSWORD"}}} in env
    assert not any("value" in e for e in env if e["name"] in ("DB_PASSWORD", "TOKEN"))  # never inlined
    messages = {e.path: e.message for e in entries(run, "NEEDS_CLUSTER_RESOURCE")}
    assert "JSON key 'password'" in messages["containerProperties.secrets[0]"]
    assert "JSON key" not in messages["containerProperties.secrets[1]"]


def test_a_privileged_job_is_not_converted(tmp_path: Path) -> None:
    """Tenant namespaces enforce Pod Security baseline, which refuses privileged containers: the job
    would never start, so it is not converted (exit 1, nothing written for it) and the report says why."""
    run, out = convert(tmp_path, write_json(tmp_path, "def.json", definition(props={"privileged": True})))
    assert run.exit_code == 1 and not any(r.converted for r in run.results)
    assert [e.path for e in entries(run, "POD_SECURITY_BASELINE")] == ["containerProperties.privileged"]
    assert not list(out.rglob("v*.yaml"))


def test_a_job_without_a_user_is_told_it_runs_non_root(tmp_path: Path) -> None:
    run, _ = convert(tmp_path, write_json(tmp_path, "def.json", definition()))
    assert "USER_DEFAULTED" in codes(run)
    run, _ = convert(tmp_path / "b", write_json(tmp_path / "b", "def.json", definition(props={"user": "1000"})))
    assert "USER_DEFAULTED" not in codes(run)
