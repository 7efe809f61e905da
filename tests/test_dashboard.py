"""The Grafana dashboard (issue #21): valid against Grafana's dashboard schema (grafana-foundation-sdk's
models, tests/support/grafana.py), and every query reads only metrics Argo's controller exports
(askflow.alerts) or kube-state-metrics has."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from askflow.alerts import exported, metric_names
from tests.conftest import ROOT
from tests.support.grafana import dashboard_errors

DASHBOARD = ROOT / "dashboards" / "argo-workflows.json"
#: kube-state-metrics' pod metrics the latency panel reads, as its docs list them
#: (kubernetes/kube-state-metrics docs/metrics/workload/pod-metrics.md: kube_pod_created "Unix creation
#: timestamp", kube_pod_container_state_started "Start time in unix timestamp for a pod container",
#: both STABLE). ARMS' agent collects kube-state-metrics ("Managed agent (including ksm)", the
#: provider's arms_environment docs, managed_type).
KUBE_STATE_METRICS = frozenset({"kube_pod_created", "kube_pod_container_state_started"})
LABEL_VALUES = re.compile(r"^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)$")


def _doc() -> dict[str, Any]:
    return dict(json.loads(DASHBOARD.read_text(encoding="utf-8")))


def _queries(doc: dict[str, Any]) -> list[str]:
    out = [t["expr"] for p in doc["panels"] for t in p.get("targets", [])]
    for var in doc["templating"]["list"]:
        if var["type"] == "query":
            m = LABEL_VALUES.match(var["query"]["query"])
            assert m, var["query"]
            out.append(m.group(1))
    return out


def _unknown_metrics(doc: dict[str, Any]) -> set[str]:
    names = {n for q in _queries(doc) for n in metric_names(q)}
    return {n for n in names if not exported(n) and n not in KUBE_STATE_METRICS}


def test_the_dashboard_is_valid_in_grafanas_schema() -> None:
    assert dashboard_errors(_doc()) == []


@pytest.mark.parametrize(("change", "found"), [
    (lambda d: d.update(graphTooltip=7), "graph_tooltip: 7"),
    (lambda d: d["panels"][1].update(titel="x"), "panels[1].titel: not in Grafana's dashboard schema"),
    (lambda d: d["panels"][1]["gridPos"].update(w="wide"), "grid_pos.w: 'wide'"),
    (lambda d: d["panels"][1]["targets"][0].update(exprr="up"), "targets[0].exprr"),
])
def test_the_schema_check_can_fail(change: Any, found: str) -> None:
    doc = copy.deepcopy(_doc())
    change(doc)
    assert any(found in e for e in dashboard_errors(doc)), dashboard_errors(doc)


def test_every_query_reads_metrics_that_exist() -> None:
    doc = _doc()
    names = {n for q in _queries(doc) for n in metric_names(q)}
    assert {"argo_workflows_total_count", "argo_workflows_workflowtemplate_triggered_total", "argo_workflows_pods_gauge",
            "argo_workflows_is_leader", "kube_pod_container_state_started"} <= names
    assert _unknown_metrics(doc) == set()


def test_a_metric_nobody_exports_is_caught() -> None:
    doc = copy.deepcopy(_doc())
    doc["panels"][1]["targets"][0]["expr"] = 'sum(rate(argo_workflows_workflows_failed{namespace=~"$tenant"}[5m]))'
    assert _unknown_metrics(doc) == {"argo_workflows_workflows_failed"}


def test_the_issue_asks_for_these_panels() -> None:
    titles = " | ".join(p["title"].lower() for p in _doc()["panels"])
    for words in ("finished per hour", "by tenant", "template version", "pending", "start latency", "leader", "queue"):
        assert words in titles, words


def test_panels_do_not_overlap_and_use_the_chosen_datasource() -> None:
    doc = _doc()
    cells: set[tuple[int, int]] = set()
    ids = [p["id"] for p in doc["panels"]]
    assert len(ids) == len(set(ids))
    for p in doc["panels"]:
        g = p["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24
        mine = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
        assert not mine & cells, p["title"]
        cells |= mine
        if p["type"] != "row":
            assert p["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            assert all(t["datasource"] == p["datasource"] for t in p["targets"])
