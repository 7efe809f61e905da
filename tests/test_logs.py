"""`askflow logs` (issue #21): the query and console link that find a workflow's or a node's pod logs,
on fields the log pipeline really produces and the logstore really indexes."""

from __future__ import annotations

import base64
import json
import urllib.parse
from functools import cache
from pathlib import Path

import pytest

from askflow import logs
from askflow.cli import main
from askflow.plan import Plan, plan_stack
from tests.conftest import ROOT

LOG_CONFIG = "kubernetes:log.alibabacloud.com/v1alpha1:AliyunLogConfig"
INDEX = "alicloud:log/storeIndex:StoreIndex"


@cache
def _plan(stack: str) -> Plan:
    return plan_stack(stack, ROOT)


def test_fnv1a_is_gos() -> None:
    # The FNV-1a 32-bit test vectors (Go's hash/fnv tests: "" and "a").
    assert logs.fnv1a_32("") == 0x811C9DC5
    assert logs.fnv1a_32("a") == 0xE40C292C
    assert logs.fnv1a_32("foobar") == 0xBF9CF968


def test_node_ids_as_argo_makes_them() -> None:
    wf = "etl-v3-x7k2p"
    assert logs.node_id(wf, wf) == wf
    expected = f"{wf}-{logs.fnv1a_32(wf + '.extract')}"
    assert logs.node_id(wf, "extract") == logs.node_id(wf, f"{wf}.extract") == expected
    assert logs.node_id(wf, "[0].load") == logs.node_id(wf, f"{wf}[0].load") == f"{wf}-{logs.fnv1a_32(wf + '[0].load')}"


def test_the_link_runs_the_query() -> None:
    s = logs.log_search(project="askflow-prod-cn-hangzhou-logs", logstore="pods", region="cn-hangzhou",
                        workflow="etl-v3-x7k2p", node="extract", tenant="data-eng", bucket="b")
    assert s.query == ('_namespace_: "data-eng" and workflow: "etl-v3-x7k2p" and node_id: "'
                       + logs.node_id("etl-v3-x7k2p", "extract") + '"')
    url = urllib.parse.urlparse(s.console_url)
    assert url.netloc == "sls.console.aliyun.com"
    assert url.path == "/lognext/project/askflow-prod-cn-hangzhou-logs/logsearch/pods"
    q = urllib.parse.parse_qs(url.query)
    assert q["encode"] == ["base64"] and base64.b64decode(q["queryString"][0]).decode() == s.query
    assert s.archive_prefix == "oss://b/data-eng/<yyyy>/<mm>/<dd>/etl-v3-x7k2p/"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_queried_field_is_collected_and_indexed(stack: str) -> None:
    plan = _plan(stack)
    (config,) = plan.of_type(LOG_CONFIG)
    (plugin,) = config.inputs["spec"]["logtailConfig"]["inputDetail"]["plugin"]["inputs"]
    assert plugin["type"] == "service_docker_stdout"
    collected = {"_namespace_", "_pod_name_", "_container_name_"} | set(plugin["detail"]["ExternalK8sLabelTag"].values()) \
        | set(plugin["detail"]["ExternalEnvTag"].values())
    (index,) = plan.of_type(INDEX)
    indexed = {f["name"]: f for f in index.inputs["fieldSearches"]}
    query = logs.log_search(project="p", logstore="pods", region="cn-hangzhou", workflow="w", node="n", tenant="t").query
    for field in ("_namespace_", "workflow", "node_id"):
        assert field in query and field in collected and field in indexed, field
        # Names are kept whole: no delimiter that occurs in a Kubernetes name or a node id.
        assert not set(indexed[field]["token"]) & set("-./_"), indexed[field]["token"]
    assert "template" in collected and "template" in indexed


def test_templates_label_their_pods_with_their_version() -> None:
    for t in (r for r in _plan("prod").resources if r.inputs.get("kind") == "WorkflowTemplate"):
        assert t.inputs["spec"]["podMetadata"]["labels"][logs.TEMPLATE_LABEL] == t.inputs["metadata"]["name"]


def test_the_command_prints_query_and_link(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["logs", "etl-v3-x7k2p", "--stack", "prod", "--tenant", "data-eng", "--node", "extract",
                 "--project", str(ROOT)]) == 0
    out = capsys.readouterr().out
    assert 'workflow: "etl-v3-x7k2p"' in out and "node_id:" in out and "https://sls.console.aliyun.com/lognext/" in out
    assert "archived main logs: oss://" in out


def test_json_to_stdout_and_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["logs", "w1", "--stack", "dev", "--project", str(ROOT), "--json", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["query"] == 'workflow: "w1"' and data["logstore"] == "pods"
    target = tmp_path / "logs.json"
    assert main(["logs", "w1", "--stack", "dev", "--project", str(ROOT), "--json", str(target)]) == 0
    assert json.loads(target.read_text()) == data


@pytest.mark.parametrize(("argv", "message"), [
    (["logs", "Not_A_Name", "--stack", "dev"], "'Not_A_Name' is not a workflow name"),
    (["logs", "w1", "--stack", "dev", "--tenant", "nobody"], "'nobody' is not a tenant of stack dev"),
    (["logs", "w1", "--stack", "dev", "--node", "a b"], "'a b' is not a node name"),
    (["logs", "w1", "--stack", "no-such-stack"], "no-such-stack"),
])
def test_bad_input_is_one_line(argv: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    assert main([*argv, "--project", str(ROOT), "--json", str(target)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert not target.exists()


def test_archived_logs_follow_the_setting() -> None:
    from components.tenants import artifact_repository  # type: ignore[import-not-found]

    from askflow.settings import parse_settings
    from tests.test_settings import FILE, platform

    s = parse_settings("cn-hangzhou", platform(**{"observability.archive_logs": False}), file=FILE)
    assert s.observability.archive_logs is False
    assert artifact_repository("b", "e", "t", s.observability.archive_logs)["archiveLogs"] is False
    assert logs.log_search(project="p", logstore="pods", region="r", workflow="w").archive_prefix is None
