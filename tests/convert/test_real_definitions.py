"""Every real definition in ../shared/batch-jobs converts (or fails with its documented code), and what
it becomes lints strict with zero findings and validates against Argo v4.1.2's CRD schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from askflow import yamlio
from askflow.convert import CODES
from tests.conftest import shared_path
from tests.convert.support import codes, convert, crd_problems, graph, lint_findings, template_of

# file -> (converted?, codes its report must contain)
EXPECTED: dict[str, tuple[bool, set[str]]] = {
    "alibaba_batchcompute/01_itexpertshire_ConsumerMsg_job_desc.json": (True, {
        "NAME_SANITIZED", "NEEDS_CONTAINER_IMAGE", "INSTANCE_TYPE_APPROXIMATED", "PACKAGE_ARTIFACT",
        "OSS_ENDPOINT_PARAMETER", "LOG_SPLIT_LOST", "TASK_TIMEOUT", "SYSTEM_DISK_TO_EPHEMERAL", "DROPPED_FIELD",
        "COMMAND_LINE_SHELL", "RUNTIME_VARIABLES", "SERVICE_ACCOUNT_DEFAULTED", "RETRY_LIMIT"}),
    "alibaba_batchcompute/02_aliyun-sdk-js_2015-11-11_CreateJob.json": (True, {
        "CLUSTER_BINDING_DROPPED", "NEEDS_CONTAINER_IMAGE", "RESOURCES_DEFAULTED", "DESCRIPTION_MAPPED"}),
    "alibaba_batchcompute/03_aliyun-sdk-js_2015-06-30_CreateJob_LEGACY_API.json": (True, {
        "LEGACY_DIALECT", "LEGACY_PROGRAM", "RESOURCE_UNITS_APPROXIMATED", "DROPPED_FIELD"}),
    "aws_batch/01_awsdocs_fetch_and_run_job_definition.json": (True, {
        "JOB_ROLE_TO_SERVICE_ACCOUNT", "IMAGE_PARAMETER", "ECR_IMAGE", "ENVIRONMENT_MAPPED", "USER_NOT_NUMERIC",
        "COMMAND_MAPPED", "RESOURCES_MAPPED", "RETRY_LIMIT", "DEADLINE_DEFAULTED"}),
    "aws_batch/02_awsdocs_ffmpeg_parameters_job_definition.json": (True, {
        "PARAMETERS_TO_INPUTS", "IMAGE_PARAMETER", "NAME_SANITIZED"}),
    "aws_batch/03_awsdocs_tensorflow_mnist_deep_gpu_job_definition.json": (True, {
        "IMAGE_MAPPED", "SERVICE_ACCOUNT_DEFAULTED", "ECI_SPEC_ROUNDED"}),
    "aws_batch/04_awsdocs_gromacs_multinode_job_definition.json": (False, {"UNSUPPORTED_MULTINODE"}),
    "aws_batch/05_mi-fukai_fargate_job_definition_template.json": (True, {
        "FARGATE_NOT_NEEDED", "PUBLIC_IP_TO_EIP", "IMAGE_PARAMETER", "DROPPED_FIELD", "SECURITY_CONTEXT_MAPPED"}),
    "aws_batch/06_awsdocs_example_array_job_workflow_SubmitJob.CORRECTED.json": (True, {
        "N_TO_N_FUSED", "SEQUENTIAL_APPROXIMATED", "FAN_OUT", "JOB_DEFINITION_NOT_FOUND", "JOB_QUEUE_REPLACED",
        "NAME_FROM_FILE", "DEPENDENCIES_MAPPED", "RUNTIME_VARIABLES", "LARGE_FAN_OUT"}),
    "aws_batch/07_awsdocs_job_queue_template.json": (False, {"JOB_QUEUE_NOT_A_JOB"}),
    "kubernetes_cronjob/01_k8s-website_ja_cronjob_hello.yaml": (True, {
        "CRON_MAPPED", "CRON_DEADLINE_DEFAULT", "IMAGE_PARAMETER", "CRON_SUSPENDED", "RESTART_POLICY_CHANGED",
        "RESOURCE_TEMPLATE_OFFERED"}),
    "kubernetes_cronjob/02_skiperator_cron-job-timezone_assert_CronJob.yaml": (True, {
        "CRON_MAPPED", "WORKFLOW_METADATA", "DROPPED_FIELD", "IMAGE_MAPPED"}),
    "kubernetes_cronjob/03_k8s-website_en_cronjob_hello_v1beta1_LEGACY.yaml": (True, {
        "LEGACY_API_VERSION", "CRON_MAPPED"}),
    "kubernetes_job/01_k8s-website_controllers_job_pi.yaml": (True, {"RETRY_LIMIT", "IMAGE_PARAMETER"}),
    "kubernetes_job/02_k8s-website_indexed-job.yaml": (True, {"FAN_OUT", "PARALLELISM_MAPPED", "RUNTIME_VARIABLES"}),
    "kubernetes_job/03_k8s-website_job-pod-failure-policy-example.yaml": (True, {
        "RETRY_EXIT_CODES", "POD_FAILURE_POLICY_APPROXIMATED", "RETRY_REASON_APPROXIMATED",
        "NON_INDEXED_COMPLETIONS", "RETRY_COUNT_SEMANTICS"}),
    "kubernetes_job/04_k8s-website_job-backoff-limit-per-index-example.yaml": (True, {
        "RETRY_LIMIT", "MAX_FAILED_INDEXES", "FAN_OUT"}),
    "kubernetes_job/05_k8s-website_job-md_pi-with-timeout.yaml": (True, {"DEADLINE_MAPPED"}),
    "kubernetes_job/06_k8s-website_job-md_pi-with-ttl.yaml": (True, {"TTL_MAPPED"}),
}


def test_every_real_definition_is_listed() -> None:
    """A definition added to ../shared must get an expectation here."""
    root = shared_path("batch-jobs")
    found = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.suffix in (".json", ".yaml")}
    assert found == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_definition(name: str, tmp_path: Path) -> None:
    path = shared_path("batch-jobs", name)
    converted, expected = EXPECTED[name]
    run, out = convert(tmp_path, path)
    (result,) = run.results
    assert result.converted is converted
    assert run.exit_code == (0 if converted else 1)
    assert expected <= codes(run), f"missing codes {expected - codes(run)}"
    blocking = {c for c in codes(run) if CODES[c].blocking}
    assert bool(blocking) is not converted
    if not converted:
        assert not out.exists() or not any(out.iterdir())  # nothing written for it
        return
    folder = out / result.plan.name
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["v1.yaml", "v1.migration.md", *(f"cron-{c}.yaml" for c, _ in result.crons)])
    assert lint_findings(out) == []
    assert crd_problems(out) == []
    # the Markdown report documents every code it uses
    report = (folder / "v1.migration.md").read_text()
    for code in codes(run):
        assert f"| `{code}` | {CODES[code].severity}" in report


def test_all_real_definitions_in_one_run(tmp_path: Path) -> None:
    """A whole folder converts in one run: exit 1 (multinode, job queue), every other job written."""
    run, out = convert(tmp_path, shared_path("batch-jobs"))
    assert run.exit_code == 1
    assert sum(r.converted for r in run.results) == sum(c for c, _ in EXPECTED.values())
    assert lint_findings(out) == []
    assert crd_problems(out) == []
    # two CronJobs are both named `hello`: the second is deduplicated, and so is its CronWorkflow name
    assert {"hello", "hello-2"} <= {p.name for p in out.iterdir()}
    assert "NAME_DEDUPLICATED" in codes(run, "hello-2")


def test_pipeline_graph_has_exactly_the_source_edges(tmp_path: Path) -> None:
    """AWS 06: A -> B (array 10000) =N_TO_N=> C (array 10000) -> D (array 10, SEQUENTIAL) -> E."""
    run, out = convert(tmp_path, shared_path("batch-jobs", "aws_batch",
                                             "06_awsdocs_example_array_job_workflow_SubmitJob.CORRECTED.json"),
                       name="array-pipeline")
    g = graph(template_of(out, "array-pipeline"))
    assert g.leaves == {"joba", "jobb", "jobc", "jobd", "jobe"}
    assert g.edges == {("joba", "jobb", "all"), ("jobb", "jobc", "n_to_n"), ("jobc", "jobd", "all"),
                       ("jobd", "jobe", "all")}
    assert g.counts == {"jobb": 10000, "jobc": 10000, "jobd": 10}
    assert g.parallelism == {"jobd": 1}  # SEQUENTIAL
    assert g.retries == dict.fromkeys(g.leaves, 0)  # no retryStrategy: one attempt each
    wt = template_of(out, "array-pipeline")
    jobb = next(t for t in wt["spec"]["templates"] if t["name"] == "jobb")
    assert jobb["container"]["resources"]["requests"] == {"cpu": "32", "memory": "4096Mi"}  # containerOverrides
    assert {"name": "AWS_BATCH_JOB_ARRAY_INDEX", "value": "{{inputs.parameters.index}}"} in jobb["container"]["env"]


def test_kubernetes_job_semantics_from_real_files(tmp_path: Path) -> None:
    root = shared_path("batch-jobs", "kubernetes_job")
    run, out = convert(tmp_path, root)
    assert run.exit_code == 0
    assert graph(template_of(out, "pi")).retries == {"pi": 4}  # backoffLimit 4, one pod: exact
    indexed = graph(template_of(out, "indexed-job"))
    assert indexed.counts == {"indexed-job": 5} and indexed.parallelism == {"indexed-job": 3}
    policy = template_of(out, "job-pod-failure-policy-example")["spec"]["templates"][1]["retryStrategy"]
    assert policy["expression"] == "!(lastRetry.exitCode in ['42'])"  # FailJob on 42: never retried
    assert graph(template_of(out, "job-backoff-limit-per-index-example")).retries == {
        "job-backoff-limit-per-index-example": 1}
    assert template_of(out, "pi-with-timeout")["spec"]["activeDeadlineSeconds"] == 100
    assert template_of(out, "pi-with-ttl")["spec"]["ttlStrategy"] == {"secondsAfterCompletion": 100, "secondsAfterSuccess": 100, "secondsAfterFailure": 100}


def test_cronjob_becomes_pinned_cronworkflow(tmp_path: Path) -> None:
    run, out = convert(tmp_path, shared_path("batch-jobs", "kubernetes_cronjob",
                                             "02_skiperator_cron-job-timezone_assert_CronJob.yaml"))
    cron = yamlio.load_file(out / "cron-job-timezone" / "cron-cron-job-timezone.yaml")
    assert cron["metadata"]["name"] == "cron-job-timezone"
    spec = cron["spec"]
    assert spec["schedules"] == ["* * * * *"] and spec["timezone"] == "Europe/Oslo"
    assert (spec["concurrencyPolicy"], spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (
        "Allow", 3, 1)
    assert spec["workflowSpec"] == {"workflowTemplateRef": {"name": "cron-job-timezone-v1"}}
    assert spec["workflowMetadata"]["labels"]["app"] == "cron-job-timezone-skipjob"
    # the library sets app.kubernetes.io/managed-by itself: dropped from the CronWorkflow, with a report line
    assert "app.kubernetes.io/managed-by" not in cron["metadata"].get("labels", {})



def test_output_is_a_template_library(tmp_path: Path) -> None:
    """What convert writes loads with askflow.library and lints strict as a library (deployed names resolve)."""
    from askflow.cli import main
    from askflow.library.loader import load_library
    from askflow.library.lock import read_lock
    from askflow.lint import lint_paths

    run, out = convert(tmp_path, shared_path("batch-jobs"))
    assert list(out.glob("*/v1.migration.md"))  # the reports stay beside their versions
    library = load_library(out)
    converted = [r for r in run.results if r.converted]
    assert {v.deployed_name for v in library.versions} == {f"{r.plan.name}-v{r.version}" for r in converted}
    assert {c.template_ref for c in library.crons} == {f"{r.plan.name}-v{r.version}" for r in converted if r.crons}
    # convert made out/ a library (an empty versions.lock, in the library's own format): lints strict as-is
    assert read_lock(out / "versions.lock") == {}
    assert lint_paths([str(out)], strict=True) == []
    assert main(["lint", "--strict", str(out)]) == 0
