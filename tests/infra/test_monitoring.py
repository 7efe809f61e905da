"""Alerts (issue #21): every rule fires on a failing series and stays quiet on a healthy one, reads
only metrics Argo exports, and reaches the stack's contacts."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest

from askflow import logs
from askflow.alerts import ARGO_METRICS, AlertRule, alert_rules, exported, log_alert_rules, metric_names
from askflow.plan import Plan, plan_stack
from askflow.settings import Alerts, parse_settings
from tests.conftest import ROOT
from tests.support.promql import Labels, evaluate, labels, parse
from tests.test_settings import FILE, error_line, platform

RULE = "alicloud:arms/prometheusAlertRule:PrometheusAlertRule"
DISPATCH = "alicloud:arms/dispatchRule:DispatchRule"
SETTINGS = Alerts(workflow_failures=2, window_minutes=15, pod_pending_minutes=10, queue_depth=50, queue_minutes=5)
RULES = {r.name: r for r in alert_rules(SETTINGS, ("data-eng", "ml"))}
M = 60.0  # seconds per minute
NOW = 60 * M


def counter(metric: str, values: list[float], /, step: float = M, **kw: str) -> dict[Labels, list[tuple[float, float]]]:
    """A series ending at NOW, one sample per ``step``."""
    start = NOW - step * (len(values) - 1)
    return {labels(metric, **kw): [(start + i * step, v) for i, v in enumerate(values)]}


def flat(metric: str, value: float, /, minutes: int = 60, **kw: str) -> dict[Labels, list[tuple[float, float]]]:
    return counter(metric, [value] * (minutes + 1), **kw)


def fires(rule: AlertRule, *series: dict) -> dict[Labels, float]:
    merged: dict[Labels, list[tuple[float, float]]] = {}
    for s in series:
        merged.update(s)
    return evaluate(rule.expression, merged, NOW)


LEADER = flat("argo_workflows_is_leader", 1)

# (rule, failing series, healthy series, labels the alert carries)
CASES: list[tuple[str, tuple, tuple, dict[str, str]]] = [
    ("argo-workflows-failed",
     (counter("argo_workflows_total_count", [0] * 50 + [0, 1, 1, 2], phase="Failed", namespace="data-eng"),
      counter("argo_workflows_total_count", [5] * 54, phase="Error", namespace="ml")),
     (counter("argo_workflows_total_count", [0] * 50 + [0, 1, 1, 1], phase="Failed", namespace="data-eng"),
      counter("argo_workflows_total_count", [0, 10, 20, 30], phase="Succeeded", namespace="data-eng"),
      # Not a tenant: Argo's own namespace never counts.
      counter("argo_workflows_total_count", [0, 5, 9, 12], phase="Failed", namespace="argo")),
     {"namespace": "data-eng"}),
    ("argo-pods-pending",
     (flat("argo_workflows_pods_gauge", 3, minutes=11, phase="Pending"),),
     # Pods that were pending but started within the window.
     (counter("argo_workflows_pods_gauge", [3] * 8 + [0] + [2] * 3, phase="Pending"),
      flat("argo_workflows_pods_gauge", 40, phase="Running")),
     {"phase": "Pending"}),
    ("argo-controller-queue-backlog",
     (counter("argo_workflows_queue_depth_gauge", [10, 60, 70, 80, 90, 75, 60], queue_name="workflow_queue"),),
     (counter("argo_workflows_queue_depth_gauge", [60, 70, 80, 90, 10, 60, 60], queue_name="workflow_queue"),
      flat("argo_workflows_queue_depth_gauge", 500, queue_name="pod_cleanup_queue")),
     {"queue_name": "workflow_queue"}),
    ("argo-controller-errors",
     (counter("argo_workflows_error_count", [0] * 10 + [1], cause="OperationPanic"),),
     (flat("argo_workflows_error_count", 3, cause="OperationPanic"),  # old panics, none now
      counter("argo_workflows_error_count", [0, 1, 2], cause="CronWorkflowSpecError")),
     {"cause": "OperationPanic"}),
    ("argo-controller-down",
     (flat("argo_workflows_is_leader", 0),),  # a standby only
     (LEADER, flat("argo_workflows_is_leader", 0, pod="standby")),
     {}),
    ("argo-cronworkflow-skipped",
     (counter("argo_workflows_cronworkflows_concurrencypolicy_triggered", [0] * 20 + [1], name="nightly-etl",
              namespace="data-eng", concurrency_policy="Forbid"),),
     (flat("argo_workflows_cronworkflows_concurrencypolicy_triggered", 1, name="nightly-etl", namespace="data-eng",
           concurrency_policy="Forbid"),
      counter("argo_workflows_cronworkflows_triggered_total", [0, 1], name="nightly-etl", namespace="data-eng")),
     {"namespace": "data-eng", "name": "nightly-etl"}),
    ("argo-cronworkflow-submission-failed",
     (counter("argo_workflows_error_count", [0] * 5 + [1], cause="CronWorkflowSubmissionError"),),
     (counter("argo_workflows_error_count", [0] * 5 + [1], cause="OperationPanic"),),
     {"cause": "CronWorkflowSubmissionError"}),
]


def test_every_rule_has_a_case() -> None:
    assert {c[0] for c in CASES} == set(RULES)


@pytest.mark.parametrize(("name", "failing", "healthy", "alert_labels"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_on_failure_and_not_when_healthy(name: str, failing: tuple, healthy: tuple,
                                                    alert_labels: dict[str, str]) -> None:
    rule = RULES[name]
    out = fires(rule, LEADER, *failing)
    assert out, f"{name} stays quiet on a failing series"
    assert any(alert_labels.items() <= dict(k).items() for k in out), out
    assert not fires(rule, LEADER, *healthy), f"{name} fires on a healthy series"


def test_thresholds_come_from_the_settings() -> None:
    rule = alert_rules(SETTINGS.model_copy(update={"workflow_failures": 3}), ("data-eng",))[0]
    three = counter("argo_workflows_total_count", [0, 1, 2, 3], phase="Failed", namespace="data-eng")
    two = counter("argo_workflows_total_count", [0, 1, 2, 2], phase="Failed", namespace="data-eng")
    assert fires(rule, three) and not fires(rule, two)


def test_every_metric_a_rule_reads_is_one_argo_exports() -> None:
    for rule in RULES.values():
        names = metric_names(rule.expression)
        assert names, rule.name
        assert all(exported(n) for n in names), (rule.name, names)
        parse(rule.expression)  # and the evaluator understands all of it


def test_a_metric_argo_does_not_export_is_caught() -> None:
    # Names people expect but Argo v4 does not have (no _total suffix is added; no per-status counter).
    for wrong in ("argo_workflows_count", "argo_workflows_total_count_total", "argo_workflows_workflows_failed",
                  "argo_workflows_pods_pending", "workflow_queue_depth", "argo_workflows_gauge_bucket"):
        assert not exported(wrong), wrong
    assert metric_names('sum by (namespace) (increase(argo_workflows_workflows_failed{phase="Failed"}[5m])) > 1') == {
        "argo_workflows_workflows_failed"}
    assert exported("argo_workflows_queue_latency_bucket") and exported("argo_workflows_total_count")
    assert len(ARGO_METRICS) == 28


@cache
def _plan(stack: str) -> Plan:
    return plan_stack(stack, ROOT)


def _by_name(plan: Plan, typ: str) -> dict[str, Any]:
    return {r.inputs["prometheusAlertRuleName"]: r for r in plan.of_type(typ)}


def test_prod_alerts_reach_its_contacts() -> None:
    plan = _plan("prod")
    rules = _by_name(plan, RULE)
    s = parse_settings("cn-hangzhou", __import__("askflow.yamlio", fromlist=["x"]).load_file(
        ROOT / "environments" / "Pulumi.prod.yaml")["config"]["askflow:platform"], file=FILE)
    expected = alert_rules(s.alerts, tuple(t.name for t in s.tenants))
    assert set(rules) == {f"askflow-prod-{r.name}" for r in expected}
    for r in expected:
        got = rules[f"askflow-prod-{r.name}"].inputs
        assert got["expression"] == r.expression and got["duration"] == f"{r.duration_minutes}m"
        assert got["notifyType"] == "DISPATCH_RULE" and got["type"] == "101"
    (dispatch,) = plan.of_type(DISPATCH)
    notify = dispatch.inputs["notifyRules"][0]
    assert notify["notifyChannels"] == ["email"]
    assert [o["notifyType"] for o in notify["notifyObjects"]] == ["ARMS_CONTACT_GROUP"]
    (contact,) = plan.of_type("alicloud:arms/alertContact:AlertContact")
    assert contact.inputs["email"] == "platform-oncall@example.com"


def test_staging_alerts_stay_in_arms_and_dev_has_none() -> None:
    staging = _plan("staging")
    assert {r.inputs["notifyType"] for r in staging.of_type(RULE)} == {"ALERT_MANAGER"}
    assert not staging.of_type(DISPATCH)
    assert not _plan("dev").of_type(RULE)  # dev runs no managed Prometheus


def test_robots_are_dispatched_with_their_channel() -> None:
    import pulumi
    from components.monitoring import MonitoringArgs, MonitoringComponent  # type: ignore[import-not-found]

    from askflow.settings import AlertContact
    from tests.plan.harness import record

    contacts = (AlertContact(name="ding", kind="dingtalk", address="https://oapi.dingtalk.com/robot/send?access_token=x"),
                AlertContact(name="lark", kind="lark", address="https://open.feishu.cn/open-apis/bot/v2/hook/x"))

    def program() -> None:
        MonitoringComponent("m", MonitoringArgs(settings=SETTINGS, contacts=contacts, cluster_id=pulumi.Output.from_input("c1"),
                                                namespaces=("data-eng",), name_prefix="askflow-x",
                                                scrape_route="prometheus-monitoring", argo_values={},
                                                argo_namespace="argo", argo_release="argo-workflows"))

    plan = record(program)
    robots = {r.inputs["alertRobotName"]: r.inputs["robotType"] for r in plan.of_type("alicloud:arms/alertRobot:AlertRobot")}
    assert robots == {"askflow-x-ding": "dingding", "askflow-x-lark": "feishu"}
    (dispatch,) = plan.of_type(DISPATCH)
    assert dispatch.inputs["notifyRules"][0]["notifyChannels"] == ["dingTalk", "webhook"]
    assert not plan.of_type("alicloud:arms/alertContactGroup:AlertContactGroup")


@pytest.mark.parametrize(("changes", "message"), [
    ({"observability.alert_contacts": []},
     "observability.alert_contacts: prod needs at least one alert contact"),
    ({"observability.alert_contacts": [{"name": "hook", "kind": "webhook", "address": "https://example.com/hook"}]},
     "observability.alert_contacts[0].kind"),
    ({"observability.alert_contacts": [{"name": "me", "kind": "email", "address": "not-an-address"}]},
     "observability.alert_contacts[0].address: 'not-an-address' is not an email address"),
    ({"observability.alert_contacts": [{"name": "ding", "kind": "dingtalk", "address": "http://oapi.dingtalk.com/x"}]},
     "needs its webhook URL (https://...)"),
    ({"alerts.queue_minutes": 0}, "alerts.queue_minutes"),
])
def test_bad_alert_settings_are_one_line(changes: dict[str, Any], message: str) -> None:
    line = error_line(platform(**changes))
    assert message in line and "\n" not in line


def test_dev_needs_no_contact() -> None:
    s = parse_settings("cn-hangzhou", platform(**{"environment": "dev", "observability.alert_contacts": []}), file=FILE)
    assert s.observability.alert_contacts == () and s.alerts.workflow_failures == 5


def test_plan_md_lists_the_alerts_and_where_they_go() -> None:
    from askflow.plan.diagram import plan_markdown

    prod = plan_markdown(_plan("prod"), [])
    section = prod.split("## Alerts", 1)[1].split("## Policy", 1)[0]
    assert "7 alert rules" in section and "to: email platform-oncall@example.com." in section
    assert ("Scraped by ARMS Prometheus (ServiceMonitors): askflow-prod-argo-controller "
            "(argo-workflows-workflow-controller port metrics /metrics, http), askflow-prod-argo-server") in section
    for name in RULES:
        assert f"| askflow-prod-{name} |" in section
    staging = plan_markdown(_plan("staging"), [])
    assert "to ARMS' alert manager only" in staging.split("## Alerts", 1)[1]
    dev = plan_markdown(_plan("dev"), []).split("## Alerts", 1)[1].split("## ", 1)[0]
    # dev runs no managed Prometheus: only the alert on the pods' logs.
    assert "alert rules on Argo's controller metrics" not in dev
    assert "| askflow-dev-argo-outputs-not-saved | 30m |" in dev and "alert center only" in dev


# --- the alert on the pods' logs (SLS): artifact uploads and other outputs the executor could not save ---

_TOKEN = re.compile(r"\(|\)|\"[^\"]*\"|[^\s()]+")


def _words(text: str, delimiters: str) -> set[str]:
    return {w.lower() for w in re.split("[" + re.escape(delimiters) + "]+", text) if w}


def search_matches(search: str, record: dict[str, str]) -> bool:
    """SLS search statements as the rule uses them: `field: "value"` (exact, on a field indexed as whole
    words), bare words (full-text tokens of `content`), `and`, `or`, parentheses."""
    tokens = _TOKEN.findall(search)
    pos = 0

    def atom() -> bool:
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            value = expr()
            assert tokens[pos] == ")"
            pos += 1
            return value
        if tok.endswith(":"):
            value = tokens[pos].strip('"')
            pos += 1
            return value in _words(record.get(tok[:-1], ""), logs.NAME_TOKEN)
        return tok.lower() in _words(record.get("content", ""), logs.TEXT_TOKEN)

    def conj() -> bool:
        nonlocal pos
        value = atom()
        while pos < len(tokens) and tokens[pos] == "and":
            pos += 1
            value = atom() and value
        return value

    def expr() -> bool:
        nonlocal pos
        value = conj()
        while pos < len(tokens) and tokens[pos] == "or":
            pos += 1
            value = conj() or value
        return value

    result = expr()
    assert pos == len(tokens), tokens[pos:]
    return result


LOG_RULE = log_alert_rules(SETTINGS, ("data-eng", "ml"))[0]
FAILED_UPLOAD = {"_namespace_": "data-eng", "_container_name_": "wait",
                 # Go's slog text format, which Argo's logging writes (util/logging/slog.go l. 55-62, v4.0.10).
                 "content": 'time=2026-12-04T10:00:00.000Z level=ERROR msg="executor error" error="failed to put file: '
                            'oss: service returned error: StatusCode=403, ErrorCode=AccessDenied"'}


@pytest.mark.parametrize(("record", "fires"), [
    (FAILED_UPLOAD, True),
    ({**FAILED_UPLOAD, "_namespace_": "ml"}, True),
    ({**FAILED_UPLOAD, "content": '{"time":"2026-12-04T10:00:00Z","level":"ERROR","msg":"executor error",'
                                  '"error":"failed to put file"}'}, True),  # slog JSON
    ({**FAILED_UPLOAD, "_namespace_": "argo"}, False),  # not a tenant
    ({**FAILED_UPLOAD, "_container_name_": "main"}, False),  # a step printing those words itself
    ({**FAILED_UPLOAD, "content": 'level=INFO msg="Successfully saved file" path=/tmp/argo/outputs/artifacts/out.tgz'}, False),
    ({**FAILED_UPLOAD, "content": 'level=INFO msg="No output artifacts"'}, False),
])
def test_the_log_alert_finds_outputs_not_saved(record: dict[str, str], fires: bool) -> None:
    assert search_matches(LOG_RULE.search, record) is fires


def test_the_log_alert_is_planned_on_the_pods_logstore() -> None:
    plan = _plan("prod")
    (alert,) = plan.of_type("alicloud:log/alert:Alert")
    s = parse_settings("cn-hangzhou", __import__("askflow.yamlio", fromlist=["x"]).load_file(
        ROOT / "environments" / "Pulumi.prod.yaml")["config"]["askflow:platform"], file=FILE)
    (rule,) = log_alert_rules(s.alerts, tuple(t.name for t in s.tenants))
    assert alert.inputs["alertName"] == f"askflow-prod-{rule.name}" and alert.inputs["version"] == "2.0"
    (query,) = alert.inputs["queryLists"]
    assert query["query"] == rule.query and query["storeType"] == "log" and query["start"] == f"-{s.alerts.window_minutes}m"
    (severity,) = alert.inputs["severityConfigurations"]
    assert severity["evalCondition"]["condition"] == "errors >= 1" and severity["severity"] == 8
    assert alert.inputs["policyConfiguration"]["alertPolicyId"] == "sls.builtin.dynamic"
    (index,) = plan.of_type("alicloud:log/storeIndex:StoreIndex")
    indexed = {f["name"] for f in index.inputs["fieldSearches"]}
    assert {"_container_name_", "_namespace_"} <= indexed and index.inputs["fullText"]  # what the search reads
