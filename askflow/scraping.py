"""What ARMS Prometheus scrapes: Argo's workflow controller and argo-server, as ServiceMonitors.

Plain data (no resources): ``infra/components/monitoring.py`` hands each :class:`ScrapeTarget` to
ARMS (``arms.PrometheusMonitoring``, type ``serviceMonitor``; why that resource and not
``arms.Environment`` + ``arms.EnvServiceMonitor`` is :data:`askflow.substrate.Substrate.scrape_route`).

The Services and ports are the ones the pinned chart renders (argoproj/argo-helm
``argo-workflows-1.0.18``, ``charts/argo-workflows``):

- ``templates/controller/workflow-controller-service.yaml`` l. 1-37: Service
  ``<fullname>-<controller.name>`` exists when ``controller.metricsConfig.enabled``, with port
  ``metricsConfig.servicePortName`` (``metrics``) -> ``metricsConfig.port``; its selector is
  ``argo-workflows.selectorLabels`` (``templates/_helpers.tpl`` l. 90-99):
  ``app.kubernetes.io/name: <chart name>-<controller.name>`` and ``app.kubernetes.io/instance: <release>``.
  ``<fullname>`` is the release name when it contains the chart's name (``_helpers.tpl`` l. 28-39),
  as ``argo-workflows`` does.
- ``templates/server/server-service.yaml`` l. 1-30: Service ``<fullname>-<server.name>``, port
  ``server.servicePort`` (2746) named ``server.servicePortName`` (unnamed by default, so the stack
  names it: a ServiceMonitor endpoint selects a port by name).

The controller's ``telemetryConfig`` port is not scraped: Argo v4 reads the setting but serves
nothing on it (``config/config.go`` l. 64-66 of argoproj/argo-workflows v4.0.10 is its only use),
and every metric the alerts read is on ``metricsConfig`` (``docs/metrics.md``: prefix
``argo_workflows_``). A standby controller serves empty metrics (same page, "Prometheus metrics
will return empty metrics on a workflow controller which is not the leader"); a ServiceMonitor
scrapes every endpoint of the Service, so the leader is always among them.

argo-server's ``/metrics`` (gRPC request metrics) is on its one port, behind its TLS
(``server.secure``) and, unless ``ARGO_SERVER_METRICS_AUTH=false``, behind the same authentication
as the API (``server/apiserver/argoserver.go`` l. 465-481 at v4.0.10). In ``client`` or ``sso``
mode that would need a Kubernetes token in ARMS, so the stack turns that check off for
``/metrics`` only (:data:`SERVER_METRICS_ENV`): the page holds request counts and latencies, no
workflow data. ARMS then scrapes it over HTTPS without verifying the self-signed certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from askflow import yamlio

#: The chart's defaults (values.yaml of argo-workflows 1.0.18; a test compares them with the file).
CHART_NAME = "argo-workflows"
CHART_DEFAULTS: dict[str, Any] = {
    "controller.name": "workflow-controller",
    "controller.metricsConfig.servicePortName": "metrics",
    "controller.metricsConfig.path": "/metrics",
    "controller.metricsConfig.interval": "30s",
    "controller.metricsConfig.scheme": "http",
    "controller.metricsConfig.secure": False,
    "server.name": "server",
    "server.servicePort": 2746,
}
#: The name the stack gives argo-server's Service port (the chart leaves it unnamed).
SERVER_PORT_NAME = "https"
#: Env var of argo-server that lets /metrics be read without an API token (argoserver.go l. 466).
SERVER_METRICS_ENV = {"name": "ARGO_SERVER_METRICS_AUTH", "value": "false"}
#: ARMS reads this annotation: "true" runs the ServiceMonitor, anything else stops it
#: (CreateEnvServiceMonitor API reference, ConfigYaml: "arms.prometheus.io/discovery ... must exist,
#: and its value true means the serviceMonitor is enabled",
#: https://help.aliyun.com/zh/arms/prometheus-monitoring/api-arms-2019-08-08-createenvservicemonitor).
DISCOVERY_ANNOTATION = "arms.prometheus.io/discovery"


@dataclass(frozen=True)
class ScrapeTarget:
    """One ServiceMonitor: what ARMS scrapes, and the document it is given."""

    name: str
    service: str
    """The Service the chart renders (its name, in the Argo namespace)."""
    port: str
    path: str
    scheme: str
    config_yaml: str
    """The ServiceMonitor, as the ``config_yaml`` string ARMS takes (provider: Required, a YAML
    string checked by ``validateYamlString``, compared as YAML: resource_alicloud_arms_prometheus_monitoring.go
    l. 36-48 at 81c43b67)."""


def _get(values: dict[str, Any], dotted: str) -> Any:
    node: Any = values
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return CHART_DEFAULTS[dotted]
        node = node[part]
    return node


def _fullname(release: str) -> str:
    """``argo-workflows.fullname`` without overrides (``_helpers.tpl`` l. 28-39)."""
    name = release if CHART_NAME in release else f"{release}-{CHART_NAME}"
    return name[:63].rstrip("-")


def _service_monitor(name: str, namespace: str, release: str, component: str, endpoint: dict[str, Any]) -> str:
    doc = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {"name": name, "namespace": namespace, "annotations": {DISCOVERY_ANNOTATION: "true"}},
        "spec": {
            "endpoints": [endpoint],
            "namespaceSelector": {"matchNames": [namespace]},
            "selector": {"matchLabels": {
                "app.kubernetes.io/name": f"{CHART_NAME}-{component}",
                "app.kubernetes.io/instance": release,
            }},
        },
    }
    return yamlio.dumps(doc)


def scrape_targets(values: dict[str, Any], *, namespace: str, release: str, prefix: str) -> tuple[ScrapeTarget, ...]:
    """The ServiceMonitors of a stack whose chart values are ``values`` (the merged values the
    release is installed with). ``prefix`` starts every ServiceMonitor's name (the stack's)."""
    out = []
    if values.get("controller", {}).get("metricsConfig", {}).get("enabled", False):  # the chart's default: off
        controller = _get(values, "controller.name")
        port = _get(values, "controller.metricsConfig.servicePortName")
        path = _get(values, "controller.metricsConfig.path")
        scheme = "https" if _get(values, "controller.metricsConfig.secure") else "http"
        endpoint: dict[str, Any] = {"port": port, "path": path, "interval": _get(values, "controller.metricsConfig.interval"),
                                    "scheme": scheme}
        if scheme == "https":
            endpoint["tlsConfig"] = {"insecureSkipVerify": True}  # the controller's own self-signed certificate
        name = f"{prefix}-argo-controller"
        out.append(ScrapeTarget(name=name, service=f"{_fullname(release)}-{controller}", port=port, path=path,
                                scheme=scheme, config_yaml=_service_monitor(name, namespace, release, controller, endpoint)))
    server = values.get("server", {})
    if server.get("enabled", True) and server.get("servicePortName") and SERVER_METRICS_ENV in server.get("extraEnv", []):
        component = _get(values, "server.name")
        scheme = "https" if server.get("secure") else "http"
        endpoint = {"port": server["servicePortName"], "path": "/metrics", "interval": "60s", "scheme": scheme}
        if scheme == "https":
            endpoint["tlsConfig"] = {"insecureSkipVerify": True}  # argo-server's self-signed certificate
        name = f"{prefix}-argo-server"
        out.append(ScrapeTarget(name=name, service=f"{_fullname(release)}-{component}", port=server["servicePortName"],
                                path="/metrics", scheme=scheme,
                                config_yaml=_service_monitor(name, namespace, release, component, endpoint)))
    return tuple(out)
