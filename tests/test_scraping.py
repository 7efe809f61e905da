"""Scraping (issue #21): ARMS Prometheus gets one ServiceMonitor per Argo Service the chart renders,
selecting it by the chart's own labels and port names, on every cluster kind with Prometheus."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from askflow import yamlio
from askflow.plan import Plan, plan_stack
from askflow.scraping import CHART_DEFAULTS, DISCOVERY_ANNOTATION, SERVER_METRICS_ENV, scrape_targets
from askflow.substrate import CLUSTER_KINDS, SCRAPE_ROUTES, substrate
from tests.conftest import ROOT, shared_path

MONITORING = "alicloud:arms/prometheusMonitoring:PrometheusMonitoring"
RULE = "alicloud:arms/prometheusAlertRule:PrometheusAlertRule"


@cache
def _plan(stack: str) -> Plan:
    return plan_stack(stack, ROOT)


def _chart_values() -> dict[str, Any]:
    return dict(yamlio.load_file(shared_path("argo-helm", "argo-workflows-1.0.18", "values.yaml")))


def _at(values: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        values = values[part]
    return values


def test_the_chart_defaults_are_the_charts() -> None:
    chart = _chart_values()
    for key, value in CHART_DEFAULTS.items():
        assert _at(chart, key) == value, key


def _release_values(plan: Plan) -> dict[str, Any]:
    (release,) = plan.of_type("kubernetes:helm.sh/v3:Release")
    return dict(release.inputs["values"])


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_each_service_argo_renders_is_scraped(stack: str) -> None:
    plan = _plan(stack)
    values = _release_values(plan)
    chart = _chart_values()
    monitors = {yamlio.loads(m.inputs["configYaml"])["metadata"]["name"]: m for m in plan.of_type(MONITORING)}
    assert set(monitors) == {f"askflow-{stack}-argo-controller", f"askflow-{stack}-argo-server"}
    (cluster_id,) = {r.inputs["clusterId"] for r in plan.of_type(RULE)}
    for name, monitor in monitors.items():
        assert monitor.inputs["type"] == "serviceMonitor" and monitor.inputs["status"] == "run"
        assert monitor.inputs["clusterId"] == cluster_id  # the instance the alert rules evaluate on
        doc = yamlio.loads(monitor.inputs["configYaml"])
        assert doc["kind"] == "ServiceMonitor" and doc["metadata"]["annotations"][DISCOVERY_ANNOTATION] == "true"
        (endpoint,) = doc["spec"]["endpoints"]
        component = "controller" if name.endswith("controller") else "server"
        # The port names the chart gives the Services: the stack's values over the chart's defaults.
        if component == "controller":
            assert values["controller"]["metricsConfig"]["enabled"] is True
            port = values["controller"]["metricsConfig"].get("servicePortName", chart["controller"]["metricsConfig"]["servicePortName"])
            assert endpoint["path"] == chart["controller"]["metricsConfig"]["path"]
            assert endpoint["scheme"] == "http"  # metricsConfig.secure is false in the chart and ours
        else:
            port = values["server"]["servicePortName"]
            assert SERVER_METRICS_ENV in values["server"]["extraEnv"]
            assert endpoint["scheme"] == "https" and values["server"]["secure"] is True
            assert endpoint["tlsConfig"] == {"insecureSkipVerify": True}
        assert endpoint["port"] == port
        # The chart's selectorLabels (templates/_helpers.tpl): <chart>-<component name>, <release>.
        component_name = chart[component]["name"]
        assert doc["spec"]["selector"]["matchLabels"] == {
            "app.kubernetes.io/name": f"argo-workflows-{component_name}", "app.kubernetes.io/instance": "argo-workflows"}
        assert doc["spec"]["namespaceSelector"] == {"matchNames": ["argo"]}


def test_dev_scrapes_nothing_without_prometheus() -> None:
    assert not _plan("dev").of_type(MONITORING)


def test_every_kind_says_how_it_is_scraped() -> None:
    for kind in CLUSTER_KINDS:
        assert substrate(kind).scrape_route in SCRAPE_ROUTES


def test_nothing_is_scraped_that_the_chart_does_not_render() -> None:
    server = {"enabled": True, "secure": True, "servicePortName": "https", "extraEnv": [SERVER_METRICS_ENV]}
    both = scrape_targets({"controller": {"metricsConfig": {"enabled": True}}, "server": server},
                          namespace="argo", release="argo-workflows", prefix="p")
    assert [(t.name, t.service, t.port) for t in both] == [
        ("p-argo-controller", "argo-workflows-workflow-controller", "metrics"), ("p-argo-server", "argo-workflows-server", "https")]
    # Metrics off: the chart renders no controller Service. The server's /metrics without the env var
    # asks for a token ARMS does not have; an unnamed port cannot be selected.
    assert not scrape_targets({"controller": {"metricsConfig": {"enabled": False}}}, namespace="argo",
                              release="argo-workflows", prefix="p")
    assert not scrape_targets({"server": {**server, "extraEnv": []}}, namespace="argo", release="argo-workflows", prefix="p")
    assert not scrape_targets({"server": {**server, "servicePortName": ""}}, namespace="argo", release="argo-workflows",
                              prefix="p")
    # Another release name: the chart's fullname becomes <release>-argo-workflows.
    (other,) = scrape_targets({"controller": {"metricsConfig": {"enabled": True, "secure": True}}}, namespace="wf",
                              release="ops", prefix="p")
    assert other.service == "ops-argo-workflows-workflow-controller"
    doc = yamlio.loads(other.config_yaml)
    assert doc["spec"]["endpoints"][0]["scheme"] == "https" and doc["spec"]["selector"]["matchLabels"][
        "app.kubernetes.io/instance"] == "ops"


def test_the_documents_are_byte_identical_run_to_run() -> None:
    values = {"controller": {"metricsConfig": {"enabled": True}}}
    assert scrape_targets(values, namespace="argo", release="r", prefix="p") == scrape_targets(
        values, namespace="argo", release="r", prefix="p")
