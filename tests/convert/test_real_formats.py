"""What real job files hold (issue 16): GPU Jobs from other clouds, native sidecars, Kueue labels,
CloudFormation and Terraform job definitions, DescribeJobs output, and reports of large runs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from askflow import yamlio
from askflow.errors import AskflowError
from tests.conftest import shared_path
from tests.convert.support import (
    codes,
    convert,
    crd_problems,
    entries,
    lint_findings,
    template_of,
    templates_by_name,
    write_json,
    write_yaml,
)

IMAGE = "docker.io/library/python:3.12-slim"


def _gpu_job() -> dict[str, Any]:
    # the shape of a GKE GPU Job: unquoted quantities, a probe port, a GKE node label
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "gpu-train"}, "spec": {"template": {"spec": {
        "restartPolicy": "Never",
        "nodeSelector": {"cloud.google.com/gke-accelerator": "nvidia-tesla-t4", "disk": "ssd"},
        "containers": [{"name": "train", "image": IMAGE, "resources": {"limits": {"cpu": 1, "memory": "4Gi",
                                                                                  "nvidia.com/gpu": 1}},
                        "livenessProbe": {"tcpSocket": {"port": 10258}}}]}}}}


def test_quantities_are_text_and_ports_stay_numbers(tmp_path: Path) -> None:
    """Argo's JSON schema types resource.Quantity as a string; a port number stays an integer, because a
    quoted port is a port *name* to Kubernetes (IntOrString), which must contain a letter."""
    _, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", _gpu_job()))
    leaf = templates_by_name(template_of(out, "gpu-train"))["gpu-train"]
    assert leaf["container"]["resources"] == {"limits": {"cpu": "1", "memory": "4Gi", "nvidia.com/gpu": "1"},
                                              "requests": {"cpu": "1", "memory": "4Gi"}}
    assert leaf["container"]["livenessProbe"]["tcpSocket"]["port"] == 10258
    schema = json.loads(shared_path("argo", "v4.1.2", "schema.json").read_text())
    assert schema["definitions"]["io.k8s.apimachinery.pkg.api.resource.Quantity"]["type"] == "string"
    assert crd_problems(out) == [] and lint_findings(out) == []


def test_port_numbers_stay_integers_and_port_names_stay_strings(tmp_path: Path) -> None:
    """A probe port is an IntOrString. The v4.1.2 CRDs (what the API server checks) take an integer or a
    string (x-kubernetes-int-or-string); Kubernetes reads a string as a port *name*, which must contain a
    letter (apimachinery validation.IsValidPortName), so quoting 10258 would break the pod. Argo's
    schema.json types IntOrString as a bare string, which is its generator's simplification, not the API."""
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "probed"}, "spec": {"template": {"spec": {
        "restartPolicy": "Never",
        "containers": [{"name": "probed", "image": IMAGE,
                        "resources": {"requests": {"cpu": "1", "memory": "1Gi"}},
                        "ports": [{"name": "metrics", "containerPort": 9090}, {"containerPort": 10258}],
                        "livenessProbe": {"tcpSocket": {"port": 10258}},
                        "readinessProbe": {"httpGet": {"path": "/ready", "port": "metrics"}},
                        "startupProbe": {"grpc": {"port": 9091}}}]}}}}
    _, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", job))
    container = templates_by_name(template_of(out, "probed"))["probed"]["container"]
    assert container["livenessProbe"]["tcpSocket"]["port"] == 10258
    assert container["readinessProbe"]["httpGet"]["port"] == "metrics"
    assert container["startupProbe"]["grpc"]["port"] == 9091
    assert container["ports"] == [{"name": "metrics", "containerPort": 9090}, {"containerPort": 10258}]
    assert crd_problems(out) == [] and lint_findings(out) == []
    crd = yamlio.load_file(shared_path("argo", "v4.1.2", "crds", "argoproj.io_workflowtemplates.yaml"))
    port = _find_key(crd, "tcpSocket")["properties"]["port"]
    assert port["x-kubernetes-int-or-string"] is True and port["anyOf"] == [{"type": "integer"}, {"type": "string"}]
    # and what a quoted number would be to the CRD: a string, accepted as a name Kubernetes then refuses
    written = (out / "probed" / "v1.yaml").read_text()
    assert "port: 10258" in written and "port: '10258'" not in written and 'port: "10258"' not in written


def _find_key(tree: Any, key: str) -> Any:
    """The first value of ``key`` anywhere in ``tree`` (depth first)."""
    if isinstance(tree, dict):
        if key in tree:
            return tree[key]
        children: list[Any] = list(tree.values())
    elif isinstance(tree, list):
        children = tree
    else:
        return None
    for child in children:
        found = _find_key(child, key)
        if found is not None:
            return found
    return None


def test_a_job_gpu_gets_an_eci_gpu_instance_type_and_foreign_node_labels_are_reported(tmp_path: Path) -> None:
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", _gpu_job()))
    wt = template_of(out, "gpu-train")
    leaf = templates_by_name(wt)["gpu-train"]
    assert leaf["metadata"]["annotations"]["k8s.aliyun.com/eci-use-specs"] == (
        "{{workflow.parameters.gpu-train-gpu-instance-type}}")
    params = {p["name"]: p for p in wt["spec"]["arguments"]["parameters"]}
    assert params["gpu-train-gpu-instance-type"]["value"] == "ecs.gn6i-c4g1.xlarge"
    assert {"GPU_INSTANCE_TYPE", "GPU_SPEC_PARAMETER", "NODE_SELECTOR_DROPPED"} <= codes(run)
    assert leaf["nodeSelector"] == {"disk": "ssd"}  # only the other cloud's label is not carried over
    (dropped,) = entries(run, "NODE_SELECTOR_DROPPED")
    assert "cloud.google.com/gke-accelerator=nvidia-tesla-t4" in dropped.message
    assert not any("gke-accelerator" in e.message for e in run.results[0].plan.report.entries
                   if e.code == "POD_TEMPLATE_MAPPED")


def test_a_pod_that_names_its_eci_instance_type_keeps_it(tmp_path: Path) -> None:
    job = _gpu_job()
    job["spec"]["template"]["metadata"] = {"annotations": {"k8s.aliyun.com/eci-use-specs": "ecs.gn7i-c8g1.2xlarge"}}
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", job))
    leaf = templates_by_name(template_of(out, "gpu-train"))["gpu-train"]
    assert leaf["metadata"]["annotations"]["k8s.aliyun.com/eci-use-specs"] == "ecs.gn7i-c8g1.2xlarge"
    assert "GPU_SPEC_PARAMETER" not in codes(run)


def test_native_sidecars_add_to_the_pod_and_init_containers_do_not(tmp_path: Path) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "myjob"}, "spec": {"template": {"spec": {
        "restartPolicy": "Never",
        "initContainers": [{"name": "logshipper", "image": IMAGE, "restartPolicy": "Always"},
                           {"name": "setup", "image": IMAGE}],
        "containers": [{"name": "myjob", "image": IMAGE,
                        "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}]}}}}
    run, out = convert(tmp_path, write_yaml(tmp_path, "job.yaml", job))
    leaf = templates_by_name(template_of(out, "myjob"))["myjob"]
    sidecar, setup = leaf["initContainers"]
    assert sidecar["restartPolicy"] == "Always"
    assert sidecar["resources"]["requests"] == {"cpu": "250m", "memory": "256Mi"}  # not the main container's
    assert setup["resources"]["requests"] == {"cpu": "1", "memory": "1Gi"}  # runs first: does not size the pod up
    (note,) = entries(run, "NATIVE_SIDECAR")
    assert "'logshipper'" in note.message and "cpu 1.25 and memory 1280Mi" in note.message
    assert lint_findings(out) == [] and crd_problems(out) == []


def test_run_the_job_unchanged_keeps_its_labels(tmp_path: Path) -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job",
           "metadata": {"generateName": "sample-job-", "labels": {"kueue.x-k8s.io/queue-name": "user-queue"}},
           "spec": {"suspend": True, "template": {"spec": {"restartPolicy": "Never", "containers": [
               {"name": "dummy", "image": IMAGE, "resources": {"requests": {"cpu": 1, "memory": "200Mi"}}}]}}}}
    convert(tmp_path, write_yaml(tmp_path, "job.yaml", job))
    report = (tmp_path / "out" / "sample-job" / "v1.migration.md").read_text()
    block = report.split("## Alternative: run the Job unchanged", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    manifest = yamlio.loads(yamlio.loads(block)[0]["resource"]["manifest"])
    assert manifest["metadata"]["labels"] == {"kueue.x-k8s.io/queue-name": "user-queue"}
    assert manifest["spec"]["suspend"] is True


CLOUDFORMATION = """\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  LicenseKey: {Type: String}
Resources:
  Queue:
    Type: AWS::Batch::JobQueue
    Properties: {Priority: 1, ComputeEnvironmentOrder: [{Order: 1, ComputeEnvironment: !Ref Env}]}
  ScenarioJob:
    Type: AWS::Batch::JobDefinition
    Properties:
      Type: container
      JobDefinitionName: volatility-scenario-batch
      Parameters: {portfolio: default-portfolio}
      ContainerProperties:
        Image: !Sub "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/processor:1.4.2"
        Command: [python, process.py, "Ref::portfolio"]
        Memory: 8192
        Vcpus: 4
        JobRoleArn: !GetAtt BatchJobRole.Arn
        Environment:
          - Name: LICENSE_KEY
            Value: !Ref LicenseKey
      RetryStrategy: {Attempts: 3}
"""


def test_cloudformation_job_definitions_convert(tmp_path: Path) -> None:
    path = tmp_path / "in" / "stack.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(CLOUDFORMATION)
    run, out = convert(tmp_path, path)
    assert [r.plan.name for r in run.results] == ["volatility-scenario-batch"] and run.exit_code == 0
    leaf = templates_by_name(template_of(out, "volatility-scenario-batch"))["volatility-scenario-batch"]
    assert leaf["container"]["resources"]["requests"] == {"cpu": "4", "memory": "8192Mi"}
    assert {"name": "LICENSE_KEY", "value": "${LicenseKey}"} in leaf["container"]["env"]
    said = {e.path: e.message for e in entries(run, "CLOUDFORMATION_EXPRESSION")}
    assert said == {
        "Resources.ScenarioJob.Properties.ContainerProperties.Image":
            "!Sub -> ${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/processor:1.4.2: resolved when the "
            "stack deploys; replace the text with the deployed value",
        "Resources.ScenarioJob.Properties.ContainerProperties.JobRoleArn":
            "!GetAtt -> ${BatchJobRole.Arn}: resolved when the stack deploys; replace the text with the deployed value",
        "Resources.ScenarioJob.Properties.ContainerProperties.Environment[0].Value":
            "!Ref -> ${LicenseKey}: resolved when the stack deploys; replace the text with the deployed value",
    }
    assert "RETRY_LIMIT" in codes(run) and lint_findings(out) == []
    # every entry names the path as the template spells it (PascalCase; Parameters keys as written)
    paths = {e.path for r in run.results for e in r.plan.report.entries}
    assert "Resources.ScenarioJob.Properties.RetryStrategy.Attempts" in paths
    assert "Resources.ScenarioJob.Properties.Parameters" in paths
    for path in paths:
        assert path.startswith("Resources.ScenarioJob.Properties"), path
        assert not re.search(r"\.[a-z]", path.removeprefix("Resources.ScenarioJob.Properties")), path


def test_cloudformation_errors_name_the_template_path(tmp_path: Path) -> None:
    stack = CLOUDFORMATION.replace("Vcpus: 4", "Vcpus: many")
    path = tmp_path / "in" / "stack.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(stack)
    with pytest.raises(AskflowError) as exc:
        convert(tmp_path, path)
    assert exc.value.path == "Resources.ScenarioJob.Properties.ContainerProperties.Vcpus"
    assert str(exc.value).count("\n") == 0


# Modelled on the AWS provider's aws_batch_job_definition documentation: the heredoc example, the Fargate
# example (an interpolated role ARN) and the jsonencode form, with retry_strategy and timeout blocks.
TERRAFORM = """\
variable "repository" {
  type    = string
  default = "123456789012.dkr.ecr.us-east-1.amazonaws.com/report"
}

resource "aws_batch_job_definition" "test" {
  name = "tf_test_batch_job_definition"
  type = "container"

  container_properties = <<CONTAINER_PROPERTIES
{
	"command": ["ls", "-la"],
	"image": "busybox:1.36",
	"memory": 1024,
	"vcpus": 1,
	"environment": [
		{"name": "VARNAME", "value": "VARVAL"}
	]
}
CONTAINER_PROPERTIES
}

resource "aws_batch_job_definition" "fargate" {
  name = "tf_test_fargate"
  type = "container"
  platform_capabilities = [
    "FARGATE",
  ]

  container_properties = <<CONTAINER_PROPERTIES
{
  "command": ["echo", "test"],
  "image": "busybox:1.36",
  "fargatePlatformConfiguration": {
    "platformVersion": "LATEST"
  },
  "resourceRequirements": [
    {"type": "VCPU", "value": "0.25"},
    {"type": "MEMORY", "value": "512"}
  ],
  "executionRoleArn": "${aws_iam_role.ecs_task_execution_role.arn}"
}
CONTAINER_PROPERTIES
}

resource "aws_batch_job_definition" "nightly" {
  name = "nightly-report"
  type = "container"

  container_properties = jsonencode({
    command = ["python", "report.py", "Ref::day"]
    image   = "${var.repository}:2.4.1"
    jobRoleArn = aws_iam_role.report.arn

    resourceRequirements = [
      {
        type  = "VCPU"
        value = "2"
      },
      {
        type  = "MEMORY"
        value = "4096"
      }
    ]
  })

  parameters = {
    day = "today"
  }

  retry_strategy {
    attempts = 3
    evaluate_on_exit {
      on_exit_code = "137"
      action       = "RETRY"
    }
    evaluate_on_exit {
      on_exit_code = "*"
      action       = "EXIT"
    }
  }

  timeout {
    attempt_duration_seconds = 3600
  }
}
"""


def _terraform_file(tmp_path: Path, text: str, name: str = "batch.tf") -> Path:
    tf = tmp_path / "in" / name
    tf.parent.mkdir(parents=True, exist_ok=True)
    tf.write_text(text)
    return tf


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_terraform_job_definitions_convert(tmp_path: Path) -> None:
    tf = _terraform_file(tmp_path, TERRAFORM)
    run, out = convert(tmp_path, tf)
    assert [r.plan.name for r in run.results] == ["tf-test-batch-job-definition", "tf-test-fargate",
                                                  "nightly-report"]
    assert run.exit_code == 0 and lint_findings(out) == [] and crd_problems(out) == []
    heredoc = templates_by_name(template_of(out, "tf-test-batch-job-definition"))["tf-test-batch-job-definition"]
    assert heredoc["container"]["image"] == "busybox:1.36" and heredoc["container"]["args"] == ["ls", "-la"]
    assert heredoc["container"]["resources"]["requests"] == {"cpu": "1", "memory": "1024Mi"}
    assert {"name": "VARNAME", "value": "VARVAL"} in heredoc["container"]["env"]
    nightly = templates_by_name(template_of(out, "nightly-report"))["nightly-report"]
    assert nightly["container"]["resources"]["requests"] == {"cpu": "2", "memory": "4096Mi"}
    assert nightly["retryStrategy"]["limit"] == "2" and nightly["activeDeadlineSeconds"] == "3600"
    said = {(e.path, e.message.split(": ", 1)[0]) for r in run.results for e in r.plan.report.entries
            if e.code == "TERRAFORM_EXPRESSION"}
    assert said == {
        ("aws_batch_job_definition.fargate.container_properties.executionRoleArn",
         f"{tf}:{_line(TERRAFORM, 'executionRoleArn')}"),
        ("aws_batch_job_definition.nightly.container_properties.image", f"{tf}:{_line(TERRAFORM, 'var.repository')}"),
        ("aws_batch_job_definition.nightly.container_properties.jobRoleArn",
         f"{tf}:{_line(TERRAFORM, 'aws_iam_role.report.arn')}"),
    }
    (image,) = [e for e in entries(run, "TERRAFORM_EXPRESSION") if e.path.endswith(".image")]
    assert "var.repository is a variable" in image.message
    # the file's own spelling: snake_case arguments and blocks, the JSON document's keys as written
    paths = {e.path for r in run.results for e in r.plan.report.entries}
    assert "aws_batch_job_definition.nightly.retry_strategy.attempts" in paths
    assert "aws_batch_job_definition.nightly.retry_strategy.evaluate_on_exit" in paths
    assert "aws_batch_job_definition.nightly.container_properties.resourceRequirements" in paths
    assert not any("retryStrategy" in p or "containerProperties" in p for p in paths)


def test_a_terraform_folder_converts_its_job_definitions(tmp_path: Path) -> None:
    """A folder's .tf files that declare aws_batch_job_definition are inputs; its other Terraform files
    (network, IAM) and the provider cache under .terraform/ are not."""
    folder = tmp_path / "infra"
    _terraform_file(folder, TERRAFORM, "batch.tf")
    (folder / "in" / "network.tf").write_text('resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    cached = folder / "in" / ".terraform" / "modules" / "batch.tf"
    cached.parent.mkdir(parents=True)
    cached.write_text(TERRAFORM)
    run, out = convert(tmp_path, folder / "in")
    assert [r.plan.name for r in run.results] == ["tf-test-batch-job-definition", "tf-test-fargate",
                                                  "nightly-report"]
    assert {r.plan.source.file for r in run.results} == {str(folder / "in" / "batch.tf")}


def test_terraform_that_cannot_be_read_offline_says_where_and_what_to_do(tmp_path: Path) -> None:
    text = ('resource "aws_batch_job_definition" "main" {\n  name = "nightly-report"\n  type = "container"\n'
            '  container_properties = file("${path.module}/container.json")\n}\n')
    tf = _terraform_file(tmp_path, text)
    other = write_json(tmp_path, "def.json", {"jobDefinitionName": "worker", "type": "container",
                                              "containerProperties": {"image": IMAGE, "vcpus": 1, "memory": 512}})
    run, out = convert(tmp_path, tf, other)
    assert run.exit_code == 1  # the Terraform job is not converted; the other one is written
    (entry,) = entries(run, "TERRAFORM_DEFINITION")
    assert entry.path == "aws_batch_job_definition.main.container_properties"
    assert entry.message.startswith(f"{tf}:4: container_properties = file(")
    assert "aws batch describe-job-definitions --job-definition-name nightly-report --status ACTIVE" in entry.message
    assert (out / "worker" / "v1.yaml").exists()


def test_terraform_value_a_number_field_cannot_hold_says_where(tmp_path: Path) -> None:
    text = ('resource "aws_batch_job_definition" "x" {\n  name = "x"\n  type = "container"\n'
            '  container_properties = jsonencode({ image = "busybox:1.36", vcpus = 1, memory = 512 })\n'
            '  timeout {\n    attempt_duration_seconds = var.timeout\n  }\n}\n')
    tf = _terraform_file(tmp_path, text)
    with pytest.raises(AskflowError) as exc:
        convert(tmp_path, tf)
    assert exc.value.path == "aws_batch_job_definition.x.timeout.attempt_duration_seconds"
    assert f"{tf}:6: var.timeout is a variable" in str(exc.value) and str(exc.value).count("\n") == 0
    assert "describe-job-definitions --job-definition-name x" in str(exc.value)


@pytest.mark.parametrize(("text", "said"), [
    ('resource "aws_batch_job_definition" "x" {\n  name = "x"\n  type = \n}\n', "Terraform does not parse (line"),
    ('resource "aws_batch_job_definition" "x" {\n  name = "x"\n  container_properties = <<EOF\n{"image": }\nEOF\n}\n',
     "resource aws_batch_job_definition 'x': container_properties is not valid JSON (line 4"),
])
def test_terraform_bad_input_is_one_line(tmp_path: Path, text: str, said: str) -> None:
    tf = _terraform_file(tmp_path, text)
    with pytest.raises(AskflowError) as exc:
        convert(tmp_path, tf)
    assert str(exc.value).count("\n") == 0 and said in str(exc.value) and exc.value.file == str(tf)
    assert not (tmp_path / "out").exists()


def test_describe_jobs_output_reads_as_its_job_details(tmp_path: Path) -> None:
    detail = {"jobName": "example", "jobId": "2d6b7f1a-0000-4000-8000-000000000001",
              "jobQueue": "arn:aws:batch:us-east-1:123456789012:job-queue/HighPriority", "status": "SUCCEEDED",
              "jobDefinition": "arn:aws:batch:us-east-1:123456789012:job-definition/sleep60:1",
              "container": {"image": "busybox:1.36", "vcpus": 1, "memory": 128, "command": ["sleep", "60"]}}
    single, single_out = convert(tmp_path / "a", write_json(tmp_path / "a", "detail.json", detail))
    listed, listed_out = convert(tmp_path / "b", write_json(tmp_path / "b", "jobs.json", {"jobs": [detail]}))
    assert template_of(single_out, "example") == template_of(listed_out, "example")
    assert [e.code for e in single.results[0].plan.report.entries] == [
        e.code for e in listed.results[0].plan.report.entries]


def test_a_thirty_task_dag_reports_each_fact_once(tmp_path: Path) -> None:
    tasks = {f"Step{i:02d}": {"Parameters": {"Command": {"CommandLine": f"python step.py {i}",
                                                         "PackagePath": "oss://bucket/pkg.tar.gz"},
                                             "StdoutRedirectPath": "oss://bucket/log/",
                                             "StderrRedirectPath": "oss://bucket/log/"},
                              "Timeout": 3600, "InstanceCount": 1, "MaxRetryCount": 1, "ClusterId": "cls-1"}
             for i in range(30)}
    job = {"Name": "dag-30", "Type": "DAG", "Priority": 0, "JobFailOnInstanceFail": True,
           "DAG": {"Tasks": tasks, "Dependencies": {f"Step{i:02d}": [f"Step{i + 1:02d}"] for i in range(29)}}}
    run, out = convert(tmp_path, write_json(tmp_path, "dag.json", job))
    report = (out / "dag-30" / "v1.migration.md").read_text()
    rows = [line for line in report.splitlines() if line.startswith("| `CLUSTER_BINDING_DROPPED` | `DAG")]
    assert len(rows) == 1 and "`DAG.Tasks.*.ClusterId`" in rows[0] and "each of 30: Step00, Step01" in rows[0]
    assert len(entries(run, "CLUSTER_BINDING_DROPPED")) == 30  # the entries themselves are all kept
    assert len(report.splitlines()) < 150


def test_platform_defaults_are_said_once_per_run(tmp_path: Path) -> None:
    run, out = convert(tmp_path, shared_path("batch-jobs", "kubernetes_job"))
    report = run.report()
    defaults = report["summary"]["platform_defaults"]
    assert set(defaults) >= {"SERVICE_ACCOUNT_DEFAULTED", "RESOURCES_DEFAULTED"}
    assert defaults["SERVICE_ACCOUNT_DEFAULTED"]["jobs"] == [r.plan.name for r in run.results]
    for r in run.results:
        markdown = (out / r.plan.name / "v1.migration.md").read_text()
        assert "| `SERVICE_ACCOUNT_DEFAULTED` | `" not in markdown  # no table row, one line
        assert "- Platform defaults (the same for every job; see Codes): " in markdown


def test_cloudformation_json_converts_and_other_terraform_is_one_line(tmp_path: Path) -> None:
    stack = {"Resources": {"Job": {"Type": "AWS::Batch::JobDefinition", "Properties": {
        "Type": "container", "ContainerProperties": {"Image": IMAGE, "Vcpus": 1, "Memory": 512}}}}}
    run, out = convert(tmp_path, write_json(tmp_path, "stack.json", stack))
    assert [r.plan.name for r in run.results] == ["job"] and (out / "job" / "v1.yaml").exists()
    tf = tmp_path / "in" / "network.tf"
    tf.write_text('resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    with pytest.raises(AskflowError) as exc:
        convert(tmp_path / "x", tf)
    assert "\n" not in str(exc.value) and "Terraform file without aws_batch_job_definition" in str(exc.value)


def test_cloudformation_that_does_not_parse_says_so_as_cloudformation(tmp_path: Path) -> None:
    path = tmp_path / "in" / "stack.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("Resources:\n  Job:\n    Type: AWS::Batch::JobDefinition\n    Properties: [unclosed\n")
    with pytest.raises(AskflowError) as exc:
        convert(tmp_path, path)
    assert str(exc.value).count("\n") == 0 and "CloudFormation YAML does not parse (line" in str(exc.value)
