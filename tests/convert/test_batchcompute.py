"""Alibaba BatchCompute semantics: both dialects, inverted Dependencies, fan-out, OSS, ECI (FORMATS.md 1.11)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from askflow.errors import AskflowError
from tests.convert.support import (
    codes,
    convert,
    crd_problems,
    entries,
    graph,
    lint_findings,
    template_of,
    templates_by_name,
    write_json,
)

IMAGE = "registry.cn-hangzhou.aliyuncs.com/team/count:2.0"


def task(command: str = "python count.py", **extra: Any) -> dict[str, Any]:
    return {"Parameters": {"Command": {"CommandLine": command, "PackagePath": "",
                                       "Docker": {"Image": IMAGE}, "EnvVars": {"STAGE": "1"}},
                           "StdoutRedirectPath": "oss://bucket/logs/", "StderrRedirectPath": "oss://bucket/logs/"},
            "InstanceCount": 1, "MaxRetryCount": 0, "Timeout": 600, **extra}


def job(tasks: dict[str, Any], dependencies: dict[str, list[str]], **extra: Any) -> dict[str, Any]:
    return {"Name": "log-count", "Type": "DAG", "Priority": 0, "JobFailOnInstanceFail": True,
            "DAG": {"Tasks": tasks, "Dependencies": dependencies}, **extra}


def test_dependencies_are_inverted_fan_out_fan_in(tmp_path: Path) -> None:
    """The documented example: split -> count1, count2 -> merge (Dependencies list downstream tasks)."""
    tasks = {"split": task(), "count1": task(InstanceCount=3, MaxRetryCount=2), "count2": task(), "merge": task()}
    deps = {"split": ["count1", "count2"], "count1": ["merge"], "count2": ["merge"], "merge": []}
    run, out = convert(tmp_path, write_json(tmp_path, "job.json", job(tasks, deps)))
    assert run.exit_code == 0
    wt = template_of(out, "log-count")
    g = graph(wt)
    assert g.edges == {("split", "count1", "all"), ("split", "count2", "all"), ("count1", "merge", "all"),
                       ("count2", "merge", "all")}
    assert g.counts == {"count1": 3}
    assert g.retries == {"split": 0, "count1": 2, "count2": 0, "merge": 0}
    t = templates_by_name(wt)
    assert t["count1"]["container"]["command"] == ["sh", "-c"]
    assert t["count1"]["container"]["args"] == ["python count.py"]
    assert t["count1"]["container"]["image"] == IMAGE
    assert t["count1"]["activeDeadlineSeconds"] == "600"
    assert {"name": "BATCH_COMPUTE_DAG_INSTANCE_ID", "value": "{{inputs.parameters.index}}"} in t["count1"][
        "container"]["env"]
    assert {"name": "BATCH_COMPUTE_DAG_INSTANCE_ID", "value": "0"} in t["split"]["container"]["env"]
    assert t["split"]["archiveLocation"] == {"archiveLogs": True}
    assert {"DEPENDENCIES_INVERTED", "FAN_OUT", "RETRY_LIMIT", "TASK_TIMEOUT", "LOG_SPLIT_LOST"} <= codes(run)
    assert lint_findings(out) == [] and crd_problems(out) == []


def test_oss_mappings_mounts_and_eci(tmp_path: Path) -> None:
    t = task(InputMapping={"oss://data/in/": "/home/input/"},
             OutputMapping={"/home/output/": "oss://data/out/"},
             LogMapping={"/var/log/app/": "oss://data/logs/app/"},
             Mounts={"Entries": [{"Source": "nas://0a1b2c.cn-hangzhou.nas.aliyuncs.com:/share/", "Destination":
                                  "/mnt/share/", "WriteSupport": False}]},
             AutoCluster={"InstanceType": "ecs.c6.xlarge", "ResourceType": "Spot", "SpotStrategy": "SpotWithPriceLimit",
                          "SpotPriceLimit": 0.5, "ImageId": "img-ubuntu",
                          "Configs": {"Disks": {"SystemDisk": {"Size": 80, "Type": "cloud_efficiency"},
                                                "DataDisk": {"Size": 20, "MountPoint": "/data"}}}})
    t["Parameters"]["Command"]["PackagePath"] = "oss://code/pkg/worker.tar.gz"
    data = job({"count": t}, {}, Priority=99, Description="count logs", AutoRelease=True,
               Notification={"Topic": {"Name": "jobs", "Events": ["OnJobFailed"]}})
    run, out = convert(tmp_path, write_json(tmp_path, "job.json", data))
    wt = template_of(out, "log-count")
    leaf = templates_by_name(wt)["count"]
    endpoint = "{{workflow.parameters.oss-endpoint}}"
    assert leaf["inputs"]["artifacts"] == [
        {"name": "package", "path": "/batchcompute/workdir",
         "oss": {"endpoint": endpoint, "bucket": "code", "key": "pkg/worker.tar.gz", "useSDKCreds": True}},
        {"name": "input-1", "path": "/home/input/",
         "oss": {"endpoint": endpoint, "bucket": "data", "key": "in", "useSDKCreds": True}}]
    assert [a["name"] for a in leaf["outputs"]["artifacts"]] == ["output-0", "log-0"]
    assert leaf["outputs"]["artifacts"][0]["archive"] == {"none": {}}
    assert leaf["container"]["workingDir"] == "/batchcompute/workdir"
    assert leaf["metadata"]["annotations"] == {
        "k8s.aliyun.com/eci-extra-ephemeral-storage": "70Gi",  # (80 - 30) + 20
        "k8s.aliyun.com/eci-spot-price-limit": "0.5",
        "k8s.aliyun.com/eci-spot-strategy": "SpotWithPriceLimit",
        "k8s.aliyun.com/eci-use-specs": "ecs.c6.xlarge"}
    assert leaf["container"]["resources"]["requests"] == {"cpu": "4", "memory": "8Gi"}  # c6.xlarge
    nfs = next(v for v in leaf["volumes"] if "nfs" in v)
    assert nfs["nfs"] == {"server": "0a1b2c.cn-hangzhou.nas.aliyuncs.com", "path": "/share/", "readOnly": True}
    assert wt["spec"]["ttlStrategy"] == {"secondsAfterSuccess": 0}
    assert wt["metadata"]["annotations"]["workflows.argoproj.io/description"] == "count logs"
    assert {"INPUT_MAPPING_COPIED", "OUTPUT_MAPPING_ARTIFACT", "PACKAGE_ARTIFACT", "NAS_MOUNT_NFS",
            "INSTANCE_TYPE_TO_ECI", "SPOT_TO_ECI", "SYSTEM_DISK_TO_EPHEMERAL", "PRIORITY_ON_SUBMIT",
            "NOTIFICATION_REWRITE", "AUTO_RELEASE_TTL", "OSS_ENDPOINT_PARAMETER", "IMAGE_MAPPED"} <= codes(run)
    assert run.exit_code == 0  # a dropped notification is reported, the job still converts
    assert lint_findings(out) == [] and crd_problems(out) == []


def depends_true(expression: str, results: dict[str, str]) -> bool:
    """Evaluate a ``depends`` expression given each task's result (enhanced depends logic: ``task.Result``
    is true when the task ended with that result; a bare ``task`` is Succeeded, Skipped or Daemoned)."""
    def operand(m: re.Match[str]) -> str:
        task, result = m.group(1), m.group(2)
        wanted = {result} if result else {"Succeeded", "Skipped", "Daemoned"}
        return str(results[task] in wanted)

    py = re.sub(r"\b([a-z][a-z0-9-]*)(?:\.([A-Z][A-Za-z]+))?", operand, expression)
    py = py.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
    return bool(eval(py, {"__builtins__": {}}, {}))  # noqa: S307 - test helper over converter output


def test_job_fail_on_instance_fail_false(tmp_path: Path) -> None:
    data = job({"a": task(), "b": task()}, {"a": ["b"]}, JobFailOnInstanceFail=False)
    run, out = convert(tmp_path, write_json(tmp_path, "job.json", data))
    main = templates_by_name(template_of(out, "log-count"))["main"]["dag"]["tasks"]
    depends = main[1]["depends"]
    # b runs however a ends: each terminal result of Argo's enhanced depends logic
    for result in ("Succeeded", "Failed", "Errored"):
        assert depends_true(depends, {"a": result}), (depends, result)
    assert not depends_true(depends, {"a": "Omitted"})  # a never ran (its own dependencies failed)
    assert "FAIL_ON_INSTANCE_FAIL" in codes(run)
    assert lint_findings(out) == []


def test_docker_image_from_env_and_oss_registry(tmp_path: Path) -> None:
    a = task()
    del a["Parameters"]["Command"]["Docker"]
    a["Parameters"]["Command"]["EnvVars"] = {"BATCH_COMPUTE_DOCKER_IMAGE": "localhost:5000/count",
                                             "BATCH_COMPUTE_DOCKER_REGISTRY_OSS_PATH": "oss://reg/images"}
    run, out = convert(tmp_path, write_json(tmp_path, "job.json", job({"a": a}, {})))
    leaf = templates_by_name(template_of(out, "log-count"))["a"]
    assert leaf["container"]["image"] == "{{workflow.parameters.a-image}}"
    names = {e["name"] for e in leaf["container"]["env"]}
    assert not names & {"BATCH_COMPUTE_DOCKER_IMAGE", "BATCH_COMPUTE_DOCKER_REGISTRY_OSS_PATH"}
    assert "OSS_REGISTRY_IMAGE" in codes(run)


def test_legacy_dialect(tmp_path: Path) -> None:
    legacy = {"JobName": "Old Job", "JobTag": "x", "Priority": 1, "TaskDag": {
        "TaskDescMap": {
            "Split": {"InstanceCount": 1, "PackageUri": "oss://b/p.tar.gz", "ProgramName": "split.py",
                      "ProgramType": "python", "ProgramArguments": "--n 4", "ImageId": "img-1",
                      "ResourceDescription": {"Cpu": 200, "Memory": 4000}, "Timeout": 100},
            "Count": {"InstanceCount": 4, "PackageUri": "oss://b/p.tar.gz", "ProgramName": "count.sh",
                      "ProgramType": "shell", "ImageId": "img-1", "Timeout": 100}},
        "Dependencies": {"Split": ["Count"]}}}
    run, out = convert(tmp_path, write_json(tmp_path, "legacy.json", legacy))
    wt = template_of(out, "old-job")
    g = graph(wt)
    assert g.edges == {("split", "count", "all")} and g.counts == {"count": 4}
    t = templates_by_name(wt)
    assert t["split"]["container"]["args"] == ["python split.py --n 4"]
    assert t["count"]["container"]["args"] == ["sh count.sh"]
    assert t["split"]["container"]["resources"]["requests"] == {"cpu": "2", "memory": "4000Mi"}
    assert {"LEGACY_DIALECT", "LEGACY_PROGRAM", "RESOURCE_UNITS_APPROXIMATED", "NEEDS_CONTAINER_IMAGE",
            "NAME_SANITIZED"} <= codes(run)
    assert lint_findings(out) == [] and crd_problems(out) == []


def test_app_job_is_not_converted(tmp_path: Path) -> None:
    app = {"Name": "app-job", "Type": "App", "App": {"AppName": "bwa", "Inputs": {}}}
    run, out = convert(tmp_path, write_json(tmp_path, "app.json", app))
    assert run.exit_code == 1 and not run.results[0].converted
    assert [e.code for e in entries(run, "UNSUPPORTED_APP_JOB")] == ["UNSUPPORTED_APP_JOB"]
    assert not out.exists()


@pytest.mark.parametrize(("data", "message"), [
    (job({"a": task()}, {"a": ["missing"]}), "DAG.Dependencies.a: names downstream task 'missing'"),
    (job({"a": task()}, {"ghost": ["a"]}), "DAG.Dependencies.ghost: names task 'ghost'"),
    (job({"a": task(), "b": task()}, {"a": ["b"], "b": ["a"]}), "dependency cycle: a -> b -> a"),
    (job({"a": task()}, {"a": "b"}), "DAG.Dependencies.a: expected a list of downstream task names"),
    (job({}, {}), "DAG.Tasks: a job needs at least one task"),
    (job({"a": {"Parameters": {"Command": {}}}}, {}), "DAG.Tasks.a.Parameters.Command.CommandLine: is required"),
    (job({"a": task(InstanceCount=0)}, {}), "DAG.Tasks.a.InstanceCount: must be at least 1"),
])
def test_malformed_jobs(tmp_path: Path, data: dict[str, Any], message: str) -> None:
    path = write_json(tmp_path, "job.json", data)
    with pytest.raises(AskflowError) as err:
        convert(tmp_path, path)
    assert err.value.line().startswith(str(path)) and message in err.value.line()
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("env", "found"), [
    ({"A": float("nan")}, "expected a string, found the number NaN"),
    ({"A": float("-inf")}, "found the number -Infinity"),
    ({"A": {"x": 1}}, "expected a string, found a mapping"),
])
def test_env_vars_not_coerced_from_nan_or_objects(tmp_path: Path, env: dict[str, Any], found: str) -> None:
    t = task()
    t["Parameters"]["Command"]["EnvVars"] = env
    path = write_json(tmp_path, "job.json", job({"a": t}, {}))
    with pytest.raises(AskflowError) as err:
        convert(tmp_path, path)
    assert err.value.line().startswith(f"{path}: DAG.Tasks.a.Parameters.Command.EnvVars.A: ") and found in \
        err.value.line(), err.value.line()


def test_env_vars_numbers_and_booleans_become_strings(tmp_path: Path) -> None:
    """BatchCompute's SDK coerces EnvVars values to strings (FORMATS.md 1.5): finite numbers and booleans convert."""
    t = task()
    t["Parameters"]["Command"]["EnvVars"] = {"N": 3, "F": True}
    _, out = convert(tmp_path, write_json(tmp_path, "job.json", job({"a": t}, {})))
    env = {e["name"]: e["value"] for e in templates_by_name(template_of(out, "log-count"))["a"]["container"]["env"]}
    assert env["N"] == "3" and env["F"] == "true"


def test_mapping_paths_are_strings(tmp_path: Path) -> None:
    path = write_json(tmp_path, "job.json", job({"a": task(OutputMapping={"/out/": 5})}, {}))
    with pytest.raises(AskflowError) as err:
        convert(tmp_path, path)
    assert "DAG.Tasks.a.OutputMapping./out/: expected a string, found the integer 5" in err.value.line()
